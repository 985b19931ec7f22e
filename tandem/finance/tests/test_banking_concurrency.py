"""Fifty payments against one invoice at the same moment (PostgreSQL, real parallel connections): the invoice's
row lock queues them, so the allocations never add up to more than the invoice's total and its amount due never
goes below zero; the payments that came too late are refused (409 over_allocation) and leave nothing behind."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.core.errors import ConflictError
from tandem.core.services import default_legal_entity
from tandem.core.tests.parallel import run_in_parallel
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, Entry, Invoice, Journal, Payment, PaymentAllocation
from tandem.parties.tests.factories import CounterpartyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_parallel_payments_never_over_allocate_one_invoice(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="acc")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    bank = banking.create_payment_account(company, by=accountant, name="Bank")
    payer = CounterpartyFactory()
    total = Decimal("1000.00")
    invoice = Invoice.objects.create(company=company, status=Invoice.Status.ISSUED, number="INV-RACE-1",
                                     client=payer.client, counterparty=payer, invoice_date=datetime.date(2026, 3, 1),
                                     due_date=datetime.date(2026, 3, 15), currency="EUR", total=total,
                                     amount_due=total)
    services.post_entry(company=company, journal=Journal.objects.get(company=company, code="SAL"),
                        date=invoice.invoice_date, by=accountant, origin=invoice, lines=[
                            {"account": Account.objects.get(company=company, code="1100"), "debit": total,
                             "client": payer.client},
                            {"account": Account.objects.get(company=company, code="4000"), "credit": total}])

    def pay(index):
        amount = Decimal("30.00") + index  # 30..79: together far more than the 1000 owed
        return banking.register_payment(company, direction="in", payment_account=bank,
                                        date=datetime.date(2026, 3, 10), amount=amount, client=payer.client,
                                        allocations=[(invoice, amount)], by=accountant)

    outcomes = run_in_parallel(pay, 50)

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ConflictError)]
    assert not unexpected, unexpected
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert refused and {o.code for o in refused} == {"over_allocation"}
    invoice.refresh_from_db()
    allocated = sum(PaymentAllocation.objects.filter(invoice=invoice).values_list("amount", flat=True), Decimal(0))
    assert allocated <= total and invoice.amount_due >= 0
    assert invoice.amount_due == total - allocated
    assert invoice.status == ("paid" if invoice.amount_due == 0 else "partly_paid")
    accepted = [o for o in outcomes if isinstance(o, Payment)]
    assert Payment.objects.count() == len(accepted) == 50 - len(refused)
    assert Entry.objects.filter(journal__code="BNK").count() == len(accepted)
    numbers = sorted(Entry.objects.filter(journal__code="BNK").values_list("number", flat=True))
    assert numbers == list(range(1, len(accepted) + 1))  # refused payments gave their number back


def test_parallel_uses_of_one_credit_note_never_use_more_than_it_has(make_user):
    """Twenty applications of one credit note (to five invoices) and refunds at once: the rows locked in pk
    order queue them; the credit note's uses never exceed its total."""
    accountant = make_user(roles.ACCOUNTANT, username="acc-cn")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    bank = banking.create_payment_account(company, by=accountant, name="Bank")
    payer = CounterpartyFactory()
    day = datetime.date(2026, 3, 1)

    def document(kind, number, total):
        return Invoice.objects.create(company=company, kind=kind, status=Invoice.Status.ISSUED, number=number,
                                      client=payer.client, counterparty=payer, invoice_date=day, due_date=day,
                                      currency="EUR", total=Decimal(total), amount_due=Decimal(total))

    note = document(Invoice.Kind.CUSTOMER_CREDIT_NOTE, "CN-RACE", "100.00")
    invoices = [document(Invoice.Kind.CUSTOMER_INVOICE, f"INV-RACE-{i}", "60.00") for i in range(5)]

    def use(index):
        if index % 4 == 3:
            return banking.register_payment(company, direction="out", payment_account=bank, date=day,
                                            amount=Decimal("15.00"), client=payer.client,
                                            allocations=[(note, Decimal("15.00"))], by=accountant)
        return banking.apply_credit_note(note, invoices[index % 5], Decimal("15.00"), by=accountant)

    outcomes = run_in_parallel(use, 20)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ConflictError)]
    assert not unexpected, unexpected
    note.refresh_from_db()
    used = sum(PaymentAllocation.objects.filter(credit_note=note).values_list("amount", flat=True), Decimal(0))
    refunded = sum(PaymentAllocation.objects.filter(invoice=note).values_list("amount", flat=True), Decimal(0))
    assert used + refunded == Decimal("90.00")  # six uses of 15 fit in 100, the seventh does not
    assert note.amount_due == Decimal("10.00")
    for invoice in invoices:
        invoice.refresh_from_db()
        taken = sum(PaymentAllocation.objects.filter(invoice=invoice).values_list("amount", flat=True), Decimal(0))
        assert invoice.amount_due == Decimal("60.00") - taken
