"""Reads of stock value: per product and warehouse at any date, a warehouse's stock at a date.

Each ValuationEntry holds its pool's running quantity and value after it, so the stock of a product in a
warehouse on a date is the last entry on or before that date: one seek in the (warehouse, product, date, move)
index. A warehouse's list is that seek once per product that ever had stock there (WarehouseStock rows),
in one SQL statement: its cost grows with the number of products, not with the number of moves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from tandem.stock.valuation.models import ValuationEntry

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockValue:
    product_id: int
    warehouse_id: int
    quantity: Decimal
    value: Decimal
    unit_cost: Decimal   # current unit cost (moving average or last FIFO layer) at that date


def value_at(product, warehouse, on_date: datetime.date) -> StockValue:
    """Quantity and value of a product in a warehouse at the end of `on_date`."""
    product_id, warehouse_id = getattr(product, "pk", product), getattr(warehouse, "pk", warehouse)
    row = (ValuationEntry.objects.filter(warehouse_id=warehouse_id, product_id=product_id,
                                         effective_date__lte=on_date)
           .order_by("-effective_date", "-move_id")
           .values_list("running_quantity", "running_value", "current_cost").first())
    quantity, value, cost = row or (ZERO, ZERO, ZERO)
    return StockValue(product_id, warehouse_id, quantity, value, cost)


def warehouse_value(warehouse, on_date: datetime.date, *, products=None) -> list[StockValue]:
    """Every product with an entry in the warehouse on or before `on_date` (or those in `products`), with
    its quantity and value at the end of that day; products whose quantity and value are both zero are left
    out. Ordered by product id."""
    from tandem.stock.models import WarehouseStock

    warehouse_id = getattr(warehouse, "pk", warehouse)
    last = (ValuationEntry.objects.filter(warehouse_id=warehouse_id, product_id=OuterRef("product_id"),
                                          effective_date__lte=on_date)
            .order_by("-effective_date", "-move_id").values("id")[:1])
    candidates = WarehouseStock.objects.filter(warehouse_id=warehouse_id)
    if products is not None:
        candidates = candidates.filter(product_id__in=[getattr(p, "pk", p) for p in products])
    ids = [pk for pk in candidates.annotate(entry=Subquery(last)).values_list("entry", flat=True) if pk]
    rows = (ValuationEntry.objects.filter(pk__in=ids).order_by("product_id")
            .values_list("product_id", "running_quantity", "running_value", "current_cost"))
    return [StockValue(product_id, warehouse_id, quantity, value, cost)
            for product_id, quantity, value, cost in rows if quantity or value]
