"""The sales documents stock moves come from, for stock's move lists (the `stock_move_origins` hook): a
shipment's moves (origin: the order line; the shipment line holds the move) and a return's (origin: the
return line). One query per origin model for a whole page of moves."""

from __future__ import annotations

from django.urls import reverse

from tandem.sales.models import OrderLine, ReturnLine, ShipmentLine


def _shipments(pairs: list[tuple[int, int]]) -> dict[int, dict]:
    found = {}
    rows = ShipmentLine.objects.filter(stock_move_id__in=[m for m, _o in pairs]) \
        .values_list("stock_move_id", "shipment_id", "shipment__number")
    for move_id, shipment_id, number in rows:
        found[move_id] = {"type": "sales.shipment", "id": shipment_id, "label": number,
                          "url": reverse("sales:shipment-detail", args=[shipment_id])}
    left = [(m, o) for m, o in pairs if m not in found]
    if left:  # a move of an order line outside a shipment: the order itself
        orders = dict((pk, (order_id, number)) for pk, order_id, number in OrderLine.objects.filter(
            pk__in={o for _m, o in left}).values_list("pk", "order_id", "order__number"))
        for move_id, line_id in left:
            if line_id in orders:
                order_id, number = orders[line_id]
                found[move_id] = {"type": "sales.order", "id": order_id, "label": number,
                                  "url": reverse("sales:order-detail", args=[order_id])}
    return found


def _returns(pairs: list[tuple[int, int]]) -> dict[int, dict]:
    returns = {pk: (return_id, number) for pk, return_id, number in ReturnLine.objects.filter(
        pk__in={o for _m, o in pairs}).values_list("pk", "customer_return_id", "customer_return__number")}
    return {move_id: {"type": "sales.customerreturn", "id": returns[line_id][0], "label": returns[line_id][1],
                      "url": reverse("sales:return-detail", args=[returns[line_id][0]])}
            for move_id, line_id in pairs if line_id in returns}


def stock_move_origins() -> list[dict]:
    return [{"model": "sales.orderline", "resolve": _shipments}, {"model": "sales.returnline", "resolve": _returns}]
