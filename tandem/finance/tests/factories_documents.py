"""Issued invoices built row by row (no invoicing service needed): for the document tests and the role matrix."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tandem.core.models import LegalEntityBankAccount
from tandem.core.money import quantize
from tandem.core.services import default_legal_entity
from tandem.finance.models import Invoice, InvoiceLine, TaxRate
from tandem.parties.models import Counterparty
from tandem.parties.tests.factories import ClientFactory

D = Decimal


def our_entity(**values):
    """Our default legal entity with what an EN 16931 invoice needs (VAT ID, country, address, IBAN)."""
    entity = default_legal_entity()
    details = {"name": "Tandem Demo GmbH", "tax_id": "DE123456789", "country": "DE",
               "registration_number": "HRB 12345", "registered_address": "Hauptstraße 1\n10115 Berlin"}
    details.update(values)
    for key, value in details.items():
        setattr(entity, key, value)
    entity.save()
    if not entity.bank_accounts.exists():
        LegalEntityBankAccount.objects.create(legal_entity=entity, bank_name="Demo Bank", iban="DE89370400440532013000",
                                              bic="COBADEFFXXX", currency="EUR")
    return entity


def tax_rate(kind=TaxRate.Kind.STANDARD, rate="19", note="", code=None) -> TaxRate:
    return TaxRate.objects.create(country="DE", code=code or f"{kind}-{rate}", name=f"{kind} {rate} %", kind=kind,
                                  rate=D(rate), valid_from=datetime.date(2020, 1, 1), legal_note=note)


def make_invoice(*, client=None, counterparty=None, lines=None, kind=Invoice.Kind.CUSTOMER_INVOICE,
                 number="INV-2026-0001", status=Invoice.Status.ISSUED, invoice_date=datetime.date(2026, 3, 2),
                 due_date=datetime.date(2026, 4, 1), currency="EUR", credited_invoice=None, company=None,
                 **values) -> Invoice:
    """An invoice with its lines: `lines` = [(description, quantity, unit_price, tax_percent, tax_kind, tax_rate,
    discount_percent)] (the last three optional); totals computed per line and rounded as the invoice would.
    `counterparty=False`: the invoice names none (the client's counterparty valid on its date is billed)."""
    company = company or our_entity()
    client = client or ClientFactory(name="Kunde AG")
    if counterparty is None:
        counterparty = Counterparty.objects.create(
            client=client, legal_name="Kunde AG", tax_id="DE987654321", country="DE",
            legal_address="Marktplatz 5\n80331 München", valid_from=datetime.date(2024, 1, 1))
    lines = lines if lines is not None else [("Consulting", "10", "120.00", "19"), ("Handbook", "3", "25.50", "7")]
    invoice = Invoice.objects.create(
        company=company, kind=kind, status=status, number=number, client=client,
        invoice_date=invoice_date, due_date=due_date, currency=currency, credited_invoice=credited_invoice,
        counterparty=counterparty or None,
        payment_terms=values.pop("payment_terms", "30 days net"), **values)
    net_total = tax_total = D(0)
    for position, row in enumerate(lines, start=1):
        description, quantity, unit_price, percent, *rest = row
        kind_, rate, discount = (rest + [TaxRate.Kind.STANDARD, None, "0"][len(rest):])[:3]
        net = quantize(D(quantity) * D(unit_price) * (1 - D(discount) / 100), currency)
        tax = quantize(net * D(percent) / 100, currency)
        InvoiceLine.objects.create(invoice=invoice, position=position, description=description, quantity=D(quantity),
                                   unit_price=D(unit_price), discount_percent=D(discount), tax_percent=D(percent),
                                   tax_kind=kind_, tax_rate=rate, net_amount=net, tax_amount=tax,
                                   gross_amount=net + tax)
        net_total += net
        tax_total += tax
    invoice.net_total, invoice.tax_total = net_total, tax_total
    invoice.total = invoice.amount_due = net_total + tax_total
    invoice.save(update_fields=["net_total", "tax_total", "total", "amount_due"])
    return invoice
