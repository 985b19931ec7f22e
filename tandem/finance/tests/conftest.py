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
    from decimal import Decimal

    from tandem.core.money import quantize
    from tandem.finance.models import Invoice

    counter = {"n": 0}

    def make(total="1190.00", *, currency="EUR", rate="1", number="", kind=Invoice.Kind.CUSTOMER_INVOICE,
             invoice_date=datetime.date(2026, 3, 2), counterparty=None, tax="190.00"):
        counterparty = counterparty or payer
        counter["n"] += 1
        total, rate = Decimal(total), Decimal(rate)
        customer = kind == Invoice.Kind.CUSTOMER_INVOICE
        invoice = Invoice.objects.create(
            company=ledger, kind=kind, status=Invoice.Status.ISSUED,
            number=number or f"{'INV' if customer else 'BILL'}-2026-{counter['n']:04d}",
            client=counterparty.client, counterparty=counterparty, invoice_date=invoice_date,
            due_date=invoice_date + datetime.timedelta(days=14), currency=currency, rate=rate,
            net_total=total - Decimal(tax), tax_total=Decimal(tax), total=total, amount_due=total)
        base = quantize(total * rate, ledger.base_currency)
        fx = {"currency": currency, "amount_currency": total, "rate": rate} if currency != ledger.base_currency else {}
        own = {"client": counterparty.client, "counterparty": counterparty}
        code, other, journal_code = ("1100", "4000", "SAL") if customer else ("2000", "6200", "PUR")
        lines = [{"account": Account.objects.get(company=ledger, code=code), "debit" if customer else "credit": base,
                  **fx, **own},
                 {"account": Account.objects.get(company=ledger, code=other), "credit" if customer else "debit": base,
                  **fx}]
        entry = services.post_entry(company=ledger, journal=Journal.objects.get(company=ledger, code=journal_code),
                                    date=invoice_date, lines=lines, memo=str(invoice), origin=invoice, by=accountant)
        Invoice.objects.filter(pk=invoice.pk).update(entry=entry)
        invoice.entry = entry
        return invoice

    return make
