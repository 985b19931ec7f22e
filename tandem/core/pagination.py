"""Page-number pagination for API lists: ?page=1&page_size=50 -> {items, count, page, page_size}.

Deep pages use a deferred join: the page's primary keys are read first (``SELECT id … ORDER BY …
LIMIT … OFFSET …``, which an index on the sort columns answers without touching the rows it skips), then
only those rows are fetched with everything the queryset selects and prefetches. ``OFFSET`` on full rows
would read, and on PostgreSQL sort, every skipped row.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = (2**63 - 1) // MAX_PAGE_SIZE  # so that the row offset stays a signed 64-bit integer


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}.")


class Page[ItemT](Schema):
    items: list[ItemT]
    count: int
    page: int
    page_size: int


def _ends_with_pk(qs: QuerySet) -> bool:
    """Whether the ordering is total (its last key is the primary key), so that reversing it is exact."""
    ordering = qs.query.order_by or (qs.model._meta.ordering if qs.query.default_ordering else ())
    if not ordering or not isinstance(ordering[-1], str):
        return False
    last = ordering[-1].lstrip("-")
    return last == "pk" or last == qs.model._meta.pk.attname or last == qs.model._meta.pk.name


def page_rows(qs: QuerySet, start: int, stop: int, count: int | None = None, *, keys_first: bool = False) -> list:
    """Rows start..stop-1 of an ordered queryset, the same as ``list(qs[start:stop])``.

    The first page is one plain query; later pages select the page's primary keys first and then fetch
    those rows (keeping the queryset's select_related and prefetch_related) in the same order. Given the
    row ``count`` and an ordering ending in the primary key, a page in the second half is read backwards
    from the end, so the index skips at most half of the rows.

    ``keys_first`` reads the first page that way too: for a queryset joining many tables, where SQLite's
    planner may start from a joined table and sort every row instead of walking the sort index to the LIMIT.
    """
    if (start <= 0 and not keys_first) or not isinstance(qs, QuerySet) or qs.query.combinator or qs._fields is not None:
        return list(qs[start:stop])
    keys = qs.prefetch_related(None).values_list("pk", flat=True)
    if count is not None and start >= count:
        return []
    if count is not None and start > count // 2 and _ends_with_pk(qs):
        ids = list(keys.reverse()[max(count - stop, 0) : count - start])[::-1]
    else:
        ids = list(keys[start:stop])
    if not ids:
        return []
    by_id = {obj.pk: obj for obj in qs.filter(pk__in=ids).order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


def paginate(qs: QuerySet, params: PageParams, *, keys_first: bool = False) -> dict:
    """One page of an ordered queryset; a page past the end is empty (count tells how many exist)."""
    start = (params.page - 1) * params.page_size
    count = qs.count()
    return {
        "items": page_rows(qs, start, start + params.page_size, count, keys_first=keys_first),
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
    }


class DeferredJoinPaginator(Paginator):
    """django.core.paginator.Paginator whose pages are read with page_rows (a deferred join)."""

    def __init__(self, *args, keys_first: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys_first = keys_first

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top, self.count, keys_first=self.keys_first),
                              number, self)
