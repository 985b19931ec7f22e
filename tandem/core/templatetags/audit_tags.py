"""Audit entries in templates: `{% load audit_tags %}{% audit_entry entry as shown %}` gives the renderer's
words (shown.summary, shown.action, shown.actor, shown.changes); `{% include "core/partials/_audit_changes.html"
with rows=shown.changes %}` lists the changes."""

from django import template

from tandem.core.audit_render import render_entry

register = template.Library()


@register.simple_tag
def audit_entry(entry):
    return render_entry(entry)
