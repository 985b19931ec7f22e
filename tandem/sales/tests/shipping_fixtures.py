"""Fixtures of the shipment and return tests (imported by those test modules): a storekeeper (Warehouse
role), a quarantine location, a lot-tracked product, and a confirmed order made in one call."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.catalog.models import Product
from tandem.core import roles
from tandem.sales.services import orders
from tandem.stock.models import Location, Lot

__all__ = ["storekeeper", "quarantine", "valve", "serum", "serum_lots", "make_order"]

ORDER_DATE = datetime.date(2026, 3, 2)


@pytest.fixture
def storekeeper(make_user):
    return make_user(roles.WAREHOUSE, username="store1")


@pytest.fixture
def quarantine(warehouse):
    return Location.objects.create(warehouse=warehouse, code="Q", name="Quarantine", kind=Location.Kind.QUARANTINE)


@pytest.fixture
def valve(piece):
    return Product.objects.create(sku="VALVE-1", name="Valve V1", unit=piece)


@pytest.fixture
def serum(piece):
    return Product.objects.create(sku="SERUM-1", name="Serum S1", unit=piece, tracking=Product.Tracking.LOT)


@pytest.fixture
def serum_lots(serum, shelf):
    from tandem.stock import services as stock_services
    from tandem.stock.models import StockMove

    early = Lot.objects.create(product=serum, code="L-EARLY", expiry_date=datetime.date(2027, 1, 31))
    late = Lot.objects.create(product=serum, code="L-LATE", expiry_date=datetime.date(2027, 6, 30))
    for lot in (late, early):
        stock_services.record_move(product=serum, quantity=D(5), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                                   lot=lot, effective_date=datetime.date(2026, 1, 5), unit_cost=D("4"), by=None)
    return early, late


@pytest.fixture
def make_order(stocked, sales_manager, client_of_rep, warehouse):
    """make_order([(product, quantity), ...]) -> a confirmed order of the representative's client."""

    def make(items, *, by=None, confirm=True):
        order = orders.create_order(by=by or sales_manager, client=client_of_rep, order_date=ORDER_DATE,
                                    warehouse=warehouse, lines=[
                                        {"product": product, "quantity": D(quantity), "unit_price": D("25")}
                                        for product, quantity in items])
        return orders.confirm_order(order, by=by or sales_manager) if confirm else order

    return make
