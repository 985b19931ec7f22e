"""Document state machines: one place that moves a document along its TRANSITIONS table."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.errors import ConflictError


def transition(doc: models.Model, to: str, *, by, data: dict | None = None) -> models.Model:
    """Lock the row, check `type(doc).TRANSITIONS`, set status, stamp who and when, audit.

    Returns the locked, updated instance; callers do the step's own work in the same transaction."""
    model = type(doc)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=doc.pk)
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
        fields = ["status"]
        if hasattr(locked, "status_changed_at"):
            locked.status_changed_at = timezone.now()
            locked.status_changed_by = by if getattr(by, "pk", None) else None
            fields += ["status_changed_at", "status_changed_by"]
        if hasattr(locked, "updated_at"):
            fields.append("updated_at")
        locked.save(update_fields=fields)
        root = getattr(locked, "client", None)
        audit.record(
            locked, f"{model._meta.app_label}.{model._meta.model_name}.{to}", by=by, root=root,
            changes={"status": [current, to], **(data or {})},
        )
    return locked
