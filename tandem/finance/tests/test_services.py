"""Rules of the ledger: balance, closed periods, reversal, immutability, year-end closing to the cent."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.finance import queries, services
from tandem.finance.models import Account, AccountBalance, Entry, EntryLine, Period

D = Decimal
JAN = datetime.date(2026, 1, 15)


def post(ledger, account, journal, by, lines, date=JAN, memo="test"):
    lines = [{"account": account(code), "debit": D(d), "credit": D(c)} for code, d, c in lines]
    return services.post_entry(company=ledger, journal=journal(), date=date, memo=memo, by=by, lines=lines)


def test_install_chart_ships_accounts_and_journals_once(ledger, accountant):
    assert Account.objects.filter(company=ledger).count() > 30
    assert Account.objects.get(company=ledger, code="3100").subtype == "retained_earnings"
    assert services.install_chart_template(ledger, by=accountant) == 0  # nothing twice


def test_a_balanced_entry_is_posted_and_numbered(ledger, account, journal, accountant):
    first = post(ledger, account, journal, accountant, [("1010", "100.00", "0"), ("3000", "0", "100.00")])
    second = post(ledger, account, journal, accountant, [("6100", "25.50", "0"), ("1010", "0", "25.50")])
    assert (first.number, second.number) == (1, 2)
    assert first.status == Entry.Status.POSTED and first.reference == "GEN/2026/0001"
    assert AuditEntry.objects.filter(action="finance.entry.posted").count() == 2


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(ledger, account, journal, accountant):
    with pytest.raises(BusinessRuleError) as refused:
        post(ledger, account, journal, accountant, [("1010", "100.00", "0"), ("3000", "0", "99.99")])
    assert refused.value.code == "unbalanced" and refused.value.field == "lines"
    assert not Entry.objects.exists() and not EntryLine.objects.exists() and not AccountBalance.objects.exists()


@pytest.mark.parametrize("lines, code, field", [
    ([("1010", "100", "100"), ("3000", "0", "0")], "one_side", "lines.0.debit"),
    ([("1010", "1.001", "0"), ("3000", "0", "1.001")], "too_many_decimals", "lines.0.debit"),
    ([("1010", "-5", "0"), ("3000", "0", "-5")], "invalid_amount", "lines.0.debit"),
    ([("1010", "5", "0")], "too_few_lines", "lines"),
])
def test_bad_lines_are_refused_naming_the_field(ledger, account, journal, accountant, lines, code, field):
    with pytest.raises(BusinessRuleError) as refused:
        post(ledger, account, journal, accountant, lines)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_foreign_currency_lines_balance_per_currency(ledger, account, journal, accountant):
    entry = services.post_entry(company=ledger, journal=journal("SAL"), date=JAN, by=accountant, lines=[
        {"account": account("1100"), "debit": D("92.00"), "currency": "USD", "amount_currency": D("100.00")},
        {"account": account("4000"), "credit": D("92.00"), "currency": "USD", "amount_currency": D("100.00")},
    ])
    line = entry.lines.get(account__code="1100")
    assert (line.currency, line.amount_currency, line.rate) == ("USD", D("100.00"), D("0.92"))
    with pytest.raises(BusinessRuleError) as refused:
        services.post_entry(company=ledger, journal=journal("SAL"), date=JAN, by=accountant, lines=[
            {"account": account("1100"), "debit": D("92.00"), "currency": "USD", "amount_currency": D("100.00")},
            {"account": account("4000"), "credit": D("92.00")},
        ])
    assert refused.value.code == "unbalanced" and "USD" in refused.value.message


def test_a_date_outside_any_fiscal_year_is_refused(ledger, account, journal, accountant):
    with pytest.raises(BusinessRuleError) as refused:
        post(ledger, account, journal, accountant, [("1010", "1", "0"), ("3000", "0", "1")],
             date=datetime.date(2030, 1, 1))
    assert (refused.value.code, refused.value.field) == ("no_fiscal_year", "date")


def test_a_closed_period_refuses_postings_until_reopened_with_the_permission(ledger, account, journal, accountant,
                                                                          make_user):
    january = Period.objects.get(company=ledger, start_date=datetime.date(2026, 1, 1))
    services.close_period(january, by=accountant)
    with pytest.raises(ConflictError) as refused:
        post(ledger, account, journal, accountant, [("1010", "1", "0"), ("3000", "0", "1")])
    assert (refused.value.code, refused.value.status_code, refused.value.field) == ("period_closed", 409, "date")
    with pytest.raises(AccessDenied):
        services.reopen_period(january, by=make_user(roles.SALES_MANAGER, username="m"))
    services.reopen_period(january, by=accountant, reason="late invoice")
    assert AuditEntry.objects.filter(action="finance.period.open", changes__reason="late invoice").exists()
    assert post(ledger, account, journal, accountant, [("1010", "1", "0"), ("3000", "0", "1")]).number == 1


def test_reversal_mirrors_the_entry_and_marks_it_reversed(ledger, account, journal, accountant):
    entry = post(ledger, account, journal, accountant, [("6100", "40.00", "0"), ("1010", "0", "40.00")])
    reversal = services.reverse_entry(entry, date=datetime.date(2026, 2, 3), by=accountant)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REVERSED and reversal.reversal_of == entry
    assert {(x.account.code, x.debit, x.credit) for x in reversal.lines.all()} == {
        ("6100", D("0"), D("40.00")), ("1010", D("40.00"), D("0"))}
    with pytest.raises(ConflictError) as refused:
        services.reverse_entry(entry, by=accountant)
    assert refused.value.code == "not_reversible"
    with pytest.raises(ConflictError):
        services.reverse_entry(reversal, by=accountant)
    report = queries.trial_balance(ledger, datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))
    assert all(row.closing == 0 for row in report.rows)


def test_only_accountants_reverse(ledger, account, journal, accountant, make_user):
    entry = post(ledger, account, journal, accountant, [("6100", "1", "0"), ("1010", "0", "1")])
    with pytest.raises(AccessDenied):
        services.reverse_entry(entry, by=make_user(roles.VIEWER, username="v"))


def test_closing_the_year_carries_the_result_to_retained_earnings_to_the_cent(ledger, account, journal, accountant):
    post(ledger, account, journal, accountant, [("1100", "1190.10", "0"), ("4000", "0", "1000.09"),
                                                  ("2100", "0", "190.01")])
    post(ledger, account, journal, accountant, [("6100", "300.33", "0"), ("1010", "0", "300.33")],
         date=datetime.date(2026, 6, 30))
    post(ledger, account, journal, accountant, [("5000", "120.01", "0"), ("1200", "0", "120.01")],
         date=datetime.date(2026, 12, 31))
    year = ledger.fiscal_years.get()
    services.close_fiscal_year(year, by=accountant)
    year.refresh_from_db()
    assert year.status == "closed"
    assert not Period.objects.filter(fiscal_year=year, status="open").exists()
    closing = Entry.objects.get(is_closing=True)
    assert closing.date == datetime.date(2026, 12, 31)
    report = queries.trial_balance(ledger, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    closing_of = {row.account.code: row.closing for row in report.rows}
    # Profit: 1000.09 − 300.33 − 120.01 = 579.75, credited to retained earnings.
    assert closing_of["3100"] == D("-579.75")
    assert all(closing_of.get(code, 0) == 0 for code in ("4000", "6100", "5000"))
    assert report.total("closing") == 0
    with pytest.raises(ConflictError):
        post(ledger, account, journal, accountant, [("1010", "1", "0"), ("3000", "0", "1")],
             date=datetime.date(2026, 12, 31))
    with pytest.raises(ConflictError) as refused:
        services.close_fiscal_year(year, by=accountant)
    assert refused.value.code == "year_closed"


def test_trial_balance_of_a_period_with_opening_and_compare(ledger, account, journal, accountant):
    post(ledger, account, journal, accountant, [("1010", "1000.00", "0"), ("3000", "0", "1000.00")])
    post(ledger, account, journal, accountant, [("6100", "200.00", "0"), ("1010", "0", "200.00")],
         date=datetime.date(2026, 2, 10))
    report = queries.trial_balance(ledger, datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), compare="previous")
    bank = next(row for row in report.rows if row.account.code == "1010")
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (D("1000.00"), 0, D("200.00"), D("800.00"))
    assert bank.previous_closing == D("1000.00")
    assert (report.compare_from, report.compare_to) == (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    # A range cutting periods reads those periods' lines: the same figures.
    partial = queries.trial_balance(ledger, datetime.date(2026, 1, 16), datetime.date(2026, 2, 10))
    bank = next(row for row in partial.rows if row.account.code == "1010")
    assert (bank.opening, bank.debit, bank.credit) == (D("1000.00"), 0, D("200.00"))


def test_account_ledger_drills_down_to_the_lines(ledger, account, journal, accountant):
    post(ledger, account, journal, accountant, [("1010", "10.00", "0"), ("3000", "0", "10.00")])
    post(ledger, account, journal, accountant, [("1010", "5.00", "0"), ("3000", "0", "5.00")])
    book = queries.account_ledger(account("1010"), datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    rows = queries.with_running_balance(book, list(book.lines))
    assert [balance for _line, balance in rows] == [D("10.00"), D("15.00")]
    assert book.closing == D("15.00")


def test_a_posted_entry_and_its_lines_cannot_be_saved_changed(ledger, account, journal, accountant):
    from tandem.finance.models import PostedEntryIsImmutable

    entry = post(ledger, account, journal, accountant, [("6100", "40.00", "0"), ("1010", "0", "40.00")])
    entry.memo = "changed"
    with pytest.raises(PostedEntryIsImmutable):
        entry.save()
    line = entry.lines.first()
    line.debit = D("41.00")
    with pytest.raises(PostedEntryIsImmutable):
        line.save()
