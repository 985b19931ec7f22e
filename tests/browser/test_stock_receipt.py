"""A storekeeper receives goods: picks the product by typing part of its name, chooses the bin, records the
receipt, and the warehouse's stock list shows the new quantity; on a 390 px phone the pages do not scroll
sideways. The global search answers "stock of item X" with what is available per warehouse."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def stockroom(db):
    from tandem.stock.tests.conftest import build_stockroom

    return build_stockroom()


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_storekeeper_receives_goods_and_sees_the_stock_list_change(page, log_in_as, make_user, stockroom,
                                                                   width, height):
    from tandem.stock import services

    page.set_viewport_size({"width": width, "height": height})
    services.receive_stock(product=stockroom.bolt, quantity=Decimal(5), location=stockroom.bin_a, by=None)
    storekeeper = make_user(roles.WAREHOUSE, username="stella", first_name="Stella", last_name="Lager")
    log_in_as(storekeeper)

    page.goto(f"/stock/?warehouse={stockroom.main.pk}")
    row = page.locator(f"#product-{stockroom.bolt.pk}")
    expect(row.locator("[data-column=on_hand]")).to_contain_text("5")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="Receive goods").click()
    page.locator("[data-picker=product] [data-picker-search]").fill("bolt")
    option = page.locator("[data-picker=product] [role=option]", has_text="BOLT-8 Bolt M8")
    expect(option).to_be_visible()
    option.click()
    page.get_by_label("Quantity").fill("12")
    page.get_by_label("Warehouse").select_option(label="MAIN Main")
    to = page.locator("[data-picker=to_location]")
    to.locator("[data-picker-search]").fill("A1")
    to.locator("[role=option]", has_text="MAIN/A1").click()
    page.get_by_label("Reason").fill("Delivery note 4711")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Record").click()

    expect(page.get_by_text("Receipt of 12 × BOLT-8 recorded.")).to_be_visible()
    expect(row.locator("[data-column=on_hand]")).to_contain_text("17")
    expect(row.locator("[data-column=available]")).to_contain_text("17")

    # "Stock of item BOLT-8" from the global search, in one step.
    page.goto("/search/?q=BOLT-8")
    expect(page.locator("#search-stock")).to_contain_text("MAIN: 17 available")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
