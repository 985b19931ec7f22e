"""The payments part of the demo: a bank account (and a cash box) for the demo legal entity and, when issued
invoices exist, a payment of the first one in full, part of the second, and a small imported statement whose
line for the third waits to be matched. Fast (a handful of rows), idempotent, and harmless without invoices."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tandem.core.models import User
from tandem.core.money import quantize
from tandem.core.services import default_legal_entity
from tandem.finance.banking import services, statements
from tandem.finance.models import Account, Invoice, Payment, PaymentAccount


def build_banking_demo(*, seed: int = 0, today: datetime.date | None = None) -> list[str]:
    admin = User.objects.filter(username="admin").first()
    company = default_legal_entity()
    if admin is None or not Account.objects.filter(company=company, subtype=Account.Subtype.BANK).exists():
        return []
    if PaymentAccount.objects.filter(company=company).exists():
        return []
    today = today or timezone.localdate()
    bank = services.create_payment_account(company, by=admin, name="Main bank account", currency=company.base_currency,
                                           iban="DE89370400440532013000")
    services.create_payment_account(company, by=admin, name="Petty cash", kind=PaymentAccount.Kind.CASH,
                                    currency=company.base_currency)
    invoices = list(Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES,
                                           kind=Invoice.Kind.CUSTOMER_INVOICE, currency=company.base_currency,
                                           invoice_date__lte=today).order_by("invoice_date", "pk")[:3])
    payments = 0
    for index, invoice in enumerate(invoices[:2]):
        amount = quantize(invoice.amount_due / (1 if index == 0 else 2), invoice.currency)
        if amount <= 0:
            continue
        services.register_payment(company, direction=Payment.Direction.INCOMING, payment_account=bank,
                                  date=min(today, invoice.invoice_date + datetime.timedelta(days=7 + seed % 5)),
                                  amount=amount, client=invoice.client, counterparty=invoice.counterparty,
                                  reference=invoice.number, allocations=[(invoice, amount)], by=admin)
        payments += 1
    rows = [f"{today.isoformat()},-12.50,Monthly account fee,Demo Bank"]
    if len(invoices) == 3:
        rows.append(f"{today.isoformat()},{invoices[2].amount_due:.2f},Payment {invoices[2].number},"
                    f"{invoices[2].client.name.replace(',', ' ')}")
    content = ("date,amount,reference,name\n" + "\n".join(rows) + "\n").encode()
    statements.import_statement(bank, content, by=admin, file_name="demo-statement.csv", format="csv",
                                csv_options={"mapping": {"date": "date", "amount": "amount", "reference": "reference",
                                                         "name": "name"}})
    return [f"Finance: a bank account and a cash box, {payments} payments and a bank statement of {len(rows)} "
            "lines to match."]
