"""The purchasing demo: suppliers, prices and orders in various states, once."""

import pytest

from tandem.purchasing.demo import build_purchasing_demo
from tandem.purchasing.models import LandedCost, PurchaseOrder, SupplierPrice

pytestmark = pytest.mark.django_db


def test_demo_makes_suppliers_prices_and_orders_once(admin_user, sales_manager, company, warehouse, shelf, pump, seal):
    from tandem.catalog.models import Product

    Product.objects.create(sku="VALVE-1", name="Valve", unit=pump.unit)
    lines = build_purchasing_demo(seed=1)
    assert lines and "purchase orders" in lines[0]
    assert SupplierPrice.objects.filter(is_preferred=True).exists()
    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert {"rfq", "draft", "approved", "partly_received", "received"} <= statuses
    # Received orders carry the carrier's freight, allocated to their receipts (their goods cost more).
    assert "allocated" in set(LandedCost.objects.values_list("status", flat=True))
    allocated = LandedCost.objects.filter(status="allocated").first()
    assert sum(line.amount for line in allocated.lines.all()) == allocated.amount
    assert build_purchasing_demo(seed=1) == []
