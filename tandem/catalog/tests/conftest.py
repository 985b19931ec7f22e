"""Fixtures of the catalogue tests: units, a product, an API client of a sales manager."""

import pytest

from tandem.catalog.tests.factories import ProductFactory, UnitFactory


@pytest.fixture
def pc(db):
    return UnitFactory(code="pc")


@pytest.fixture
def product(pc):
    return ProductFactory(sku="PUMP-1", name="Garden pump", unit=pc)


@pytest.fixture
def manager_api(api, sales_manager):
    return api(sales_manager)
