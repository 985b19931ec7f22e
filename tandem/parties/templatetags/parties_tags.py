"""Display helpers for the clients pages: phones. (Audit entries: core's audit_tags.)"""

from django import template

from tandem.parties.phones import format_phone as _format_phone

register = template.Library()


@register.filter
def format_phone(value):
    return _format_phone(value or "")
