"""Record rules of every app in one registry, so core can filter mixed lists (the audit trail, a client's
timeline) without naming upper apps. Each app registers, in its AppConfig.ready(), for each of its models
a function `user -> queryset of the rows that user may see` (the same one its pages and API use)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast

_registry: dict[type[Model], Callable[[object], QuerySet]] = {}
_sees_all: dict[type[Model], Callable[[object], bool]] = {}


def register(
    model: type[Model], visible: Callable[[object], QuerySet], *, sees_all: Callable[[object], bool] | None = None
) -> None:
    """`visible(user)`: the rows the user may see. `sees_all(user)`: True when no rule applies to the user
    (team visibility); only then are entries about rows deleted since shown, except the user's own."""
    _registry[model] = visible
    if sees_all is not None:
        _sees_all[model] = sees_all


def is_registered(model: type[Model]) -> bool:
    return model in _registry


def visible_ids(model: type[Model], user) -> QuerySet:
    """The primary keys (as text, like AuditEntry.object_id) of the `model` rows `user` may see."""
    return _registry[model](user).annotate(_visible_id=Cast("pk", CharField())).values("_visible_id")


def filter_entries(entries: QuerySet, user) -> QuerySet:
    """Audit entries (or anything with content_type/object_id) about records `user` may see."""
    hidden = Q(pk__in=[])
    for model in _registry:
        if model in _sees_all and _sees_all[model](user):
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        hidden |= Q(content_type=ct) & ~Q(object_id__in=visible_ids(model, user)) & ~Q(actor_id=user.pk)
    return entries.exclude(hidden)
