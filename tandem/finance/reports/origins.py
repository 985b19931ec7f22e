"""Where a journal entry's origin document is shown. Finance names no upper app: each registers, through the
`finance_origin_urls()` AppConfig hook (collected by core.modules.collect), a list of
{"model": "<app_label>.<model>", "url": callable(origin_id) -> str}. Finance's own documents (invoices,
payments) register theirs in `register` below when their pages exist."""

from __future__ import annotations

from collections.abc import Callable

from tandem.core import modules

_LOCAL: dict[str, Callable[[int], str]] = {}


def register(model_label: str, url: Callable[[int], str]) -> None:
    """A finance document's page (finance registers its own here; upper apps use the AppConfig hook)."""
    _LOCAL[model_label.lower()] = url


def origin_urls() -> dict[str, Callable[[int], str]]:
    found = dict(_LOCAL)
    for item in modules.collect("finance_origin_urls"):
        found[item["model"].lower()] = item["url"]
    return found


def origin_url(entry) -> str | None:
    """The page of the document an entry was posted from, when its app registered one (else None)."""
    if not entry.origin_type_id or not entry.origin_id:
        return None
    origin_type = entry.origin_type
    url = origin_urls().get(f"{origin_type.app_label}.{origin_type.model}")
    return url(entry.origin_id) if url else None
