"""Pages of the ledger: post a manual entry through the form (with an htmx line), see it, reverse it, close and
reopen a period, read the trial balance in the reader's format and export it."""

import pytest

from tandem.core import roles
from tandem.finance.models import Entry, Period


@pytest.fixture
def browser(client, accountant, ledger):
    client.force_login(accountant)
    return client


def test_post_a_manual_entry_through_the_form(browser, account, journal):
    assert browser.get("/finance/entries/new/").status_code == 200
    row = browser.get("/finance/entries/line-row/", headers={"HX-Request": "true"})
    assert b'name="line_account"' in row.content
    response = browser.post("/finance/entries/new/", {
        "journal": journal().pk, "date": "2026-01-20", "memo": "Rent January",
        "line_account": [account("6100").pk, account("1010").pk, ""], "line_debit": ["1234.50", "", ""],
        "line_credit": ["", "1234.50", ""], "line_memo": ["", "", ""]})
    assert response.status_code == 302
    entry = Entry.objects.get()
    page = browser.get(response["Location"]).content.decode()
    assert "GEN/2026/0001" in page and "€1,234.50" in page
    reversed_ = browser.post(f"/finance/entries/{entry.pk}/reverse/")
    assert reversed_.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "reversed"


def test_an_unbalanced_form_is_shown_again_with_the_reason(browser, account, journal):
    response = browser.post("/finance/entries/new/", {
        "journal": journal().pk, "date": "2026-01-20", "memo": "",
        "line_account": [account("6100").pk, account("1010").pk], "line_debit": ["10", ""],
        "line_credit": ["", "9"], "line_memo": ["", ""]})
    assert response.status_code == 400
    assert "does not balance" in response.content.decode()
    assert not Entry.objects.exists()


def test_periods_close_and_reopen(browser, ledger):
    january = Period.objects.get(company=ledger, number=1)
    assert browser.get("/finance/periods/").status_code == 200
    browser.post(f"/finance/periods/{january.pk}/close/")
    january.refresh_from_db()
    assert january.status == "closed"
    browser.post(f"/finance/periods/{january.pk}/reopen/", {"reason": "late invoice"})
    january.refresh_from_db()
    assert january.status == "open"


def test_trial_balance_page_and_export(browser, account, journal, accountant):
    from tandem.finance import services

    services.post_entry(company=account("1010").company, journal=journal(), date="2026-01-05", by=accountant,
                        lines=[{"account": account("1010"), "debit": "5000"}, {"account": account("3000"),
                                                                              "credit": "5000"}])
    page = browser.get("/finance/reports/trial-balance/?date_from=2026-01-01&date_to=2026-01-31&compare=previous")
    text = page.content.decode()
    assert page.status_code == 200 and "€5,000.00" in text and "1010 Bank account" in text
    export = browser.get("/finance/reports/trial-balance/export/?date_from=2026-01-01&date_to=2026-01-31")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert browser.get(f"/finance/accounts/{account('1010').pk}/?date_from=2026-01-01&date_to=2026-01-31"
                       ).status_code == 200
    assert browser.get("/finance/accounts/").status_code == 200
    assert browser.get("/finance/entries/").status_code == 200


def test_a_viewer_reads_but_cannot_post(client, make_user, ledger):
    client.force_login(make_user(roles.VIEWER, username="v"))
    assert client.get("/finance/reports/trial-balance/").status_code == 200
    assert client.get("/finance/entries/new/").status_code == 403


def test_accounts_are_created_and_edited_on_pages(browser, ledger, account):
    assert browser.get("/finance/accounts/new/").status_code == 200
    response = browser.post("/finance/accounts/new/", {"code": "1020", "name": "Savings", "type": "asset",
                                                       "subtype": "bank", "parent": account("10").pk})
    assert response.status_code == 302
    duplicate = browser.post("/finance/accounts/new/", {"code": "1020", "name": "Again", "type": "asset"})
    assert duplicate.status_code == 400 and "1020" in duplicate.content.decode()
    savings = account("1020")
    edited = browser.post(f"/finance/accounts/{savings.pk}/edit/", {
        "code": "1020", "name": "Savings account", "type": "asset", "subtype": "bank", "version": savings.version})
    assert edited.status_code == 302
    assert account("1020").name == "Savings account"


def test_fiscal_year_opened_and_closed_on_the_periods_page(browser, ledger):
    browser.post("/finance/fiscal-years/new/", {"start_date": "2027-01-01"})
    year = ledger.fiscal_years.get(start_date="2027-01-01")
    assert year.periods.count() == 12
    browser.post(f"/finance/fiscal-years/{ledger.fiscal_years.get(start_date='2026-01-01').pk}/close/")
    assert ledger.fiscal_years.get(start_date="2026-01-01").status == "closed"
