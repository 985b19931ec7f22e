"""What blocks a hard delete, and the delete that honours it.

Records that anything refers to are archived (core.archive), never deleted. Each app declares, from its
AppConfig.ready(), the references it holds to rows of other tables:

    register_blocker("parties.Client", "crm.Deal", "client")

so core can name them when it refuses a delete ("is used by 3 deals, 12 interactions", 409) and a lower
app never imports an upper one. `delete()` checks the registry, then deletes in one transaction; a
ProtectedError/RestrictedError the registry missed becomes the same refusal, never a 500.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.errors import ConflictError


@dataclass(frozen=True)
class Blocker:
    model: str  # "app_label.ModelName" of the referenced table
    related_model: str  # the table holding the reference
    field: str  # its field (a foreign key or many-to-many) pointing at `model`


_BLOCKERS: list[Blocker] = []


def _label(model) -> str:
    return model if isinstance(model, str) else model._meta.label


def register_blocker(model, related_model, field: str) -> None:
    """Rows of `related_model` whose `field` points at a `model` row keep it from being deleted.

    Models may be classes or "app_label.ModelName" strings (an AppConfig.ready() need not import them)."""
    blocker = Blocker(_label(model), _label(related_model), field)
    if blocker not in _BLOCKERS:
        _BLOCKERS.append(blocker)


def blockers_for(model) -> list[Blocker]:
    label = _label(model)
    return [b for b in _BLOCKERS if b.model.lower() == label.lower()]


@dataclass(frozen=True)
class Reference:
    model: str  # "crm.deal"
    count: int
    label: str  # "3 deals", in the active language

    def as_dict(self) -> dict:
        return {"model": self.model, "count": self.count, "label": self.label}


def _counted(model: type[models.Model], count: int) -> str:
    name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
    return f"{count} {name}"


def references(obj: models.Model) -> list[Reference]:
    """Rows that refer to obj, per referring table, as the registry declares them (one COUNT each)."""
    fields_by_model: dict[str, list[str]] = {}
    for blocker in blockers_for(type(obj)):
        fields_by_model.setdefault(blocker.related_model, []).append(blocker.field)
    found = []
    for label, fields in fields_by_model.items():
        related = apps.get_model(label)
        condition = Q()
        for field in fields:
            condition |= Q(**{field: obj})
        count = related._base_manager.filter(condition).distinct().count()
        if count:
            found.append(Reference(related._meta.label_lower, count, _counted(related, count)))
    return found


class ReferencedError(ConflictError):
    """A delete refused because other records refer to the row; `references` names them."""

    def __init__(self, obj: models.Model | None, found: list[Reference], hint: str | None = None):
        used_by = ", ".join(r.label for r in found)
        if obj is None:
            message = _("This record is used by %(references)s: it cannot be deleted.") % {"references": used_by}
        else:
            message = _("“%(name)s” is used by %(references)s: it cannot be deleted.") % {
                "name": obj, "references": used_by,
            }
        hint = hint if hint is not None else (_("Archive it instead.") if hasattr(obj, "is_archived") else "")
        message = f"{message} {hint}".strip()
        super().__init__("referenced", message, extra={"references": [r.as_dict() for r in found]})
        self.references = found

    @classmethod
    def from_exception(cls, exc: ProtectedError | RestrictedError) -> ReferencedError:
        """The refusal for a ProtectedError/RestrictedError that a registered blocker did not foresee."""
        return cls(None, references_from_error(exc))


def references_from_error(exc: ProtectedError | RestrictedError) -> list[Reference]:
    """The rows a ProtectedError/RestrictedError names, counted per table."""
    counts = Counter(type(o) for o in exc.args[1]) if len(exc.args) > 1 else Counter()
    return [Reference(m._meta.label_lower, n, _counted(m, n)) for m, n in counts.items()]


def check_deletable(obj: models.Model, hint: str | None = None) -> None:
    found = references(obj)
    if found:
        raise ReferencedError(obj, found, hint)


def delete(obj: models.Model, *, by, action: str | None = None, changes: dict | None = None,
           root: models.Model | None = None, hint: str | None = None) -> None:
    """Hard-delete a row nothing refers to, audited ("<app>.<model>.deleted"); refuse (409) otherwise."""
    model = type(obj)
    action = action or f"{model._meta.app_label}.{model._meta.model_name}.deleted"
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        check_deletable(locked, hint)
        audit.record(locked, action, by=by, changes=changes, root=root)
        try:
            with transaction.atomic():
                locked.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise ReferencedError(locked, references_from_error(exc), hint) from None

