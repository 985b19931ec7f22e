"""The purchase orders receipts come from, for stock's move lists (the `stock_move_origins` hook; a receipt
move's origin is the purchase order line). One query for a whole page of moves."""

from __future__ import annotations

from django.urls import reverse

from tandem.purchasing.models import PurchaseOrderLine


def _orders(pairs: list[tuple[int, int]]) -> dict[int, dict]:
    orders = {pk: (order_id, number) for pk, order_id, number in PurchaseOrderLine.objects.filter(
        pk__in={o for _m, o in pairs}).values_list("pk", "order_id", "order__number")}
    return {move_id: {"type": "purchasing.purchaseorder", "id": orders[line_id][0], "label": orders[line_id][1],
                      "url": reverse("purchasing:order-detail", args=[orders[line_id][0]])}
            for move_id, line_id in pairs if line_id in orders}


def stock_move_origins() -> list[dict]:
    return [{"model": "purchasing.purchaseorderline", "resolve": _orders}]
