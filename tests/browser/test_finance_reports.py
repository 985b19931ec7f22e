"""An accountant opens the profit and loss from the report picker, compares it with the same months a year
earlier, and drills down from an amount to the account's ledger and on to the journal entry; the statement fits a
phone; a budget cell typed in the grid is saved by htmx and shows in budget against actual."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.finance import budgets, services
from tandem.finance.models import Account, Journal

pytestmark = pytest.mark.browser


@pytest.fixture
def books(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="books")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    year = timezone.localdate().year
    for start in (year - 1, year):
        services.create_fiscal_year(company, start_date=datetime.date(start, 1, 1), by=accountant)
    account = {a.code: a for a in Account.objects.filter(company=company)}
    general = Journal.objects.get(company=company, code="GEN")
    for start, amount in ((year - 1, "400.00"), (year, "1000.00")):
        services.post_entry(company=company, journal=general, date=datetime.date(start, 1, 15), by=accountant,
                            memo=f"Consulting {start}", lines=[{"account": account["1010"], "debit": Decimal(amount)},
                                                               {"account": account["4100"], "credit": Decimal(amount)}])
    return accountant


def _open_profit_and_loss(page):
    year = timezone.localdate().year
    page.goto("/finance/reports/")
    page.locator("#report-picker").get_by_role("link", name="Profit and loss").click()
    page.get_by_label("From").fill(f"{year}-01-01")
    page.get_by_label("To").fill(f"{year}-01-31")
    page.get_by_label("Compare with").select_option("year")
    page.get_by_role("button", name="Show").click()


def test_profit_and_loss_compared_and_drilled_down_to_the_entry(page, login, books, live_server):
    year = timezone.localdate().year
    login(books.username, TEST_PASSWORD)
    _open_profit_and_loss(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Profit and loss")
    statement = page.locator("#statement")
    row = statement.locator("tr[data-code='4100']")
    expect(row.locator("[data-amount]")).to_have_text("€1,000.00")
    expect(row.locator("[data-previous]")).to_have_text("€400.00")
    expect(row.locator("[data-difference]")).to_have_text("€600.00")
    expect(page.locator("#net-result")).to_contain_text("€1,000.00")
    row.locator("[data-amount] a").click()
    expect(page.locator("#account-ledger")).to_contain_text(f"Consulting {year}")
    page.locator("#account-ledger").get_by_role("link", name=f"GEN/{year}/0001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"GEN/{year}/0001")


def test_the_statement_fits_a_phone(page, login, books, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(books.username, TEST_PASSWORD)
    _open_profit_and_loss(page)
    expect(page.locator("#statement tr[data-code='4100'] [data-previous]")).to_have_text("€400.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"/finance/reports/balance-sheet/?date_from={timezone.localdate().year}-01-01"
              f"&date_to={timezone.localdate().year}-01-31")
    expect(page.locator("#total-assets")).to_contain_text("€1,400.00")
    expect(page.locator("#total-liabilities-equity")).to_contain_text("€1,400.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_budget_cell_is_saved_from_the_grid(page, login, books, live_server):
    from tandem.finance.models import FiscalYear

    company = default_legal_entity()
    year = FiscalYear.objects.get(company=company, start_date=datetime.date(timezone.localdate().year, 1, 1))
    budget = budgets.create_budget(company, by=books, fiscal_year=year, name="Plan")
    login(books.username, TEST_PASSWORD)
    page.goto(f"/finance/budgets/{budget.pk}/")
    cell = page.get_by_label(f"4100 Jan {year.start_date.year}")
    cell.fill("1250")
    cell.press("Tab")
    expect(page.locator("#budget-status")).to_contain_text("Saved (1 changed)")
    page.goto(f"/finance/reports/budget-vs-actual/?budget={budget.pk}")
    totals = page.locator("#budget-vs-actual tbody[data-code='4100'] tr[data-total]")
    expect(totals.locator("[data-actual]")).to_have_text("€1,000.00")
    expect(totals.locator("[data-variance]")).to_have_text("-€250.00")
    expect(totals.locator("[data-percent]")).to_contain_text("80")
