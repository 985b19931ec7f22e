"""A buyer makes a purchase order with the searchable supplier and product pickers, submits it (above the
threshold it waits for approval), a manager approves and marks it sent, the warehouse receives part of it, and
the product page shows on hand risen and the rest incoming; the buyer edits the draft's line quantity and
sees the new total, the warehouse receives into a bin chosen with the location picker; on a 390 px phone the
pages do not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def purchasing_world(db):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing.models import SupplierPrice, SupplierProfile
    from tandem.stock.models import Location, Warehouse

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    Location.objects.create(warehouse=warehouse, code="B2", name="Bulky goods")
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    pump = Product.objects.create(sku="PUMP-7", name="Garden pump", unit=unit)
    counterparty = CounterpartyFactory(client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = SupplierProfile.objects.create(counterparty=counterparty, currency=company.base_currency)
    SupplierPrice.objects.create(supplier=supplier, product=pump, currency=company.base_currency,
                                 unit_price=Decimal("80"), is_preferred=True)
    return pump


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_buyer_orders_manager_approves_warehouse_receives(page, log_in_as, make_user, purchasing_world, width,
                                                          height):
    pump = purchasing_world
    page.set_viewport_size({"width": width, "height": height})
    buyer = make_user(roles.PURCHASING, username="bea", first_name="Bea", last_name="Buyer")
    log_in_as(buyer)
    page.goto("/purchasing/orders/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    _fits(page, width)
    page.get_by_role("button", name="New purchase order").click()
    page.locator("[data-picker=supplier] [data-picker-search]").fill("Pumpen")
    option = page.locator("[data-picker=supplier] [role=option]", has_text="Pumpenwerk AG")
    expect(option).to_be_visible()
    option.click()
    _fits(page, width)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Purchase order PO-")).to_be_visible()

    page.locator("[data-picker=product] [data-picker-search]").fill("garden")
    option = page.locator("[data-picker=product] [role=option]", has_text="PUMP-7 Garden pump")
    expect(option).to_be_visible()
    option.click()
    page.get_by_label("Quantity").fill("100")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("#lines")).to_contain_text("PUMP-7")
    expect(page.get_by_test_id("po-total")).to_contain_text("8,000.00")
    # The draft's line is edited on its own page: 120 instead of 100, and the new total shows.
    page.locator("[data-action=edit-line]").click()
    page.get_by_label("Quantity").fill("120")
    _fits(page, width)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("po-total")).to_contain_text("9,600.00")
    expect(page.locator("#lines")).to_contain_text("120")
    # The header too: a note for the supplier, shown on the order.
    page.locator("[data-action=edit]").click()
    page.get_by_label("Note").fill("Deliver to gate 2")
    _fits(page, width)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Deliver to gate 2", exact=True)).to_be_visible()
    expect(page.get_by_text("This order's total needs a manager's approval.")).to_be_visible()
    page.locator("[data-action=submit]").click()
    expect(page.locator("hgroup .badge")).to_contain_text("Awaiting approval")
    expect(page.locator("[data-action=approve]")).to_have_count(0)
    order_url = page.url
    _fits(page, width)

    manager = make_user(roles.SALES_MANAGER, username="max", first_name="Max", last_name="Manager")
    log_in_as(manager)
    page.goto(order_url)
    page.locator("[data-action=approve]").click()
    expect(page.locator("[data-action=send]")).to_be_visible()
    page.locator("[data-action=send]").click()
    expect(page.locator("[data-action=receive]")).to_have_count(0)  # managers do not receive

    storeman = make_user(roles.WAREHOUSE, username="walt", first_name="Walt", last_name="Lager")
    log_in_as(storeman)
    page.goto(order_url)
    page.locator("[data-action=receive]").click()
    page.get_by_label("Receive now PUMP-7").fill("60")
    # Where the goods go: preset to the default bin, B2 chosen through the location picker.
    picker = page.locator("[data-picker=location]")
    picker.locator("[data-picker-search]").fill("B2")
    option = picker.locator("[role=option]", has_text="MAIN/B2")
    expect(option).to_be_visible()
    option.click()
    _fits(page, width)
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("hgroup .badge")).to_contain_text("Partly received")

    page.goto(f"/catalog/products/{pump.pk}/")
    row = page.locator("[data-warehouse=MAIN]")
    expect(row.locator("[data-col=on_hand]")).to_have_text("60")
    expect(row.locator("[data-col=incoming]")).to_contain_text("60")
    expect(page.get_by_text("MAIN/B2: 60").first).to_be_visible()
    expect(page.get_by_text("Pumpenwerk AG").first).to_be_visible()
    _fits(page, width)
