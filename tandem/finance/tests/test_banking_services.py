"""Payments: partial and full settlement, the client's credit and its later allocation, refusals, realised
exchange gains and losses to the cent, unrealised revaluation (and its reversal the next day), reversal of a
payment; bank and cash accounts."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import ExchangeRate
from tandem.finance import queries
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, Entry, EntryLine, Invoice, Journal, Payment, PaymentAccount

D = Decimal
MARCH_10 = datetime.date(2026, 3, 10)


def _pay(ledger, accountant, bank_account, payer, amount, allocations=(), **kwargs):
    return banking.register_payment(ledger, direction=kwargs.pop("direction", "in"), payment_account=bank_account,
                                    date=kwargs.pop("date", MARCH_10), amount=amount, client=payer.client,
                                    counterparty=payer, reference=kwargs.pop("reference", "transfer"),
                                    allocations=allocations, by=accountant, **kwargs)


def _balance(ledger, code, date=datetime.date(2026, 12, 31)):
    report = queries.trial_balance(ledger, datetime.date(2026, 1, 1), date)
    return {r.account.code: r.closing for r in report.rows}.get(code, D(0))


def _usd_rate(rate, day=MARCH_10):
    # "1 USD = rate EUR": the payment's rate read from core exchange rates.
    ExchangeRate.objects.create(base_currency="USD", quote_currency="EUR", date=day, rate=D(rate))


@pytest.fixture
def usd_bank(ledger, accountant):
    return banking.create_payment_account(ledger, by=accountant, name="Dollar account", currency="USD")


def test_partial_then_full_payment_moves_the_invoice_to_partly_paid_then_paid(
        ledger, accountant, bank_account, payer, issued_invoice):
    invoice = issued_invoice("1190.00")
    first = _pay(ledger, accountant, bank_account, payer, "400.00", [(invoice, D("400.00"))])
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partly_paid", D("790.00"))
    assert first.number == "BNK/2026/0001" and first.unallocated_amount == 0
    assert first.entry.journal.code == "BNK"
    _pay(ledger, accountant, bank_account, payer, "790.00", [(invoice, D("790.00"))])
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D(0))
    assert _balance(ledger, "1100") == 0 and _balance(ledger, "1010") == D("1190.00")
    receivable_lines = EntryLine.objects.filter(account__code="1100", entry__journal__code="BNK")
    assert {line.client_id for line in receivable_lines} == {payer.client_id}


def test_overpayment_leaves_the_clients_credit_allocatable_later(
        ledger, accountant, bank_account, payer, issued_invoice):
    first, second = issued_invoice("100.00", tax="0"), issued_invoice("50.00", tax="0")
    payment = _pay(ledger, accountant, bank_account, payer, "180.00", [(first, D("100.00"))])
    assert payment.unallocated_amount == D("80.00")
    assert _balance(ledger, "1100") == D("-30.00")  # 150 owed, 180 received: a credit of 30 so far… and 50 open
    allocation = banking.allocate_payment(payment, second, D("50.00"), by=accountant)
    payment.refresh_from_db()
    second.refresh_from_db()
    assert payment.unallocated_amount == D("30.00") and second.status == "paid"
    assert allocation.entry_id == payment.entry_id  # same rate: nothing more to post
    with pytest.raises(ConflictError) as refused:
        banking.allocate_payment(payment, issued_invoice("100.00", tax="0"), D("40.00"), by=accountant)
    assert refused.value.code == "over_allocation"


def test_over_allocation_is_refused_naming_the_invoice_and_nothing_is_written(
        ledger, accountant, bank_account, payer, issued_invoice):
    invoice = issued_invoice("100.00", tax="0")
    with pytest.raises(ConflictError) as refused:
        _pay(ledger, accountant, bank_account, payer, "150.00", [(invoice, D("150.00"))])
    assert refused.value.code == "over_allocation" and invoice.number in refused.value.message
    assert refused.value.status_code == 409
    assert not Payment.objects.exists() and not Entry.objects.filter(journal__code="BNK").exists()
    with pytest.raises(BusinessRuleError) as too_much:
        _pay(ledger, accountant, bank_account, payer, "50.00", [(invoice, D("60.00"))])
    assert too_much.value.code == "allocation_exceeds_payment"
    # The same invoice twice in one payment counts once.
    with pytest.raises(ConflictError):
        _pay(ledger, accountant, bank_account, payer, "200.00", [(invoice, D("60.00")), (invoice, D("60.00"))])


def test_refusals_other_client_paid_invoice_and_permission(ledger, accountant, bank_account, payer, issued_invoice,
                                                           make_user):
    from tandem.parties.tests.factories import CounterpartyFactory

    stranger = CounterpartyFactory()
    invoice = issued_invoice("100.00", tax="0", counterparty=stranger)
    with pytest.raises(BusinessRuleError) as refused:
        _pay(ledger, accountant, bank_account, payer, "100.00", [(invoice, D("100.00"))])
    assert refused.value.code == "client_mismatch"
    with pytest.raises(BusinessRuleError) as bad:
        _pay(ledger, accountant, bank_account, payer, "10.001")
    assert (bad.value.code, bad.value.field) == ("too_many_decimals", "amount")
    with pytest.raises(AccessDenied):
        _pay(ledger, make_user(roles.SALES_MANAGER, username="m"), bank_account, payer, "10.00")
    own = issued_invoice("100.00", tax="0")
    _pay(ledger, accountant, bank_account, payer, "100.00", [(own, D("100.00"))])
    with pytest.raises(ConflictError) as closed:
        _pay(ledger, accountant, bank_account, payer, "1.00", [(own, D("1.00"))])
    assert closed.value.code == "invoice_not_open"


def test_realised_exchange_gain_to_the_cent(ledger, accountant, usd_bank, payer, issued_invoice):
    invoice = issued_invoice("333.33", currency="USD", rate="0.92", tax="0")  # receivable 306.66 EUR
    _usd_rate("0.9345")
    payment = _pay(ledger, accountant, usd_bank, payer, "333.33", [(invoice, D("333.33"))])
    assert payment.rate == D("0.934500")
    allocation = payment.allocations.get()
    assert allocation.exchange_difference == D("4.84")  # 311.50 received less 306.66 booked
    assert _balance(ledger, "1100") == 0
    assert _balance(ledger, "1010") == D("311.50")
    assert _balance(ledger, "7100") == D("-4.84")  # a credit: income
    lines = list(payment.entry.lines.order_by("id"))
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)
    assert sum(line.amount_currency for line in lines if line.currency == "USD") == 0


def test_realised_exchange_loss_on_a_partial_payment(ledger, accountant, usd_bank, payer, issued_invoice):
    invoice = issued_invoice("1000.00", currency="USD", rate="0.92", tax="0")
    _usd_rate("0.905")
    payment = _pay(ledger, accountant, usd_bank, payer, "600.00", [(invoice, D("400.00"))])
    allocation = payment.allocations.get()
    assert allocation.exchange_difference == D("-6.00")  # 362.00 received for 368.00 booked
    assert payment.unallocated_amount == D("200.00")
    assert _balance(ledger, "7100") == D("6.00")
    # Receivable: 920 booked − 368 settled − 181 credit (200 at 0.905).
    assert _balance(ledger, "1100") == D("371.00")


def test_later_allocation_at_another_rate_posts_only_the_difference(ledger, accountant, usd_bank, payer,
                                                                    issued_invoice):
    _usd_rate("0.95")
    payment = _pay(ledger, accountant, usd_bank, payer, "100.00")
    invoice = issued_invoice("100.00", currency="USD", rate="0.90", tax="0", invoice_date=datetime.date(2026, 3, 12))
    allocation = banking.allocate_payment(payment, invoice, D("100.00"), by=accountant)
    assert allocation.exchange_difference == D("5.00") and allocation.entry_id != payment.entry_id
    assert _balance(ledger, "1100") == 0 and _balance(ledger, "7100") == D("-5.00")


def test_outgoing_payment_settles_a_supplier_bill(ledger, accountant, bank_account, payer, issued_invoice):
    bill = issued_invoice("500.00", kind=Invoice.Kind.SUPPLIER_BILL, tax="0")
    _pay(ledger, accountant, bank_account, payer, "500.00", [(bill, D("500.00"))], direction="out")
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert _balance(ledger, "2000") == 0 and _balance(ledger, "1010") == D("-500.00")


def test_reversal_undoes_allocations_entries_and_statuses(ledger, accountant, usd_bank, payer, issued_invoice):
    invoice = issued_invoice("333.33", currency="USD", rate="0.92", tax="0")
    _usd_rate("0.9345")
    payment = _pay(ledger, accountant, usd_bank, payer, "333.33", [(invoice, D("333.33"))])
    banking.reverse_payment(payment, by=accountant)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "reversed" and payment.unallocated_amount == 0
    assert (invoice.status, invoice.amount_due) == ("issued", D("333.33"))
    assert payment.allocations.get().is_reversed
    assert payment.entry.status == "reversed"
    assert _balance(ledger, "1010") == 0 and _balance(ledger, "7100") == 0
    assert _balance(ledger, "1100") == D("306.66")
    with pytest.raises(ConflictError):
        banking.reverse_payment(payment, by=accountant)


def test_revaluation_posts_the_difference_and_reverses_it_the_next_day(ledger, accountant, payer, issued_invoice):
    receivable = issued_invoice("1000.00", currency="USD", rate="0.92", tax="0")
    bill = issued_invoice("200.00", currency="USD", rate="0.92", tax="0", kind=Invoice.Kind.SUPPLIER_BILL)
    issued_invoice("50.00", tax="0")  # in the base currency: not revalued
    _usd_rate("0.95", datetime.date(2026, 3, 31))
    entry, reversal = banking.revalue_open_items(ledger, datetime.date(2026, 3, 31), by=accountant)
    # Receivable up 30.00 (gain), payable up 6.00 (loss): net gain 24.00. (Receivables: 920 + 30 + the 50 EUR.)
    assert _balance(ledger, "1100", datetime.date(2026, 3, 31)) == D("1000.00")
    assert _balance(ledger, "2000", datetime.date(2026, 3, 31)) == D("-190.00")
    assert _balance(ledger, "7100", datetime.date(2026, 3, 31)) == D("-24.00")
    assert reversal.date == datetime.date(2026, 4, 1) and reversal.reversal_of_id == entry.pk
    assert _balance(ledger, "1100", datetime.date(2026, 4, 1)) == D("970.00")
    assert _balance(ledger, "7100", datetime.date(2026, 4, 1)) == 0
    with pytest.raises(ConflictError) as twice:
        banking.revalue_open_items(ledger, datetime.date(2026, 3, 31), by=accountant)
    assert twice.value.code == "already_revalued"
    receivable.refresh_from_db()
    bill.refresh_from_db()
    assert receivable.amount_due == D("1000.00")  # revaluation changes the books, not what is owed


def test_revaluation_with_nothing_open_posts_nothing(ledger, accountant):
    assert banking.revalue_open_items(ledger, datetime.date(2026, 3, 31), by=accountant) == (None, None)


def test_payment_accounts_default_to_the_charts_bank_or_cash_account_and_journal(ledger, accountant):
    bank = banking.create_payment_account(ledger, by=accountant, name="Bank 2", iban="de89 3704 0044 0532 0130 00")
    assert (bank.account.code, bank.journal.code, bank.iban) == ("1010", "BNK", "DE89370400440532013000")
    cash = banking.create_payment_account(ledger, by=accountant, name="Till", kind="cash")
    assert (cash.account.code, cash.journal.code, cash.currency) == ("1000", "CSH", "EUR")
    with pytest.raises(ConflictError):
        banking.create_payment_account(ledger, by=accountant, name="Till", kind="cash")
    with pytest.raises(BusinessRuleError) as wrong:
        banking.create_payment_account(ledger, by=accountant, name="Odd", kind="cash",
                                       account=Account.objects.get(company=ledger, code="1010"))
    assert wrong.value.field == "account_id"
    renamed = banking.update_payment_account(bank, by=accountant, name="Bank two",
                                             journal=Journal.objects.get(company=ledger, code="CSH"))
    assert renamed.name == "Bank two"
    banking.archive_payment_account(renamed, by=accountant)
    assert PaymentAccount.objects.get(pk=bank.pk).is_archived
