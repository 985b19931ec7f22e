"""A stand-in for finance invoice issuing (built in parallel elsewhere) in payment tests: an Invoice row with
status issued and its receivable (customer) or payable (supplier bill) entry posted with post_entry, the client
on that line. Swap it for the real issue_invoice once both are merged."""

import datetime
from decimal import Decimal

from tandem.core.money import quantize
from tandem.finance import services
from tandem.finance.models import Account, Invoice, Journal


def make_issued_invoice(company, *, by, counterparty, total="1190.00", currency="EUR", rate="1", number="",
                        kind=Invoice.Kind.CUSTOMER_INVOICE, invoice_date=datetime.date(2026, 3, 2), tax="190.00",
                        sequence=1) -> Invoice:
    total, rate = Decimal(total), Decimal(rate)
    customer = kind == Invoice.Kind.CUSTOMER_INVOICE
    invoice = Invoice.objects.create(
        company=company, kind=kind, status=Invoice.Status.ISSUED,
        number=number or f"{'INV' if customer else 'BILL'}-{invoice_date.year}-{sequence:04d}",
        client=counterparty.client, counterparty=counterparty, invoice_date=invoice_date,
        due_date=invoice_date + datetime.timedelta(days=14), currency=currency, rate=rate,
        net_total=total - Decimal(tax), tax_total=Decimal(tax), total=total, amount_due=total)
    base = quantize(total * rate, company.base_currency)
    fx = {"currency": currency, "amount_currency": total, "rate": rate} if currency != company.base_currency else {}
    own = {"client": counterparty.client, "counterparty": counterparty}
    code, other, journal_code = ("1100", "4000", "SAL") if customer else ("2000", "6200", "PUR")
    lines = [{"account": Account.objects.get(company=company, code=code), "debit" if customer else "credit": base,
              **fx, **own},
             {"account": Account.objects.get(company=company, code=other), "credit" if customer else "debit": base,
              **fx}]
    entry = services.post_entry(company=company, journal=Journal.objects.get(company=company, code=journal_code),
                                date=invoice_date, lines=lines, memo=str(invoice), origin=invoice, by=by)
    Invoice.objects.filter(pk=invoice.pk).update(entry=entry)
    invoice.entry = entry
    return invoice
