"""Audit trail: services call `record` inside their transaction with what changed.

The vocabulary lives here too: each app registers its action codes with translatable labels
(`register_actions` in its AppConfig.ready()), and labels for change keys that are not model fields
(`register_change_labels`). core.audit_render turns entries into words in the user's language."""

from __future__ import annotations

import datetime
import decimal
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.db import models

from tandem.core import visibility
from tandem.core.bulk import insert_row
from tandem.core.models import AuditEntry

# Who is acting in this request (set by core.middleware.AuditActorMiddleware), for changes audited by signal
# receivers that get no `by` (user and role changes made in /admin/ or by Django's own forms).
_current_actor: ContextVar = ContextVar("tandem_audit_actor", default=None)
_signals_muted: ContextVar = ContextVar("tandem_audit_signals_muted", default=False)


@contextmanager
def acting_as(user):
    token = _current_actor.set(user if getattr(user, "pk", None) else None)
    try:
        yield
    finally:
        _current_actor.reset(token)


def set_actor_for_this_request(user) -> None:
    """Name the actor once a request authenticates late (an API token checked by ninja, after the
    middleware). AuditActorMiddleware's `acting_as` restores the previous value when the request ends."""
    _current_actor.set(user if getattr(user, "pk", None) else None)


def current_actor():
    return _current_actor.get()


@contextmanager
def signals_muted():
    """For system upkeep (shipped roles re-synced after migrate): the signal receivers do not audit."""
    token = _signals_muted.set(True)
    try:
        yield
    finally:
        _signals_muted.reset(token)


def signals_are_muted() -> bool:
    return _signals_muted.get()


def mute_user_signals(instance) -> None:
    """The caller (a service) audits this save of `instance` itself; core.signals must not add an entry."""
    instance._audited_by_service = True


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | tuple[str, ...]) -> dict:
    """Field values as JSON-ready data; foreign keys by their display text."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            data[name] = _plain(getattr(obj, name))
        else:
            data[name] = _plain(getattr(obj, field.attname))
    return data


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


# --- Vocabulary ------------------------------------------------------------------------------------

_ACTIONS: dict[str, object] = {}
_CHANGE_LABELS: dict[str, dict[str, object]] = {}
_VALUE_FORMATTERS: dict[str, object] = {}
_SENTENCES: dict[str, object] = {}


def register_actions(actions: dict) -> None:
    """{"crm.deal.moved": _("moved the deal to another stage"), …}: codes `<app>.<model>.<event>` with a
    lazily translated predicate ("<who> moved the deal to another stage")."""
    for code, label in actions.items():
        if code.count(".") != 2:
            raise ValueError(f"Audit action codes look like <app>.<model>.<event>, not {code!r}.")
        _ACTIONS[code] = label


def register_change_labels(model_label: str, labels: dict) -> None:
    """Labels for change keys of a model ("crm.deal") that are not its fields ({"forward": _("Forward")}).
    A label of None hides the key."""
    _CHANGE_LABELS.setdefault(model_label, {}).update(labels)


def register_value_formatter(model_label: str, field_name: str, formatter) -> None:
    """A display function for one field's values (e.g. phone numbers), called with the stored value."""
    _VALUE_FORMATTERS[f"{model_label}.{field_name}"] = formatter


def register_sentences(sentences: dict) -> None:
    """Whole sentences for action codes, said instead of the label when the entry has what they need:
    {"crm.deal.moved": ("stage", _("moved the deal from %(old)s to %(new)s"))} uses the change of one key
    (its formatted old and new values); a function `changes -> (sentence, keys it says) | None` decides
    itself (e.g. from a checklist item's raw True/False)."""
    _SENTENCES.update(sentences)


def sentence(code: str):
    return _SENTENCES.get(code)


def registered_actions() -> dict:
    return dict(_ACTIONS)


def action_label(code: str):
    return _ACTIONS.get(code)


def change_label(model_label: str, key: str):
    """(known, label): whether the key has a registered label, and that label (None = hidden)."""
    labels = _CHANGE_LABELS.get(model_label, {})
    return (key in labels, labels.get(key))


def value_formatter(model_label: str, field_name: str):
    return _VALUE_FORMATTERS.get(f"{model_label}.{field_name}")


def record(
    obj: models.Model,
    action: str,
    *,
    by,
    changes: dict | None = None,
    root: models.Model | None = None,
) -> AuditEntry:
    """Write one audit entry. `root` is the record whose page shows it (defaults to obj itself).
    `action` is a registered code (register_actions); a test keeps every code in the code base registered."""
    root = root or obj
    changes = _with_currency(obj, changes or {})
    # One entry per change on every document flow: inserted with a statement built once (core.bulk).
    return insert_row(AuditEntry(
        actor=by if getattr(by, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes,
        root_content_type=ContentType.objects.get_for_model(root, for_concrete_model=False),
        root_object_id=str(root.pk),
    ))


def _with_currency(obj: models.Model, changes: dict) -> dict:
    """An amount that changes without its currency keeps the currency as context ("_currency"), so the
    entry reads "€99.50" later without loading the record."""
    currency = getattr(obj, "currency", None)
    if not isinstance(currency, str) or not currency or "currency" in changes:
        return changes
    amounts = [f.name for f in obj._meta.concrete_fields if isinstance(f, models.DecimalField)]
    if not any(name in changes for name in amounts):
        return changes
    return {**changes, "_currency": currency}


def history_for(obj: models.Model, *, user=None):
    """Audit entries shown on a record's page: its own and those of records filed under it.

    With `user`, entries about records that user may not see (a colleague's deal on a shared client's
    card) are left out, by the visibility each app registered in core.visibility."""
    entries = AuditEntry.objects.filter(
        root_content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        root_object_id=str(obj.pk),
    ).select_related("actor")
    if user is not None:
        entries = visible_entries(entries, user)
    return entries


def visible_entries(entries, user):
    """Only the audit entries whose record `user` may see (records of unregistered models stay visible)."""
    return visibility.filter_entries(entries, user)


def entries_of(obj: models.Model):
    """Audit entries about this record itself (wherever they are filed), newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk),
    ).select_related("actor")
