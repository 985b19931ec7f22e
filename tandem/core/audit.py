"""Audit trail: services call `record` inside their transaction with what changed."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from tandem.core.models import AuditEntry


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


def record(
    obj: models.Model,
    action: str,
    *,
    by,
    changes: dict | None = None,
    root: models.Model | None = None,
) -> AuditEntry:
    """Write one audit entry. `root` is the record whose page shows it (defaults to obj itself)."""
    root = root or obj
    return AuditEntry.objects.create(
        actor=by if getattr(by, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        root_content_type=ContentType.objects.get_for_model(root, for_concrete_model=False),
        root_object_id=str(root.pk),
    )


def history_for(obj: models.Model):
    """Audit entries shown on a record's page: its own and those of records filed under it."""
    return AuditEntry.objects.filter(
        root_content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        root_object_id=str(obj.pk),
    ).select_related("actor")
