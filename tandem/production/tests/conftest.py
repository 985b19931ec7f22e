import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre
from tandem.stock.tests.fixtures import company, piece, shelf, warehouse  # noqa: F401  (fixtures)


@pytest.fixture
def table(piece):  # noqa: F811
    return Product.objects.create(sku="TABLE-1", name="Oak table", unit=piece)


@pytest.fixture
def leg(piece):  # noqa: F811
    return Product.objects.create(sku="LEG-1", name="Table leg", unit=piece)


@pytest.fixture
def top(piece):  # noqa: F811
    return Product.objects.create(sku="TOP-1", name="Oak table top", unit=piece)


@pytest.fixture
def assembly(company):  # noqa: F811
    return WorkCentre.objects.create(company=company, code="ASM", name="Assembly", hourly_cost=Decimal("30"))


@pytest.fixture
def table_bom(table, leg, top, assembly):
    """Two tables a run: 8 legs with 5 % scrap, 2 tops; 15 minutes set-up and 30 minutes a table."""
    bom = Bom.objects.create(product=table, code="v1", quantity=Decimal(2), valid_from=datetime.date(2026, 1, 1))
    BomLine.objects.create(bom=bom, position=1, component=leg, quantity=Decimal(8), scrap_percent=Decimal(5))
    BomLine.objects.create(bom=bom, position=2, component=top, quantity=Decimal(2))
    BomOperation.objects.create(bom=bom, sequence=10, name="Assemble", work_centre=assembly,
                                minutes_per_unit=Decimal(30), setup_minutes=Decimal(15))
    return bom


@pytest.fixture
def ledger(company, admin_user):  # noqa: F811
    """The generic chart (with work in progress 1220, production variances 5200, absorbed 5210) and 2026."""
    from tandem.finance import services as finance

    finance.install_chart_template(company, by=admin_user)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=admin_user)
    return company


def balance(entity, code: str) -> Decimal:
    """Debit − credit of an account of `entity`."""
    from tandem.finance.models import Account

    account = Account.objects.get(company=entity, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), Decimal(0))


def buy(product, quantity, unit_cost, location, lot=None, by=None):
    from tandem.stock.services import receive_stock

    return receive_stock(product=product, quantity=Decimal(str(quantity)), location=location, lot=lot,
                         unit_cost=Decimal(str(unit_cost)), effective_date=datetime.date(2026, 12, 1), by=by)


@pytest.fixture
def producer(make_user):
    from tandem.core import roles

    return make_user(roles.PRODUCTION, username="producer1")
