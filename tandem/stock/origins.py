"""Which document a stock move came from, with its number and page. A move stores its origin as a generic
reference (origin_type/origin_id; often a document's line). Stock names no upper app: each app describes its
own documents through the `stock_move_origins()` AppConfig hook (collected by core.modules.collect), a list of
{"model": "<app_label>.<model>", "resolve": callable(pairs) -> {move_id: {"type", "id", "label", "url"}}}
where `pairs` are the (move id, origin id) of the moves with that origin model. A resolver answers for all of
them in one query, so a page of moves costs one query per origin model, whatever its length. Stock's own
documents (counts) are registered in `register` below."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tandem.core import modules

Resolver = Callable[[list[tuple[int, int]]], dict[int, dict]]

_LOCAL: dict[str, Resolver] = {}


def register(model_label: str, resolve: Resolver) -> None:
    """A stock document's resolver (stock registers its own here; upper apps use the AppConfig hook)."""
    _LOCAL[model_label.lower()] = resolve


def resolvers() -> dict[str, Resolver]:
    found = dict(_LOCAL)
    for item in modules.collect("stock_move_origins"):
        found[item["model"].lower()] = item["resolve"]
    return found


def attach(moves: Iterable) -> list:
    """Set `move.origin_document` on each move: {"type", "id", "label", "url"} of the document it came from,
    or None (no origin, e.g. a manual adjustment or transfer). Returns the moves as a list."""
    moves = list(moves)
    by_type: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for move in moves:
        move.origin_document = None
        if move.origin_type_id and move.origin_id:
            by_type[move.origin_type_id].append((move.pk, move.origin_id))
    if not by_type:
        return moves
    known = resolvers()
    found: dict[int, dict] = {}
    for type_id, pairs in by_type.items():
        origin_type = ContentType.objects.get_for_id(type_id)  # cached by Django after the first read
        label = f"{origin_type.app_label}.{origin_type.model}"
        resolve = known.get(label)
        if resolve is not None:
            found.update(resolve(pairs))
        else:  # an app that describes none of its documents (or is switched off): the bare reference
            found.update({move_id: {"type": label, "id": origin_id, "label": f"{origin_type.name} #{origin_id}",
                                    "url": None} for move_id, origin_id in pairs})
    for move in moves:
        move.origin_document = found.get(move.pk)
    return moves


def _counts(pairs: list[tuple[int, int]]) -> dict[int, dict]:
    from tandem.stock.models import StockCount

    dates = dict(StockCount.objects.filter(pk__in={o for _m, o in pairs}).values_list("pk", "count_date"))
    return {move_id: {"type": "stock.stockcount", "id": count_id,
                      "label": f"{_('Stock count')} {date_format(dates[count_id], 'SHORT_DATE_FORMAT')}",
                      "url": reverse("stock:count-detail", args=[count_id])}
            for move_id, count_id in pairs if count_id in dates}


register("stock.stockcount", _counts)
