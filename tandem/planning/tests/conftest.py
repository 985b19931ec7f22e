"""Fixtures of the planning tests: a bicycle made of a frame (made of tubes) and bolts, the tubes and bolts
bought from a supplier with a minimum quantity and pack size, people of each role, and a sales order for
bicycles confirmed short of stock."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tandem.catalog.models import Product
from tandem.core import roles
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.production.models import Bom, BomLine
from tandem.purchasing import services as purchasing
from tandem.sales.services import orders
from tandem.stock.tests.fixtures import *  # noqa: F403 (company, warehouse, shelf, piece)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def buyer(make_user):
    return make_user(roles.PURCHASING, username="buyer1")


@pytest.fixture
def maker(make_user):
    return make_user(roles.PRODUCTION, username="maker1")


@pytest.fixture
def bike(piece):
    return Product.objects.create(sku="BIKE", name="Bicycle", unit=piece)


@pytest.fixture
def frame(piece):
    return Product.objects.create(sku="FRAME", name="Frame", unit=piece)


@pytest.fixture
def tube(piece):
    return Product.objects.create(sku="TUBE", name="Tube", unit=piece)


@pytest.fixture
def bolt(piece):
    return Product.objects.create(sku="BOLT", name="Bolt", unit=piece)


def make_bom(product, lines, quantity=1):
    bom = Bom.objects.create(product=product, code="v1", quantity=D(quantity), valid_from=datetime.date(2020, 1, 1))
    for position, (component, per, *scrap) in enumerate(lines, start=1):
        BomLine.objects.create(bom=bom, position=position, component=component, quantity=D(per),
                               scrap_percent=D(scrap[0]) if scrap else D(0))
    return bom


@pytest.fixture
def boms(bike, frame, tube, bolt):
    """A bicycle: 1 frame and 4 bolts; a frame: 3 tubes."""
    return make_bom(bike, [(frame, 1), (bolt, 4)]), make_bom(frame, [(tube, 3)])


@pytest.fixture
def supplier(buyer, company):
    client = ClientFactory(name="Rohr GmbH")
    counterparty = CounterpartyFactory(client=client, legal_name="Rohr GmbH", valid_from=datetime.date(2024, 1, 1))
    return purchasing.create_supplier(counterparty=counterparty, currency="EUR", lead_time_days=10, by=buyer)


@pytest.fixture
def prices(supplier, tube, bolt, buyer):
    """Tubes: at least 10, in packs of 5, 10 days; bolts: packs of 100, 5 days."""
    return (purchasing.add_supplier_price(supplier=supplier, product=tube, unit_price=D("7.50"), by=buyer,
                                          min_quantity=D(10), pack_size=D(5), lead_time_days=10, is_preferred=True),
            purchasing.add_supplier_price(supplier=supplier, product=bolt, unit_price=D("0.10"), by=buyer,
                                          pack_size=D(100), lead_time_days=5, is_preferred=True))


@pytest.fixture
def customer(sales_rep):
    client = ClientFactory(name="Velo Shop", owner=sales_rep)
    CounterpartyFactory(client=client, legal_name="Velo Shop", valid_from=datetime.date(2024, 1, 1))
    return client


@pytest.fixture
def sell(customer, sales_manager, warehouse, shelf, settings, today):
    """A confirmed sales order for `quantity` of a product, wanted in `days` days (short of stock allowed)."""
    settings.SALES_ALLOW_CONFIRM_WITH_SHORTAGE = True

    def sell(product, quantity, days=30):
        order = orders.create_order(by=sales_manager, client=customer, warehouse=warehouse, order_date=today,
                                    requested_date=today + datetime.timedelta(days=days),
                                    lines=[{"product": product, "quantity": D(quantity), "unit_price": D("500")}])
        return orders.confirm_order(order, by=sales_manager)

    return sell


@pytest.fixture
def world(boms, prices, bike, frame, tube, bolt, warehouse):
    return {"bike": bike, "frame": frame, "tube": tube, "bolt": bolt, "warehouse": warehouse}
