"""A sales manager adds a product, puts it on a wholesale price list with a quantity break, and the product
page explains the price a wholesale client pays for 150 pieces — on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_manager_creates_a_product_and_sees_its_price_explained(page, log_in_as, make_user, viewport):
    from tandem.catalog.tests.factories import PriceGroupFactory, UnitFactory

    page.set_viewport_size(viewport)
    manager = make_user(roles.SALES_MANAGER, username="marta", first_name="Marta", last_name="Nowak")
    UnitFactory(code="pc")
    PriceGroupFactory(name="Wholesale")
    log_in_as(manager)

    # Marta adds the product from the product list.
    page.goto("/catalog/products/")
    page.get_by_role("button", name="New product").click()
    page.get_by_label("SKU").fill("PUMP-G300")
    page.get_by_label("Name").fill("Garden pump G300")
    page.get_by_label(re.compile(r"^Stock unit")).select_option(label="pc")
    page.get_by_label("Barcode (EAN/GTIN)").fill("4006381333931")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/catalog/products/\d+/$"))
    product_url = page.url
    expect(page.locator("h1")).to_contain_text("PUMP-G300")
    expect(page.locator("#barcodes")).to_contain_text("4006381333931")

    # She makes a wholesale price list in PLN with a break at 100 pieces and 5 % off.
    page.goto("/catalog/price-lists/new/")
    page.get_by_label("Name").fill("Wholesale PLN 2026")
    page.get_by_label("Currency").select_option("PLN")
    page.get_by_label("Price group").select_option(label="Wholesale")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/catalog/price-lists/\d+/$"))
    for minimum, price, discount in [("0", "40", "0"), ("100", "38", "5")]:
        picker = page.locator("input[name=product_search]")
        picker.fill("G300")
        page.locator("[role=option]", has_text="PUMP-G300").first.click()
        page.get_by_label("From quantity").fill(minimum)
        page.get_by_label("Unit price").fill(price)
        page.get_by_label("Discount (%)").fill(discount)
        page.get_by_role("button", name="Save price").click()
    table = page.locator("table")
    expect(table).to_contain_text("PUMP-G300")
    expect(table.locator("tbody tr")).to_have_count(2)

    # On the product page, the price a wholesale client pays for 150 pieces, explained.
    page.goto(product_url)
    expect(page.locator("#panel-prices")).to_contain_text("Wholesale PLN 2026")
    page.get_by_label("Quantity").fill("150")
    page.get_by_label("Currency").select_option("PLN")
    page.get_by_label("Price group").select_option(label="Wholesale")
    page.get_by_label("Date").fill("2026-06-01")
    page.get_by_role("button", name="Show price").click()
    expect(page.locator("[data-explanation]")).to_have_text("list Wholesale PLN 2026, break ≥ 100 pc, −5 %")
    expect(page.locator("[data-price]")).to_contain_text("36.10")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
