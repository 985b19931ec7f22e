"""Fixtures of the invoice tests: the ledger of finance's conftest in Poland (base PLN... kept EUR for the
chart), a client with a counterparty owned by a representative, a taxed product."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory


@pytest.fixture
def polish_ledger(ledger):
    ledger.country = "PL"
    ledger.save(update_fields=["country"])
    return ledger


@pytest.fixture
def billed_client(sales_rep):
    client = ClientFactory(name="Acme Pumps sp. z o.o.", owner=sales_rep)
    CounterpartyFactory(client=client, legal_name="Acme Pumps sp. z o.o.", valid_from=datetime.date(2024, 1, 1))
    return client


@pytest.fixture
def standard_vat(db):
    return TaxCategory.objects.create(name="Standard 23 %", rate=Decimal(23))


@pytest.fixture
def widget(db, standard_vat):
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    return Product.objects.create(sku="W-1", name="Widget", unit=unit, tax_category=standard_vat)


def line(quantity, price, **extra):
    return {"description": extra.pop("description", "Widget"), "quantity": Decimal(str(quantity)),
            "unit_price": Decimal(str(price)), **extra}
