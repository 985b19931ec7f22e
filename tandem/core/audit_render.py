"""Audit entries as sentences in the active language (the user's) and time zone (the company's).

One renderer for every place that shows history: the client card, the CRM timeline, the deal page and the
history API. The action code becomes its registered label (core.audit.register_actions); a registered
sentence or a single changed field makes it a whole sentence ("moved the deal from Qualification to
Negotiation", "changed the due date from — to 12 Dec 2026"). Each changed key becomes the verbose_name of its
model field (or a registered label; keys starting with "_" are context, never shown), each value words:
Yes/No, dates and amounts through core.formats (the user's language, our legal entity's country), choices
by their label, countries by name, "—" for empty. Changes that did not change anything once formatted
(an amount stored as 5.0000 and saved as 5.00) are left out. Foreign keys are stored by their display text
already (core.audit.snapshot)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tandem.core import audit, formats
from tandem.core.models import validate_country

EMPTY = formats.EMPTY
# Events whose changes are snapshots {field: value}; other events store {field: [old, new]} (and may add
# plain values, e.g. the resolution given when a complaint is resolved).
SNAPSHOT_EVENTS = {"created", "deleted", "added", "removed", "stage_added", "rule_added", "bank_account_added",
                   "bank_account_removed"}
# Events that change some fields of a record: with one changed field, the sentence names it.
UPDATE_EVENTS = {"updated", "changed"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass
class ChangeRow:
    key: str
    label: str
    old: str | None  # None when the entry records a value, not a change
    new: str
    raw_old: object = field(default=None, repr=False)
    raw_new: object = field(default=None, repr=False)

    @property
    def is_update(self) -> bool:
        return self.old is not None


@dataclass
class RenderedEntry:
    actor: str
    action: str  # the sentence without its subject ("moved the deal from Qualification to Negotiation")
    summary: str  # "Anna Smith moved the deal from Qualification to Negotiation"
    changes: list[ChangeRow] = field(default_factory=list)  # what the sentence does not say already
    label: str = ""  # the registered label of the code ("moved the deal to another stage")


def _model_of(entry) -> type[models.Model] | None:
    return ContentType.objects.get_for_id(entry.content_type_id).model_class()


def action_text(code: str) -> str:
    """The registered label of an action code; an unregistered code reads as its last part in words
    ("crm.thing.exported" → "exported"), never as the code."""
    label = audit.action_label(code)
    if label is not None:
        return str(label)
    return code.rsplit(".", 1)[-1].replace("_", " ")


def format_decimal(value, minimum_places: int = 0) -> str:
    return formats.format_number(value, minimum_places=minimum_places)


def _country_name(code: str) -> str:
    name = formats.current_locale().territories.get(str(code).upper())
    return name or str(code)


def _is_country_field(model_field) -> bool:
    return any(validator is validate_country for validator in getattr(model_field, "validators", ()))


def _currency_of(changes: dict, which: int) -> str:
    """The currency an amount in this entry is in: the entry's own currency change or snapshot, or the
    context key "_currency" (core.audit.record adds it when an amount changes alone)."""
    for key in ("currency", "_currency"):
        value = changes.get(key)
        if isinstance(value, list) and len(value) == 2:
            value = value[which]
        if isinstance(value, str) and len(value) == 3:
            return value
    return ""


def _parse_json_text(value, model_field):
    """A JSON field's value that older entries stored as its Python text ("{'status': ['active']}")."""
    if isinstance(model_field, models.JSONField) and isinstance(value, str) and value[:1] in "{[":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def format_value(value, model_field=None, model_label: str = "", *, currency: str = "", key: str = "") -> str:
    """One stored value in words. `model_field` (when the key is a model field) tells its kind; a formatter
    registered for the model's key (core.audit.register_value_formatter) has the last word."""
    value = _parse_json_text(value, model_field)
    key = key or getattr(model_field, "name", "")
    formatter = audit.value_formatter(model_label, key) if key else None
    if formatter is not None and not _is_empty(value):
        return str(formatter(value)) or EMPTY
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, list):
        return ", ".join(format_value(v, model_field, model_label, currency=currency, key=key) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{capfirst(str(k))}: {format_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        if model_field is not None:
            if model_field.choices and not model_field.is_relation:
                return str(dict(model_field.flatchoices).get(value, value))
            if isinstance(model_field, models.BooleanField):
                return _("Yes") if value in (True, "True", "true") else _("No")
            if isinstance(model_field, models.DateTimeField):
                return formats.format_datetime(value)
            if isinstance(model_field, models.DateField):
                return formats.format_date(value)
            if isinstance(model_field, models.DecimalField):
                if currency:
                    return formats.format_money(value, currency)
                return formats.format_number(value, minimum_places=min(2, model_field.decimal_places))
            if isinstance(model_field, models.IntegerField | models.FloatField) and not isinstance(value, str):
                return formats.format_number(value)
            if _is_country_field(model_field):
                return _country_name(value)
            return str(value)
        # Keys that are not fields: judge by the value.
        if isinstance(value, int | float):
            return formats.format_number(value)
        if isinstance(value, str) and ISO_DATETIME.match(value):
            return formats.format_datetime(value)
        if isinstance(value, str) and ISO_DATE.match(value):
            return formats.format_date(value)
    except (ValueError, TypeError, SyntaxError):
        return str(value)
    return str(value)


def _field(model, key: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    # A reverse relation (another app's rows pointing here, e.g. a legal entity's "accounts") is not a
    # field of the record: the change is a plain value with its own label.
    return None if field.auto_created and not field.concrete else field


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def change_rows(entry) -> list[ChangeRow]:
    """The entry's changes in words, in the order they were recorded; hidden keys, context keys ("_…"),
    empty values of a snapshot and changes that read the same before and after are left out."""
    model = _model_of(entry)
    model_label = model._meta.label_lower if model else ""
    snapshot = entry.event in SNAPSHOT_EVENTS
    changes = entry.changes or {}
    rows = []
    for key, value in changes.items():
        if key.startswith("_"):
            continue
        known, label = audit.change_label(model_label, key)
        model_field = _field(model, key)
        if known and label is None:
            continue
        value = _parse_json_text(value, model_field)
        if not known:
            label = getattr(model_field, "verbose_name", None) or key.replace("_", " ")
        label = capfirst(str(label))
        if not snapshot and isinstance(value, list) and len(value) == 2:
            old = format_value(value[0], model_field, model_label, currency=_currency_of(changes, 0), key=key)
            new = format_value(value[1], model_field, model_label, currency=_currency_of(changes, 1), key=key)
            if old != new:
                rows.append(ChangeRow(key, label, old, new, value[0], value[1]))
        elif not _is_empty(value):
            text = format_value(value, model_field, model_label, currency=_currency_of(changes, 1), key=key)
            rows.append(ChangeRow(key, label, None, text, None, value))
    return rows


def actor_name(entry) -> str:
    actor = entry.actor if entry.actor_id else None
    return actor.display_name if actor is not None else _("System")


def _field_in_sentence(label: str) -> str:
    """A field label inside a sentence: "Due date" → "due date"; abbreviations stay ("IBAN")."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _sentence(entry, rows: list[ChangeRow]) -> tuple[str, set[str]]:
    """The action as a sentence without its subject, and the keys of the rows it already says."""
    label = action_text(entry.action)
    by_key = {row.key: row for row in rows}
    registered = audit.sentence(entry.action)
    if callable(registered):
        said = registered(entry.changes or {})
        if said is not None:
            return str(said[0]), set(said[1])
    elif registered is not None:
        key, template = registered
        row = by_key.get(key)
        if row is not None and row.is_update:
            return str(template) % {"old": row.old, "new": row.new}, {key}
    said = set()
    # A status change that is the action itself ("won the deal": Status Open → Won) says nothing more.
    status = by_key.get("status")
    if status is not None and status.is_update and str(status.raw_new) == entry.event:
        said.add("status")
    # Archiving says "archived" already.
    if entry.event in {"archived", "restored"}:
        said.add("is_archived")
    updates = [row for row in rows if row.key not in said]
    if entry.event in UPDATE_EVENTS and len(updates) == 1 and updates[0].is_update:
        row = updates[0]
        return (_("changed the %(field)s from %(old)s to %(new)s")
                % {"field": _field_in_sentence(row.label), "old": row.old, "new": row.new}, {row.key})
    return label, said


def render_entry(entry) -> RenderedEntry:
    who = actor_name(entry)
    rows = change_rows(entry)
    action, said = _sentence(entry, rows)
    summary = _("%(actor)s %(action)s") % {"actor": who, "action": action}
    return RenderedEntry(actor=who, action=action, summary=summary,
                         changes=[row for row in rows if row.key not in said], label=action_text(entry.action))


def changes_text(rows: list[ChangeRow]) -> str:
    """"Amount: — → 99.50; Stage: New → Won" — the changes on one line."""
    return "; ".join(f"{r.label}: {r.old} → {r.new}" if r.is_update else f"{r.label}: {r.new}" for r in rows)
