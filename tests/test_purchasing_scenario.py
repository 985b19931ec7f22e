"""A business story of purchasing: a buyer orders 100 pumps above the approval threshold, the manager approves,
the order is sent (100 incoming), the warehouse receives 60 then 40; stock and incoming follow at each step."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.errors import AccessDenied
from tandem.core.models import LegalEntity
from tandem.core.tests.factories import UserFactory
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import services
from tandem.stock.models import ExpectedReceipt, Location, StockMove, Warehouse, WarehouseStock

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 1)


def test_buyer_orders_manager_approves_warehouse_receives_in_two_parts():
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    pump = Product.objects.create(sku="PUMP-1", name="Pump", unit=Unit.objects.create(code="pc", name="piece"))
    buyer = UserFactory(username="bea", role=roles.PURCHASING)
    manager = UserFactory(username="max", role=roles.SALES_MANAGER)
    storeman = UserFactory(username="walt", role=roles.WAREHOUSE)
    supplier = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG", valid_from=DAY), by=buyer)
    services.add_supplier_price(supplier=supplier, product=pump, unit_price=Decimal("80"), is_preferred=True,
                                by=buyer)

    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=DAY, by=buyer,
                                           expected_date=DAY + datetime.timedelta(days=14),
                                           lines=[{"product": pump, "quantity": Decimal(100)}])
    assert order.total == Decimal("8000.00")
    order = services.submit_purchase_order(order, by=buyer)
    assert order.status == "to_approve"
    with pytest.raises(AccessDenied):
        services.send_purchase_order(order, by=storeman)
    order = services.approve_purchase_order(order, by=manager)
    order = services.send_purchase_order(order, by=buyer)
    row = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    assert (row.on_hand, row.incoming) == (0, 100)

    line = order.lines.get()
    order = services.receive_purchase_order(order, lines=[(line, 60, None, None)], date=DAY + datetime.timedelta(10),
                                            by=storeman)
    row.refresh_from_db()
    assert order.status == "partly_received" and (row.on_hand, row.incoming) == (60, 40)
    assert ExpectedReceipt.objects.get(product=pump).expected_date == DAY + datetime.timedelta(days=14)

    order = services.receive_purchase_order(order, lines=[(line, 40, None, None)], date=DAY + datetime.timedelta(15),
                                            by=storeman)
    row.refresh_from_db()
    assert order.status == "received" and (row.on_hand, row.incoming) == (100, 0)
    assert sum(m.quantity * m.unit_cost for m in StockMove.objects.filter(product=pump)) == Decimal("8000")
    order = services.close_purchase_order(order, by=buyer)
    assert order.status == "closed"
