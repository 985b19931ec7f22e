"""Open invoices and payments as rows (issuing and payments are other services): enough for receivables."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from tandem.core.services import default_legal_entity
from tandem.finance.models import Account, Invoice, Journal, Payment, PaymentAccount

_numbers = itertools.count(1)


def open_invoice(client, *, amount="100.00", due: datetime.date, currency: str = "EUR", rate="1",
                 kind=Invoice.Kind.CUSTOMER_INVOICE, status=Invoice.Status.ISSUED, company=None, counterparty=None,
                 owner=None, amount_due=None, invoice_date: datetime.date | None = None) -> Invoice:
    company = company or default_legal_entity()
    invoice_date = invoice_date or min(due, due - datetime.timedelta(days=14))
    number = next(_numbers)
    return Invoice.objects.create(
        company=company, kind=kind, status=status, number=f"INV-T-{number:06d}", sequence_number=number,
        client=client, counterparty=counterparty, owner=owner, invoice_date=invoice_date, due_date=due,
        currency=currency, rate=Decimal(rate), total=Decimal(amount),
        amount_due=Decimal(amount if amount_due is None else amount_due))


def payment_account(company=None) -> PaymentAccount:
    company = company or default_legal_entity()
    existing = PaymentAccount.objects.filter(company=company, name="Test bank").first()
    if existing:
        return existing
    account = Account.objects.filter(company=company).first() or Account.objects.create(
        company=company, code="1010", name="Bank", type="asset")
    journal = Journal.objects.filter(company=company).first() or Journal.objects.create(
        company=company, code="BNK", name="Bank", kind="bank")
    return PaymentAccount.objects.create(company=company, name="Test bank", currency=company.base_currency,
                                         account=account, journal=journal)


def incoming_payment(client, *, amount="50.00", unallocated="0", date: datetime.date, currency="EUR", rate="1",
                     direction=Payment.Direction.INCOMING, account=None) -> Payment:
    account = account or payment_account()
    return Payment.objects.create(company=account.company, direction=direction, payment_account=account, date=date,
                                  amount=Decimal(amount), currency=currency, rate=Decimal(rate), client=client,
                                  unallocated_amount=Decimal(unallocated))
