"""Archive and restore: the one way a record others refer to leaves pickers and default lists.

Apps' services check their permission and call these; both lock the row, stamp who and when, and audit
"<app>.<model>.archived" / ".restored" in the same transaction. `refuse_archived_links` keeps new links
from pointing at archived rows while existing documents keep showing them."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ArchivableModel


def _action(obj: models.Model, event: str) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{event}"


def _update_fields(obj: models.Model) -> list[str]:
    fields = ["is_archived", "archived_at", "archived_by"]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    return fields


def _set_archived(obj: ArchivableModel, archived: bool, *, by, root: models.Model | None) -> ArchivableModel:
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        if locked.is_archived != archived:
            locked.is_archived = archived
            locked.archived_at = timezone.now() if archived else None
            locked.archived_by = by if archived and getattr(by, "pk", None) else None
            locked.save(update_fields=_update_fields(locked))
            audit.record(locked, _action(locked, "archived" if archived else "restored"), by=by,
                         changes={"is_archived": archived}, root=root)
    for field in ("is_archived", "archived_at", "archived_by_id"):
        setattr(obj, field, getattr(locked, field))
    return obj


def archive(obj: ArchivableModel, *, by, root: models.Model | None = None) -> ArchivableModel:
    """Hide a record from pickers and default lists; documents that use it still show it. Idempotent."""
    return _set_archived(obj, True, by=by, root=root)


def restore(obj: ArchivableModel, *, by, root: models.Model | None = None) -> ArchivableModel:
    """Bring an archived record back to pickers and lists. Idempotent."""
    return _set_archived(obj, False, by=by, root=root)


def refuse_archived_links(obj: models.Model, fields=None, *, before: dict | None = None) -> None:
    """Refuse (400, code "archived") a foreign key of `obj` that newly points at an archived row.

    `fields`: the foreign keys to check (default: all of obj's). `before`: {field: old id} of a changed
    record; a link kept as it was stays allowed, so editing a document of an archived client still works."""
    for field in obj._meta.concrete_fields:
        if not field.many_to_one or (fields is not None and field.name not in fields):
            continue
        if not issubclass(field.related_model, ArchivableModel):
            continue
        target_id = getattr(obj, field.attname)
        if target_id is None or (before is not None and before.get(field.name) == target_id):
            continue
        target = getattr(obj, field.name)
        if target.is_archived:
            raise BusinessRuleError(
                "archived",
                _("“%(name)s” is archived: restore it before linking to it.") % {"name": target},
                field=field.name,
            )


def link_ids(obj: models.Model) -> dict:
    """{field: id} of obj's foreign keys to archivable rows: `before` for refuse_archived_links."""
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.many_to_one and issubclass(f.related_model, ArchivableModel)}
