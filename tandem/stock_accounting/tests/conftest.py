"""Stock accounting fixtures: our company with the generic chart and fiscal year 2026, two warehouses, a lamp."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity
from tandem.finance import services as finance
from tandem.finance.models import Account
from tandem.stock import queries, services
from tandem.stock.models import Location, Warehouse


@dataclass
class Books:
    company: LegalEntity
    main: Warehouse
    second: Warehouse
    main_stock: Location
    second_stock: Location
    lamp: Product

    def account(self, code: str) -> Account:
        return Account.objects.get(company=self.company, code=code)

    def balance(self, code: str, on_date=None) -> Decimal:
        """Debit − credit of an account (lines up to `on_date`)."""
        lines = self.account(code).lines.all()
        if on_date is not None:
            lines = lines.filter(date__lte=on_date)
        return sum((line.debit - line.credit for line in lines), Decimal(0))


def build_books(*, ledger: bool = True, by=None, method: str = "average") -> Books:
    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Our company", base_currency="EUR", is_default=True)
    if company.valuation_method != method:
        company.valuation_method = method
        company.save(update_fields=["valuation_method"])
    if ledger:
        finance.install_chart_template(company, by=by)
        finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=by)
    main = services.create_warehouse(company=company, code="MAIN", name="Main", by=None)
    second = services.create_warehouse(company=company, code="SECOND", name="Second", by=None)
    piece = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    lamp = Product.objects.create(sku="LAMP-01", name="Desk lamp", unit=piece)
    return Books(company, main, second, queries.default_location(main), queries.default_location(second), lamp)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="accountant1")


@pytest.fixture
def books(db, accountant) -> Books:
    return build_books(by=accountant)


@pytest.fixture
def bare(db) -> Books:
    """Stock without a ledger: no chart, no fiscal year."""
    return build_books(ledger=False)
