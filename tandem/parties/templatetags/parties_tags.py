"""Display helpers for the clients pages: phones, audit entries."""

import datetime
import re

from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tandem.parties.phones import format_phone as _format_phone

register = template.Library()

EVENTS = {"created": _("created"), "updated": _("updated"), "deleted": _("deleted"), "archived": _("archived"),
          "restored": _("restored")}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMPTY = "—"


@register.filter
def format_phone(value):
    return _format_phone(value or "")


def _model_of(entry):
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


PHONE_FIELDS = {"phone", "mobile_phone"}


def _display(field, value):
    if field is not None and field.name in PHONE_FIELDS and isinstance(value, str):
        return _format_phone(value) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field is not None and field.choices and not field.is_relation:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_DATE.match(value):
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return str(value)


@register.simple_tag
def audit_summary(entry):
    """'Counterparty updated' — the record type and what happened to it, in the user's language."""
    model = _model_of(entry)
    kind = model._meta.verbose_name if model else entry.content_type_id
    event = EVENTS.get(entry.event, entry.event)
    return _("%(record_type)s %(event)s") % {"record_type": str(kind).capitalize(), "event": event}


@register.simple_tag
def audit_changes(entry):
    """Rows {label, old, new, is_update}: updates store {field: [old, new]}, creations/deletions snapshots."""
    model = _model_of(entry)
    rows = []
    is_update = entry.event == "updated"
    for name, value in (entry.changes or {}).items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        label = capfirst(field.verbose_name) if field is not None else name
        if is_update and isinstance(value, list) and len(value) == 2:
            rows.append(
                {
                    "label": label,
                    "old": _display(field, value[0]),
                    "new": _display(field, value[1]),
                    "is_update": True,
                }
            )
        elif value not in (None, "", []):
            rows.append({"label": label, "new": _display(field, value), "is_update": False})
    return rows
