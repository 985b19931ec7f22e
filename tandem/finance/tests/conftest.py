import datetime

import pytest

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import services
from tandem.finance.models import Account, Journal


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="accountant1")


@pytest.fixture
def ledger(db, accountant):
    """Our default legal entity with the generic chart, its journals and the fiscal year 2026."""
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    return company


@pytest.fixture
def account(ledger):
    return lambda code: Account.objects.get(company=ledger, code=code)


@pytest.fixture
def journal(ledger):
    return lambda code="GEN": Journal.objects.get(company=ledger, code=code)
