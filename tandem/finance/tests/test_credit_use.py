"""Credit notes as a source of settlement (applied to another open invoice of the client, refunded by an
outgoing payment) and reminder fees charged as invoices of their own; after each, the receivable control
account still equals the sum of the open customer balances."""

import datetime
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.money import quantize
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, DunningReminder, EntryLine, Invoice, Payment
from tandem.finance.receivables import services as receivables
from tandem.finance.tests.invoice_fixtures import *  # noqa: F403
from tandem.finance.tests.invoice_fixtures import line
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

DAY = datetime.date(2026, 3, 10)


def receivable_ties(company) -> bool:
    """The receivable accounts' balance = open customer invoices − credit left on customer credit notes −
    unallocated incoming payments (in the base currency, each at its own rate)."""
    ledger = EntryLine.objects.filter(company=company, account__subtype=Account.Subtype.RECEIVABLE).aggregate(
        d=Sum("debit"), c=Sum("credit"))
    balance = (ledger["d"] or 0) - (ledger["c"] or 0)
    open_docs = Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES)

    def due(kind):  # at each document's own rate, as it posted
        return sum((quantize(d.amount_due * d.rate, "EUR") for d in open_docs.filter(kind=kind)), D(0))

    credit = Payment.objects.filter(company=company, direction="in", status="posted").aggregate(
        s=Sum("unallocated_amount"))["s"] or 0
    expected = due(Invoice.Kind.CUSTOMER_INVOICE) - due(Invoice.Kind.CUSTOMER_CREDIT_NOTE) - credit
    assert balance == expected, (balance, expected)
    return True


def issue(by, client, total_net, day=DAY, **kwargs):
    invoice = services.create_invoice(by=by, client=client, invoice_date=day, lines=[line(1, total_net,
                                                                                          tax_percent=23)], **kwargs)
    return services.issue_invoice(invoice, by=by)


@pytest.fixture
def credit_left(ledger, accountant, billed_client, bank_account):
    """INV A (123.00) paid in full, then credited: the credit note's 123.00 is left to use. INV B owes 246.00."""
    first = issue(accountant, billed_client, 100)
    banking.register_payment(ledger, direction="in", payment_account=bank_account, date=DAY, amount=D("123.00"),
                             client=billed_client, allocations=[(first, D("123.00"))], by=accountant)
    note = services.create_credit_note(first, by=accountant, invoice_date=DAY)
    second = issue(accountant, billed_client, 200)
    return note, second


def test_a_credit_note_applies_to_another_invoice_and_is_paid_when_used_up(credit_left, ledger, accountant):
    note, invoice = credit_left
    assert (note.status, note.amount_due) == (Invoice.Status.ISSUED, D("123.00"))
    banking.apply_credit_note(note, invoice, D("100.00"), by=accountant)
    note.refresh_from_db()
    invoice.refresh_from_db()
    assert (note.amount_due, note.status) == (D("23.00"), Invoice.Status.PARTLY_PAID)
    assert (invoice.amount_due, invoice.status) == (D("146.00"), Invoice.Status.PARTLY_PAID)
    assert receivable_ties(ledger)
    with pytest.raises(ConflictError) as refused:
        banking.apply_credit_note(note, invoice, D("23.01"), by=accountant)
    assert (refused.value.code, refused.value.field) == ("over_allocation", "amount")
    banking.apply_credit_note(note, invoice, D("23.00"), by=accountant)
    note.refresh_from_db()
    assert (note.amount_due, note.status) == (D("0.00"), Invoice.Status.PAID)
    assert note.credit_allocations.count() == 2
    with pytest.raises(ConflictError) as used:
        banking.apply_credit_note(note, invoice, D("1.00"), by=accountant)
    assert used.value.code == "credit_used"
    assert receivable_ties(ledger)


def test_no_more_than_the_invoice_owes_and_only_the_same_client_and_currency(credit_left, ledger, accountant):
    note, invoice = credit_left
    small = issue(accountant, invoice.client, 10)  # 12.30 owed
    with pytest.raises(ConflictError) as refused:
        banking.apply_credit_note(note, small, D("20.00"), by=accountant)
    assert refused.value.field == "amount"
    other = ClientFactory(name="Someone else")
    CounterpartyFactory(client=other, valid_from=datetime.date(2024, 1, 1))
    theirs = issue(accountant, other, 10)
    with pytest.raises(BusinessRuleError) as mismatch:
        banking.apply_credit_note(note, theirs, D("1.00"), by=accountant)
    assert (mismatch.value.code, mismatch.value.field) == ("client_mismatch", "invoice_id")
    dollars = issue(accountant, invoice.client, 10, currency="USD", rate=D("0.9"))
    with pytest.raises(BusinessRuleError) as currency:
        banking.apply_credit_note(note, dollars, D("1.00"), by=accountant)
    assert currency.value.code == "currency_mismatch"
    with pytest.raises(BusinessRuleError):
        banking.apply_credit_note(invoice, small, D("1.00"), by=accountant)  # an invoice is no credit note
    note.refresh_from_db()
    assert note.amount_due == D("123.00")
    assert receivable_ties(ledger)


