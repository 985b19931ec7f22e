"""Document state machines: one place that moves a document along its TRANSITIONS table."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.bulk import update_rows
from tandem.core.errors import ConflictError


def transition(doc: models.Model, to: str, *, by, data: dict | None = None, locked: bool = False,
               also_save: list[str] | tuple[str, ...] = ()) -> models.Model:
    """Lock the row, check `type(doc).TRANSITIONS`, set status, stamp who and when, audit.

    Returns the locked, updated instance; callers do the step's own work in the same transaction.

    `locked=True`: the caller has already locked `doc` in its own (outer) transaction and read it there (the
    service's `select_for_update`), so the row is neither read nor locked again and no savepoint is opened;
    `doc` itself is changed and returned. `also_save`: more fields the caller changed on `doc` (its version),
    written by the same UPDATE as the status."""
    model = type(doc)
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("transition(locked=True) needs the caller's transaction holding the row lock.")
        return _move(doc, to, by=by, data=data, also_save=also_save)
    with transaction.atomic():
        fresh = model.objects.select_for_update().get(pk=doc.pk)
        return _move(fresh, to, by=by, data=data, also_save=())


def _move(locked: models.Model, to: str, *, by, data, also_save) -> models.Model:
    model = type(locked)
    current = locked.status
    if to not in model.TRANSITIONS.get(current, ()):
        labels = dict(model.Status.choices)
        raise ConflictError(
            "invalid_transition",
            _("A %(record)s that is %(current)s cannot become %(target)s.")
            % {"record": model._meta.verbose_name, "current": labels.get(current, current),
               "target": labels.get(to, to)},
            field="status",
        )
    locked.status = to
    fields = ["status", *also_save]
    if hasattr(locked, "status_changed_at"):
        locked.status_changed_at = timezone.now()
        locked.status_changed_by = by if getattr(by, "pk", None) else None
        fields += ["status_changed_at", "status_changed_by"]
    if hasattr(locked, "updated_at"):
        fields.append("updated_at")
    if model.save is models.Model.save:
        update_rows(model, fields, [locked])  # the row is locked and read: no "did the UPDATE find it" check
    else:
        locked.save(update_fields=fields)
    root = getattr(locked, "client", None)
    audit.record(
        locked, f"{model._meta.app_label}.{model._meta.model_name}.{to}", by=by, root=root,
        changes={"status": [current, to], **(data or {})},
    )
    return locked
