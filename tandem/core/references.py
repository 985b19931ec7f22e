"""One record resolved by id through a queryset the user may see (the record rules of each app's queries).

`resolve_visible(queryset, pk)` serves a record named by the URL: not there (or not visible, or not a
number) is a 404. `resolve_visible(queryset, pk, field="client_id")` serves a reference sent in a form or
request body: None stays None, and an unknown or invisible id is a 400 naming that field, so a user cannot
tell a record they may not see from one that does not exist."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError

_NOT_FOUND = (ValueError, TypeError, ValidationError)


def resolve_visible(queryset: QuerySet | type[Model], pk, field: str | None = None):
    """The row with this id (an id or an instance) in `queryset` (or a model's default manager)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    if pk is None and field is not None:
        return None
    pk = getattr(pk, "pk", pk)
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, *_NOT_FOUND):
        if field is None:
            raise Http404(f"No such {qs.model._meta.verbose_name}.") from None
        raise BusinessRuleError(
            "unknown_reference",
            _("There is no %(record)s #%(id)s.") % {"record": qs.model._meta.verbose_name, "id": pk},
            field=field,
        ) from None
