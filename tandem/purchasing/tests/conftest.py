"""Fixtures of the purchasing tests: our legal entity with a warehouse and a shelf, goods (one tracked by lot),
a supplier with prices, a buyer, a manager who approves and a warehouse worker who receives."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.core import roles
from tandem.core.tests.factories import UserFactory
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import services
from tandem.stock.tests.fixtures import *  # noqa: F403 (company, warehouse, shelf, piece)

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def pump(piece):
    return Product.objects.create(sku="PUMP-1", name="Pump P1", unit=piece)


@pytest.fixture
def seal(piece):
    return Product.objects.create(sku="SEAL-LOT", name="Seal kit", unit=piece, tracking="lot")


@pytest.fixture
def buyer(db):
    return UserFactory(username="buyer", role=roles.PURCHASING)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=roles.SALES_MANAGER)


@pytest.fixture
def storeman(db):
    return UserFactory(username="storeman", role=roles.WAREHOUSE)


@pytest.fixture
def supplier(buyer, company):
    client = ClientFactory(name="Pumpenwerk AG")
    counterparty = CounterpartyFactory(client=client, legal_name="Pumpenwerk AG", valid_from=datetime.date(2024, 1, 1))
    return services.create_supplier(counterparty=counterparty, currency="EUR", lead_time_days=10, by=buyer)


@pytest.fixture
def pump_price(supplier, pump, buyer):
    return services.add_supplier_price(supplier=supplier, product=pump, unit_price=Decimal("40"), by=buyer,
                                       is_preferred=True)


@pytest.fixture
def order_of(buyer, supplier, warehouse, shelf, pump_price):
    def make(product, quantity, unit_price=None, **kwargs):
        line = {"product": product, "quantity": Decimal(quantity)}
        if unit_price is not None:
            line["unit_price"] = Decimal(unit_price)
        return services.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=TODAY,
                                              expected_date=TODAY + datetime.timedelta(days=10), lines=[line],
                                              by=buyer, **kwargs)

    return make