def test_a_refund_is_an_outgoing_payment_allocated_to_the_credit_note(credit_left, ledger, accountant, bank_account):
    note, _invoice = credit_left
    refund = banking.register_payment(ledger, direction="out", payment_account=bank_account, date=DAY,
                                      amount=D("123.00"), client=note.client, allocations=[(note, D("123.00"))],
                                      by=accountant)
    note.refresh_from_db()
    assert (note.amount_due, note.status) == (D("0.00"), Invoice.Status.PAID)
    lines = {(line.account.code, line.debit, line.credit) for line in refund.entry.lines.select_related("account")}
    assert lines == {("1100", D("123.00"), D("0")), (bank_account.account.code, D("0"), D("123.00"))}
    assert receivable_ties(ledger)
    with pytest.raises(ConflictError):
        banking.register_payment(ledger, direction="out", payment_account=bank_account, date=DAY, amount=D("1.00"),
                                 client=note.client, allocations=[(note, D("1.00"))], by=accountant)
    banking.reverse_payment(refund, by=accountant)
    note.refresh_from_db()
    assert (note.amount_due, note.status) == (D("123.00"), Invoice.Status.ISSUED)
    assert receivable_ties(ledger)


def test_an_outgoing_credit_allocated_later_moves_from_the_payable_to_the_receivable(credit_left, ledger, accountant,
                                                                                   bank_account):
    note, _invoice = credit_left
    paid_out = banking.register_payment(ledger, direction="out", payment_account=bank_account, date=DAY,
                                        amount=D("50.00"), client=note.client, by=accountant)
    allocation = banking.allocate_payment(paid_out, note, D("50.00"), by=accountant)
    assert allocation.entry_id != paid_out.entry_id
    note.refresh_from_db()
    assert note.amount_due == D("73.00")
    assert receivable_ties(ledger)


def test_api_and_page_apply_a_credit_note(credit_left, ledger, accountant, client):
    note, invoice = credit_left
    client.force_login(accountant)
    url = f"/api/v1/finance/invoices/{note.pk}/apply-credit"
    too_much = client.post(url, {"invoice_id": invoice.pk, "amount": "200.00"}, content_type="application/json")
    assert too_much.status_code == 409 and too_much.json()["field"] == "amount"
    done = client.post(url, {"invoice_id": invoice.pk, "amount": "23.00"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["amount_due"] == "100.00"
    page = client.get(f"/finance/invoices/{note.pk}/")
    html = page.content.decode()
    assert 'id="apply-credit-form"' in html and f'value="{invoice.pk}"' in html and 'data-action="refund"' in html
    refused = client.post(f"/finance/invoices/{note.pk}/apply-credit/", {"invoice": invoice.pk, "amount": "150"})
    assert refused.status_code == 409 and 'id="apply-error"' in refused.content.decode()
    applied = client.post(f"/finance/invoices/{note.pk}/apply-credit/", {"invoice": invoice.pk, "amount": ""})
    assert applied.status_code == 302
    note.refresh_from_db()
    assert note.status == Invoice.Status.PAID
    refund_form = client.get(f"/finance/payments/new/?invoice={note.pk}")
    assert refund_form.status_code == 200
    assert receivable_ties(ledger)


def test_a_refund_form_starts_outgoing_from_the_credit_note(credit_left, accountant, client):
    note, _invoice = credit_left
    client.force_login(accountant)
    html = client.get(f"/finance/payments/new/?invoice={note.pk}").content.decode()
    assert 'value="out" selected' in html or 'value="out" checked' in html
    assert f'name="allocate_{note.pk}"' in html


# --- Reminder fees --------------------------------------------------------------------------------------------

def test_a_sent_reminder_with_a_fee_charges_it_as_an_invoice_and_receivables_still_tie(ledger, accountant,
                                                                                        billed_client):
    late = issue(accountant, billed_client, 100, due_date=DAY + datetime.timedelta(days=14))
    receivables.create_dunning_level(ledger, by=accountant, days_overdue=7, name="Friendly", text="{number}")
    receivables.create_dunning_level(ledger, by=accountant, days_overdue=30, name="Second", text="{number}",
                                     fee="15")
    first = receivables.run_dunning(ledger, DAY + datetime.timedelta(days=25), by=accountant, send=True)
    assert [r.fee_invoice for r in first] == [None]  # no fee at the first level
    second = receivables.run_dunning(ledger, DAY + datetime.timedelta(days=50), by=accountant, send=True)
    reminder = DunningReminder.objects.get(pk=second[0].pk)
    fee = reminder.fee_invoice
    assert (fee.kind, fee.status, fee.total, fee.tax_total) == (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Status.ISSUED,
                                                                D("15.00"), D("0.00"))
    assert fee.client == late.client and fee.counterparty == late.counterparty
    assert fee.invoice_date == reminder.run_date
    posted = {(line.account.code, line.debit, line.credit) for line in fee.entry.lines.select_related("account")}
    assert posted == {("1100", D("15.00"), D("0")), ("4900", D("0"), D("15.00"))}
    assert receivable_ties(ledger)
    from tandem.core.audit import history_for

    sent = history_for(billed_client).filter(action="finance.reminder.sent").order_by("pk").last()
    assert sent.changes["fee_invoice"] == fee.number
    # sending again changes nothing: the reminder was sent once, the fee charged once
    assert receivables.send_reminders(second, by=accountant) == 0
    assert Invoice.objects.filter(client=billed_client, total=D("15.00")).count() == 1
