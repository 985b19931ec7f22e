"""Audit entries in human words, in the active language (the user's) and time zone (the company's).

One renderer for every place that shows history: the client card, the CRM timeline, the deal page and the
history API. The action code becomes its registered label (core.audit.register_actions), each changed key
the verbose_name of its model field (or a registered label), each value words: Yes/No, dates and times
with Django's localisation, amounts with the locale's grouping, choices by their label, "—" for empty.
Foreign keys are stored by their display text already (core.audit.snapshot)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core import audit

EMPTY = "—"
# Events whose changes are snapshots {field: value}; any other event stores {field: [old, new]}.
SNAPSHOT_EVENTS = {"created", "deleted"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass
class ChangeRow:
    key: str
    label: str
    old: str | None  # None when the entry records a value, not a change
    new: str

    @property
    def is_update(self) -> bool:
        return self.old is not None


@dataclass
class RenderedEntry:
    actor: str
    action: str  # the registered label ("moved the deal to another stage")
    summary: str  # "Anna Smith moved the deal to another stage"
    changes: list[ChangeRow] = field(default_factory=list)


def _model_of(entry) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def action_text(code: str) -> str:
    """The registered label of an action code; an unregistered code shows as it is."""
    label = audit.action_label(code)
    return str(label) if label is not None else code


def _decimal_places(value: Decimal) -> int:
    text = format(value, "f")
    return len(text.split(".", 1)[1].rstrip("0")) if "." in text else 0


def format_decimal(value, minimum_places: int = 0) -> str:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = max(minimum_places, _decimal_places(number))
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def _format_date(value) -> str:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)


def _format_datetime(value) -> str:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT", use_l10n=True)


def format_value(value, model_field=None, model_label: str = "") -> str:
    """One stored value in words. `model_field` (when the key is a model field) tells its kind."""
    if model_field is not None:
        formatter = audit.value_formatter(model_label, model_field.name)
        if formatter is not None and value not in (None, ""):
            return str(formatter(value)) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(format_value(v, model_field, model_label) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        if model_field is not None:
            if model_field.choices and not model_field.is_relation:
                return str(dict(model_field.flatchoices).get(value, value))
            if isinstance(model_field, models.BooleanField):
                return _("Yes") if value in (True, "True", "true") else _("No")
            if isinstance(model_field, models.DateTimeField):
                return _format_datetime(value)
            if isinstance(model_field, models.DateField):
                return _format_date(value)
            if isinstance(model_field, models.DecimalField):
                return format_decimal(value, minimum_places=min(2, model_field.decimal_places))
            if isinstance(model_field, models.IntegerField | models.FloatField) and not isinstance(value, str):
                return formats.number_format(value, use_l10n=True, force_grouping=True)
            return str(value)
        # Keys that are not fields: judge by the value.
        if isinstance(value, str) and ISO_DATETIME.match(value):
            return _format_datetime(value)
        if isinstance(value, str) and ISO_DATE.match(value):
            return _format_date(value)
    except (ValueError, TypeError):
        return str(value)
    return str(value)


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def change_rows(entry) -> list[ChangeRow]:
    model = _model_of(entry)
    model_label = model._meta.label_lower if model else ""
    snapshot = entry.event in SNAPSHOT_EVENTS
    rows = []
    for key, value in (entry.changes or {}).items():
        known, label = audit.change_label(model_label, key)
        model_field = _field(model, key)
        if known and label is None:
            continue
        if not known:
            label = getattr(model_field, "verbose_name", None) or key
        label = capfirst(str(label))
        if not snapshot and isinstance(value, list) and len(value) == 2:
            rows.append(ChangeRow(key, label, format_value(value[0], model_field, model_label),
                                  format_value(value[1], model_field, model_label)))
        elif not (snapshot and value in (None, "", [])):
            rows.append(ChangeRow(key, label, None, format_value(value, model_field, model_label)))
    return rows


def actor_name(entry) -> str:
    actor = entry.actor if entry.actor_id else None
    return actor.display_name if actor is not None else _("System")


def render_entry(entry) -> RenderedEntry:
    who = actor_name(entry)
    action = action_text(entry.action)
    summary = _("%(actor)s %(action)s") % {"actor": who, "action": action}
    return RenderedEntry(actor=who, action=action, summary=summary, changes=change_rows(entry))


def changes_text(rows: list[ChangeRow]) -> str:
    """"Amount: — → 99.50; Stage: New → Won" — the changes on one line."""
    return "; ".join(f"{r.label}: {r.old} → {r.new}" if r.is_update else f"{r.label}: {r.new}" for r in rows)
