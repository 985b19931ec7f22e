"""The storekeeper receives goods at a cost, part of them ship; the accountant opens "Stock reconciliation"
and sees the inventory account equal to the stock value — also on a 390 px phone."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def books(db, make_user):
    from tandem.finance import services as finance
    from tandem.stock_accounting.tests.conftest import build_books

    accountant = make_user(roles.ACCOUNTANT, username="anna", first_name="Anna", last_name="Konto")
    books = build_books(by=accountant)  # the ledger of 2026; the moves are dated today
    today = datetime.date.today()
    if today.year != 2026:
        finance.create_fiscal_year(books.company, start_date=datetime.date(today.year, 1, 1), by=accountant)
    return books, accountant


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_goods_received_and_shipped_reconcile_with_the_ledger(page, log_in_as, make_user, books, width, height):
    from tandem.stock import services
    from tandem.stock.models import StockMove

    books, accountant = books
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.WAREHOUSE, username="stella", first_name="Stella", last_name="Lager"))

    # The storekeeper receives 10 desk lamps at 12.50 each.
    page.goto(f"/stock/?warehouse={books.main.pk}")
    page.get_by_role("button", name="Receive goods").click()
    page.locator("[data-picker=product] [data-picker-search]").fill("lamp")
    option = page.locator("[data-picker=product] [role=option]", has_text="LAMP-01 Desk lamp")
    expect(option).to_be_visible()
    option.click()
    page.get_by_label("Quantity").fill("10")
    page.get_by_label("Unit cost").fill("12.50")
    page.get_by_label("Reason").fill("Delivery note 4711")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Receipt of 10 × LAMP-01 recorded.")).to_be_visible()

    # Four of them leave with a shipment (sales' shipping step records this move).
    services.record_move(product=books.lamp, quantity=Decimal(4), kind=StockMove.Kind.SHIPMENT,
                         from_location=books.main_stock, by=None)

    # The accountant compares the inventory account with the stock value.
    page.context.clear_cookies()
    log_in_as(accountant)
    page.goto("/stock-accounting/")
    row = page.locator("#stock-reconciliation tbody tr", has_text=books.company.name)
    expect(row.locator("[data-stock-value]")).to_have_text("€75.00")
    expect(row.locator("[data-inventory-balance]")).to_have_text("€75.00")
    expect(row.locator("[data-difference]")).to_have_text("€0.00")
    expect(row.locator("[data-state]")).to_contain_text("Agrees")
    expect(page.locator("#pending-total")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # An earlier date: nothing was in stock or in the books yet.
    page.get_by_label("Date").fill((datetime.date.today() - datetime.timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(row.locator("[data-stock-value]")).to_have_text("€0.00")

    # The journal shows the two stock postings.
    page.goto("/finance/entries/")
    expect(page.locator("body")).to_contain_text("LAMP-01")
