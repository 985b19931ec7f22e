"""Stock changes only through moves; reservations never take more than is available."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core.errors import ConflictError
from tandem.core.models import LegalEntity
from tandem.stock import queries, services
from tandem.stock.models import Location, StockLevel, StockMove, Warehouse


@pytest.fixture
def setup(db):
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    product = Product.objects.create(sku="BOLT-8", name="Bolt M8", unit=Unit.objects.create(code="pc", name="piece"))
    return warehouse, shelf, product


def test_receive_reserve_ship_and_release(setup):
    warehouse, shelf, product = setup
    services.record_move(product=product, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                         effective_date=datetime.date(2026, 11, 1), unit_cost=Decimal("2.5"), by=None)
    order_line = Unit.objects.create(code="origin", name="order line stand-in")  # any row can be an origin
    services.reserve_stock(product=product, warehouse=warehouse, quantity=Decimal(7), origin=order_line, by=None)
    assert queries.available(product, warehouse) == Decimal(3)

    # Warehouse ships 7 reserved: on hand 3, nothing held any more.
    services.record_move(product=product, quantity=Decimal(7), kind=StockMove.Kind.SHIPMENT, from_location=shelf,
                         release_reserved=Decimal(7), origin=order_line, by=None)
    assert queries.available(product, warehouse) == Decimal(3)
    assert StockLevel.objects.get(product=product, location=shelf).on_hand == Decimal(3)

    # Four more cannot be held or shipped: only 3 are there.
    with pytest.raises(ConflictError) as refused:
        services.reserve_stock(product=product, warehouse=warehouse, quantity=Decimal(4), origin=order_line,
                               by=None)
    assert refused.value.code == "insufficient_stock" and refused.value.extra["available"] == "3.0000"
    with pytest.raises(ConflictError):
        services.record_move(product=product, quantity=Decimal(4), kind=StockMove.Kind.SHIPMENT,
                             from_location=shelf, by=None)
    assert StockMove.objects.count() == 2

    services.reserve_stock(product=product, warehouse=warehouse, quantity=Decimal(2), origin=order_line, by=None)
    assert services.release_reservations(origin=order_line, by=None) == Decimal(2)
    assert queries.available(product, warehouse) == Decimal(3)
