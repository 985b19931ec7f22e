"""An accountant posts a manual entry (a third line added with htmx), sees it, and reads the trial balance with
the amounts in the reader's format; on a phone too."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.finance import services

pytestmark = pytest.mark.browser


@pytest.fixture
def books(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="books")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(timezone.localdate().year, 1, 1), by=accountant)
    return accountant


def _post_rent(page):
    page.goto("/finance/entries/new/")
    page.get_by_label("Journal").select_option(label="GEN General")
    page.get_by_label("Memo").first.fill("Rent and bank fee")
    rows = page.locator("#entry-line-rows tr")
    rows.nth(0).get_by_label("Account").select_option(label="6100 Rent")
    rows.nth(0).get_by_label("Debit").fill("1200.00")
    rows.nth(1).get_by_label("Account").select_option(label="7000 Bank charges")
    rows.nth(1).get_by_label("Debit").fill("3.45")
    page.get_by_role("button", name="Add line").click()
    expect(rows).to_have_count(3)
    rows.nth(2).get_by_label("Account").select_option(label="1010 Bank account")
    rows.nth(2).get_by_label("Credit").fill("1203.45")
    page.get_by_role("button", name="Post", exact=True).click()


def test_accountant_posts_an_entry_and_reads_the_trial_balance(page, login, books, live_server):
    login(books.username, TEST_PASSWORD)
    # An unbalanced entry is shown again with the reason.
    page.goto("/finance/entries/new/")
    rows = page.locator("#entry-line-rows tr")
    page.get_by_label("Journal").select_option(label="GEN General")
    rows.nth(0).get_by_label("Account").select_option(label="6100 Rent")
    rows.nth(0).get_by_label("Debit").fill("10")
    rows.nth(1).get_by_label("Account").select_option(label="1010 Bank account")
    rows.nth(1).get_by_label("Credit").fill("9")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("does not balance")

    _post_rent(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"GEN/{timezone.localdate().year}/0001")
    expect(page.locator("#entry-lines tfoot")).to_contain_text("€1,203.45")

    page.goto("/finance/reports/trial-balance/")
    table = page.locator("#trial-balance")
    expect(table.locator("tr[data-code='6100']")).to_contain_text("€1,200.00")
    expect(table.locator("tr[data-code='1010'] [data-closing]")).to_contain_text("-€1,203.45")
    expect(page.locator("#total-debit")).to_have_text(page.locator("#total-credit").inner_text())
    table.get_by_role("link", name="6100 Rent").click()
    expect(page.locator("#account-ledger")).to_contain_text("Rent and bank fee")


def test_the_trial_balance_fits_a_phone(page, login, books, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(books.username, TEST_PASSWORD)
    _post_rent(page)
    page.goto("/finance/reports/trial-balance/?compare=previous")
    expect(page.locator("#trial-balance")).to_contain_text("Rent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
