"""The production orders component issues and output receipts come from, for stock's move lists (the
`stock_move_origins` hook; the move's origin is the production order). One query for a whole page of moves."""

from __future__ import annotations

from django.urls import reverse

from tandem.production.models import ProductionOrder


def _orders(pairs: list[tuple[int, int]]) -> dict[int, dict]:
    numbers = dict(ProductionOrder.objects.filter(pk__in={o for _m, o in pairs}).values_list("pk", "number"))
    return {move_id: {"type": "production.productionorder", "id": order_id, "label": numbers[order_id],
                      "url": reverse("production:mo-detail", args=[order_id])}
            for move_id, order_id in pairs if order_id in numbers}


def stock_move_origins() -> list[dict]:
    return [{"model": "production.productionorder", "resolve": _orders}]
