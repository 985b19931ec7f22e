"""Fixtures shared by the tests of the apps that move goods (sales, purchasing): our legal entity, its main
warehouse with a default shelf, and the piece unit. A conftest imports the ones it uses."""

import pytest

from tandem.catalog.models import Unit
from tandem.core.models import LegalEntity
from tandem.stock.models import Location, Warehouse


@pytest.fixture
def company(db):
    return LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True,
                                      country="DE", registered_address="Hauptstr. 1, 10115 Berlin")


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")


@pytest.fixture
def shelf(warehouse):
    return Location.objects.create(warehouse=warehouse, code="A1", is_default=True)


@pytest.fixture
def piece(db):
    return Unit.objects.create(code="pc", name="piece")
