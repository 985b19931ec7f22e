"""Fixtures of the sales tests: our legal entity, a warehouse with a shelf, goods and a service, a
representative's client with a counterparty, and a deal of that client."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.crm.services import deals as deal_services
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory
from tandem.stock import services as stock_services
from tandem.stock.models import StockMove
from tandem.stock.tests.fixtures import *  # noqa: F403 (company, warehouse, shelf, piece)


@pytest.fixture
def kilogram(db):
    return Unit.objects.create(code="kg", name="kilogram", step=Decimal("0.001"))


@pytest.fixture
def pump(piece):
    return Product.objects.create(sku="PUMP-1", name="Pump P1", unit=piece)


@pytest.fixture
def installation(piece):
    return Product.objects.create(sku="SVC-INST", name="Installation", unit=piece, kind=Product.Kind.SERVICE)


@pytest.fixture
def receive(shelf):
    def receive(product, quantity, unit_cost="10"):
        return stock_services.record_move(product=product, quantity=Decimal(quantity), kind=StockMove.Kind.RECEIPT,
                                          to_location=shelf, effective_date=datetime.date(2026, 1, 5),
                                          unit_cost=Decimal(unit_cost), by=None)

    return receive


@pytest.fixture
def client_of_rep(sales_rep):
    return ClientFactory(name="Acme Pumps GmbH", owner=sales_rep)


@pytest.fixture
def counterparty(client_of_rep):
    return CounterpartyFactory(client=client_of_rep, legal_name="Acme Pumps GmbH",
                               valid_from=datetime.date(2024, 1, 1))


@pytest.fixture
def contact(client_of_rep):
    return ContactFactory(client=client_of_rep)


@pytest.fixture
def pipeline(admin_user):
    """A pipeline without stage rules (the default one needs checklist items before a win)."""
    return deal_services.create_pipeline(by=admin_user, name="Simple", is_default=True,
                                         stages=[{"name": "Offer"}, {"name": "Closing"}])


@pytest.fixture
def deal(pipeline, sales_rep, client_of_rep, counterparty, contact):
    return deal_services.create_deal(by=sales_rep, client=client_of_rep, title="Pumps for Acme", pipeline=pipeline,
                                     counterparty=counterparty, contact=contact, currency="EUR")


@pytest.fixture
def stocked(company, warehouse, shelf, pump, installation, counterparty):
    """Everything a quote needs."""
    return True


from tandem.sales.tests.shipping_fixtures import *  # noqa: E402, F403 (shipment and return fixtures)
