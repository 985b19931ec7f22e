"""Stock fixtures: our company, a Main warehouse with bins and a Second one, products tracked and not."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.stock import queries, services
from tandem.stock.models import Location, Warehouse


@dataclass
class Stockroom:
    company: LegalEntity
    main: Warehouse
    second: Warehouse
    main_stock: Location
    bin_a: Location
    bin_b: Location
    second_stock: Location
    bolt: Product
    milk: Product  # lot-tracked, with expiry
    drill: Product  # serial-tracked


def build_stockroom() -> Stockroom:
    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Our company", base_currency="EUR", is_default=True)
    main = services.create_warehouse(company=company, code="MAIN", name="Main", by=None)
    second = services.create_warehouse(company=company, code="SECOND", name="Second", by=None)
    bin_a = services.create_location(warehouse=main, code="A1", name="Aisle A shelf 1", by=None)
    bin_b = services.create_location(warehouse=main, code="B1", name="Aisle B shelf 1", by=None)
    piece = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    litre = Unit.objects.get_or_create(code="l", defaults={"name": "litre", "step": Decimal("0.001")})[0]
    bolt = Product.objects.create(sku="BOLT-8", name="Bolt M8", unit=piece)
    milk = Product.objects.create(sku="MILK-1", name="Milk 1 l", unit=litre, tracking=Product.Tracking.LOT)
    drill = Product.objects.create(sku="DRILL-X", name="Drill X", unit=piece, tracking=Product.Tracking.SERIAL)
    return Stockroom(company, main, second, queries.default_location(main), bin_a, bin_b,
                     queries.default_location(second), bolt, milk, drill)


@pytest.fixture
def room(db) -> Stockroom:
    return build_stockroom()


@pytest.fixture
def today():
    return datetime.date(2026, 12, 1)
