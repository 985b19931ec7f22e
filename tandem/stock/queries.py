"""Reads of stock shared by the UI and the API."""

from decimal import Decimal

from tandem.stock.models import WarehouseStock


def available(product, warehouse) -> Decimal:
    """On hand minus reserved of a product in a warehouse: one indexed row read."""
    row = WarehouseStock.objects.filter(product=product, warehouse=warehouse).only("on_hand", "reserved").first()
    return row.available if row else Decimal(0)
