"""Page-number pagination for API lists: ?page=1&page_size=50 -> {items, count, page, page_size}."""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

class PageParams(Schema):
    page: int = Field(1, ge=1, description="1-based page number.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}.")


class Page[ItemT](Schema):
    items: list[ItemT]
    count: int
    page: int
    page_size: int


def paginate(qs: QuerySet, params: PageParams) -> dict:
    """One page of an ordered queryset; a page past the end is empty (count tells how many exist)."""
    start = (params.page - 1) * params.page_size
    return {
        "items": list(qs[start : start + params.page_size]),
        "count": qs.count(),
        "page": params.page,
        "page_size": params.page_size,
    }
