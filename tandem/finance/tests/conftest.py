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
# `issued_invoice` makes customer invoices with the real services (create_invoice + issue_invoice). Supplier
# bills have no issuing service yet (purchasing bills them in #15): `_posted_supplier_bill` writes the bill row
# and posts its payable entry with post_entry, the way a bill service will.

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


def _posted_supplier_bill(company, *, by, counterparty, total, tax="0", currency="EUR", rate="1",
                          invoice_date=datetime.date(2026, 3, 2), sequence=1):
    from decimal import Decimal

    from tandem.core.money import quantize
    from tandem.finance.models import Invoice

    total, rate = Decimal(total), Decimal(rate)
    bill = Invoice.objects.create(
        company=company, kind=Invoice.Kind.SUPPLIER_BILL, status=Invoice.Status.ISSUED,
        number=f"BILL/{invoice_date.year}/{sequence:05d}", client=counterparty.client, counterparty=counterparty,
        invoice_date=invoice_date, due_date=invoice_date + datetime.timedelta(days=14), currency=currency,
        rate=rate, net_total=total - Decimal(tax), tax_total=Decimal(tax), total=total, amount_due=total)
    base = quantize(total * rate, company.base_currency)
    fx = {"currency": currency, "amount_currency": total, "rate": rate} if currency != company.base_currency else {}
    entry = services.post_entry(
        company=company, journal=Journal.objects.get(company=company, code="PUR"), date=invoice_date, memo=str(bill),
        origin=bill, by=by, lines=[
            {"account": Account.objects.get(company=company, code="2000"), "credit": base, **fx,
             "client": counterparty.client, "counterparty": counterparty},
            {"account": Account.objects.get(company=company, code="6200"), "debit": base, **fx}])
    Invoice.objects.filter(pk=bill.pk).update(entry=entry)
    bill.entry = entry
    return bill


@pytest.fixture
def issued_invoice(ledger, accountant, payer):
    """`issued_invoice("1190.00", tax="190.00", currency=..., rate=..., invoice_date=..., counterparty=...)`: an
    issued customer invoice (numbered INV/2026/00001, 00002, ...), or with `kind=SUPPLIER_BILL` a posted bill."""
    from tandem.finance.models import Invoice
    from tandem.finance.tests.invoice_fixtures import issue_customer_invoice

    counter = {"bills": 0}

    def make(total="1190.00", kind=Invoice.Kind.CUSTOMER_INVOICE, **kwargs):
        kwargs.setdefault("counterparty", payer)
        if kind == Invoice.Kind.SUPPLIER_BILL:
            counter["bills"] += 1
            return _posted_supplier_bill(ledger, by=accountant, total=total, sequence=counter["bills"], **kwargs)
        return issue_customer_invoice(ledger, by=accountant, total=total, **kwargs)

    return make
