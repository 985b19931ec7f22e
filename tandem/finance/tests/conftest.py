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


# --- Payments and bank statements (finance.banking) ------------------------------------------------------------
# `issued_invoice` stands in for finance invoice issuing (built elsewhere): an Invoice row, status issued, and
# its receivable (or payable) entry posted with post_entry. Swap it for the real service once both are merged.

@pytest.fixture
def bank_account(ledger, accountant):
    from tandem.finance.banking import services as banking

    return banking.create_payment_account(ledger, by=accountant, name="Main bank", currency="EUR",
                                          iban="DE89 3704 0044 0532 0130 00")


@pytest.fixture
def payer(db):
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

    client = ClientFactory(name="Acme Trading")
    counterparty = CounterpartyFactory(client=client, legal_name="Acme Trading GmbH")
    return counterparty


@pytest.fixture
def issued_invoice(ledger, accountant, payer):
    from tandem.finance.tests.invoice_stub import make_issued_invoice

    counter = {"n": 0}

    def make(total="1190.00", **kwargs):
        counter["n"] += 1
        kwargs.setdefault("counterparty", payer)
        return make_issued_invoice(ledger, by=accountant, total=total, sequence=counter["n"], **kwargs)

    return make
