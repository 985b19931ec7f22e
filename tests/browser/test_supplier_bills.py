"""A buyer bills a partly received purchase order (the supplier's number and date), corrects the price to what the
supplier billed and sees the line differ from the order; the accountant cannot post it; the purchasing manager
accepts the difference; the accountant posts it. On a 390 px phone the pages do not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def received_order(db, make_user):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.finance import services as finance
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing import services
    from tandem.stock.models import Location, Warehouse

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    boss = make_user(roles.ADMINISTRATOR, username="boss")
    finance.install_chart_template(company, by=boss)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=boss)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    pump = Product.objects.create(sku="PUMP-7", name="Garden pump", unit=unit)
    counterparty = CounterpartyFactory(client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = services.create_supplier(counterparty=counterparty, currency=company.base_currency, by=boss)
    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, by=boss,
                                           order_date=datetime.date(2026, 6, 1),
                                           lines=[{"product": pump, "quantity": Decimal(100),
                                                   "unit_price": Decimal(80), "tax_rate": Decimal(19)}])
    order = services.send_purchase_order(services.submit_purchase_order(order, by=boss), by=boss)
    return services.receive_purchase_order(order, lines=[(order.lines.get(), 60, None, None)],
                                           date=datetime.date(2026, 6, 10), by=boss)


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_bill_an_order_see_the_difference_accept_and_post(page, log_in_as, make_user, received_order, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.PURCHASING, username="bea", first_name="Bea", last_name="Buyer"))
    page.goto(f"/purchasing/orders/{received_order.pk}/", timeout=60_000)
    _fits(page, width)
    page.locator("[data-action=bill]").click()
    page.get_by_label("Supplier's invoice number").fill("RE-2026-0815")
    page.get_by_label("Bill date").fill("2026-06-12")
    _fits(page, width)
    page.locator("[data-action=make-bill]").click()
    expect(page.get_by_role("heading", name="Supplier bill")).to_be_visible()
    expect(page.locator("#match-1")).to_contain_text("60")
    expect(page.get_by_test_id("verdict-1")).to_contain_text("Matches")
    page.get_by_label("Bill price 1").fill("84")
    page.locator("[data-action=save]").click()
    expect(page.get_by_test_id("verdict-1")).to_contain_text("Differs")
    expect(page.get_by_test_id("verdict-1")).to_contain_text("bill price above the order price")
    expect(page.locator("[data-action=accept]")).to_have_count(0)  # a buyer may not accept it
    bill_url = page.url
    _fits(page, width)

    log_in_as(make_user(roles.ACCOUNTANT, username="alma", first_name="Alma", last_name="Accountant"))
    page.goto(bill_url)
    page.locator("[data-action=issue]").click()
    expect(page.get_by_test_id("bill-error")).to_contain_text("line 1")
    expect(page.locator("#bill-number")).to_contain_text("draft")

    log_in_as(make_user(roles.SALES_MANAGER, username="max", first_name="Max", last_name="Manager"))
    page.goto(bill_url)
    page.get_by_label("Why the difference is right").fill("Copper surcharge")
    page.locator("[data-action=accept]").click()
    expect(page.locator("#match-status")).to_contain_text("Difference accepted")
    expect(page.get_by_test_id("accepted-by")).to_contain_text("Max")
    _fits(page, width)

    log_in_as(make_user(roles.ACCOUNTANT, username="alma2", first_name="Alma", last_name="Second"))
    page.goto(bill_url)
    page.locator("[data-action=issue]").click()
    expect(page.locator("#bill-number")).to_contain_text("BILL/2026/00001")
    expect(page.locator("#bill-status")).to_contain_text("Issued")
    expect(page.get_by_test_id("supplier-reference")).to_contain_text("RE-2026-0815")
    _fits(page, width)
    page.goto("/purchasing/bills/")
    expect(page.locator("table")).to_contain_text("RE-2026-0815")
    _fits(page, width)
