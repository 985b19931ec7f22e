"""`tandem export-beancount`: the posted ledger as a beancount file that bean-check accepts, whose balances per
account equal Tandem's trial balance to the cent (entries, a reversal, a foreign-currency sale settled at another
rate, a year-end close, the next year), whole and from a start date."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import convert, data
from django.core.management import CommandError, call_command

from tandem.finance import queries, services
from tandem.finance.exports.beancount import account_name, export_beancount
from tandem.finance.models import Account

D = Decimal
BEAN_CHECK = Path(sys.executable).with_name("bean-check")


@pytest.fixture
def books(ledger, account, journal, accountant):
    """Two years of a small business: capital, a sale with VAT, a USD sale paid at another rate, rent posted and
    reversed, a year-end close of 2026, and a purchase in 2027."""
    company = ledger
    odd = services.create_account(company, by=accountant, code="4950", name="Übrige Erträge & Co. (sonst.)",
                                  type=Account.Type.INCOME)

    def post(day, code, lines, memo=""):
        return services.post_entry(company=company, journal=journal(code), date=day, memo=memo, by=accountant,
                                   lines=[{**line, "account": account(line["account"])} for line in lines])

    post(datetime.date(2026, 1, 5), "GEN", [{"account": "1010", "debit": "10000.00"},
                                            {"account": "3000", "credit": "10000.00"}], memo='Capital "paid in"')
    post(datetime.date(2026, 2, 10), "SAL", [{"account": "1100", "debit": "1190.00"},
                                             {"account": "4000", "credit": "1000.00"},
                                             {"account": "2100", "credit": "190.00"}], memo="Invoice INV-1")
    post(datetime.date(2026, 3, 1), "SAL", [
        {"account": "1100", "debit": "920.00", "currency": "USD", "amount_currency": "1000.00"},
        {"account": "4000", "credit": "920.00", "currency": "USD", "amount_currency": "1000.00"}], memo="USD sale")
    post(datetime.date(2026, 3, 20), "BNK", [
        {"account": "1010", "debit": "930.00", "currency": "USD", "amount_currency": "1000.00"},
        {"account": "1100", "credit": "920.00", "currency": "USD", "amount_currency": "1000.00"},
        {"account": "7100", "credit": "10.00"}], memo="USD payment")
    rent = post(datetime.date(2026, 4, 1), "GEN", [{"account": "6100", "debit": "500.00"},
                                                   {"account": "1010", "credit": "500.00"}], memo="Rent")
    services.reverse_entry(rent, date=datetime.date(2026, 4, 2), by=accountant)
    services.post_entry(company=company, journal=journal("GEN"), date=datetime.date(2026, 5, 1), by=accountant,
                        lines=[{"account": account("1010"), "debit": "12.34"}, {"account": odd, "credit": "12.34"}])
    post(datetime.date(2026, 6, 1), "GEN", [{"account": "6100", "debit": "450.00"},
                                            {"account": "1010", "credit": "450.00"}], memo="Rent")
    year = services.create_fiscal_year(company, start_date=datetime.date(2027, 1, 1), by=accountant)
    services.close_fiscal_year(company.fiscal_years.get(start_date=datetime.date(2026, 1, 1)), by=accountant)
    post(datetime.date(2027, 2, 1), "PUR", [{"account": "6200", "debit": "80.00"},
                                            {"account": "1150", "debit": "15.20"},
                                            {"account": "2000", "credit": "95.20"}], memo="Paper")
    return company, year


def bean_check(path: Path) -> None:
    result = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def beancount_balances(path: Path) -> dict[str, Decimal]:
    """The base-currency weight of every account's postings, summed (foreign units at their @@ price)."""
    entries, errors, _options = loader.load_file(str(path))
    assert not errors, errors
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in data.filter_txns(entries):
        for posting in entry.postings:
            weight = convert.get_weight(posting)
            assert weight.currency == "EUR"
            sums[posting.account] += weight.number
    return {name: total.quantize(D("0.01")) for name, total in sums.items() if total.quantize(D("0.01"))}


def tandem_balances(company, date_from, date_to) -> dict[str, Decimal]:
    report = queries.trial_balance(company, date_from, date_to)
    return {account_name(row.account): row.closing for row in report.rows if row.closing}


@pytest.mark.django_db
def test_the_whole_ledger_passes_bean_check_and_matches_the_trial_balance(books, tmp_path):
    company, _year = books
    path = tmp_path / "ledger.beancount"
    call_command("export_beancount", str(path), "--entity", company.name, stderr=io.StringIO())
    bean_check(path)
    text = path.read_text()
    assert "open Assets:1010-Bank-account" in text and "open Liabilities:2100-Output-VAT" in text
    assert "open Income:4950-Ubrige-Ertrage-Co-sonst" in text
    assert "open Equity:3100-Retained-earnings" in text and "open Expenses:6100-Rent" in text
    assert '* "GEN/2026/0001" "Capital \\"paid in\\""' in text
    assert "Assets:1100-Trade-receivables  1000.00 USD @@ 920.00 EUR" in text
    assert "Assets:1100-Trade-receivables  -1000.00 USD @@ 920.00 EUR" in text
    assert "#reversal" in text and 'reverses: "GEN/2026/0002"' in text and "#closing" in text
    expected = tandem_balances(company, datetime.date(2026, 1, 1), datetime.date(2027, 12, 31))
    assert beancount_balances(path) == expected
    # The year was closed: income and expenses of 2026 went to retained earnings (profit 1000 + 920 + 10 + 12.34
    # − 450 = 1,492.34).
    assert expected["Equity:3100-Retained-earnings"] == D("-1492.34")
    assert "Income:4000-Sales-of-goods" not in expected


@pytest.mark.django_db
def test_a_range_starts_with_opening_balances_and_still_matches(books, tmp_path):
    company, _year = books
    path = tmp_path / "2027.beancount"
    call_command("export_beancount", str(path), "--entity", str(company.pk), "--from", "2027-01-01",
                 "--to", "2027-12-31", stderr=io.StringIO())
    bean_check(path)
    text = path.read_text()
    assert '2027-01-01 * "Opening balances"' in text and "GEN/2026/0001" not in text and "PUR/2027/0001" in text
    assert beancount_balances(path) == tandem_balances(company, datetime.date(2027, 1, 1),
                                                       datetime.date(2027, 12, 31))


@pytest.mark.django_db
def test_lines_are_streamed_not_loaded(books, monkeypatch):
    from django.db.models.query import QuerySet

    company, _year = books
    used = []
    original = QuerySet.iterator

    def spy(self, *args, **kwargs):
        used.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    stream = io.StringIO()
    assert export_beancount(company, stream) == 10  # eight postings, one reversal, the closing entry
    assert "EntryLine" in used


@pytest.mark.django_db
def test_unknown_entity_and_bad_dates_are_refused(books, tmp_path):
    with pytest.raises(CommandError, match="no legal entity"):
        call_command("export_beancount", str(tmp_path / "x"), "--entity", "Nobody Ltd")
    with pytest.raises(CommandError, match="after"):
        call_command("export_beancount", str(tmp_path / "x"), "--from", "2027-02-01", "--to", "2027-01-01")


@pytest.mark.django_db
def test_the_tandem_command_dispatches_export_beancount(books, tmp_path, capsys):
    from tandem.cli import main

    path = tmp_path / "cli.beancount"
    main(["tandem", "export-beancount", str(path)])
    assert "10 transactions written" in capsys.readouterr().err
    bean_check(path)
