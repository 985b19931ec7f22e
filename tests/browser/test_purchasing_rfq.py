"""A buyer asks a supplier for a quotation: starts a request for quotation, adds a line, records the quoted
price, converts it to a purchase order saving the price to the supplier's price list, then opens the supplier
card from the order; on a 390 px phone the pages do not scroll sideways."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tests.browser.test_purchasing import purchasing_world  # noqa: F401 (the fixture: a supplier of PUMP-7 at 80)

pytestmark = pytest.mark.browser


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_buyer_turns_a_quotation_into_an_order_and_opens_the_supplier_card(page, log_in_as, make_user, width,
                                                                           height, purchasing_world):  # noqa: F811
    from tandem.purchasing.models import SupplierPrice

    pump = purchasing_world
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.PURCHASING, username="bea", first_name="Bea", last_name="Buyer"))
    page.goto("/purchasing/orders/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    page.locator("[data-action=new-rfq]").click()
    expect(page.get_by_role("heading", name="New request for quotation")).to_be_visible()
    page.locator("[data-picker=supplier] [data-picker-search]").fill("Pumpen")
    page.locator("[data-picker=supplier] [role=option]", has_text="Pumpenwerk AG").click()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Request for quotation PO-")).to_be_visible()
    page.locator("[data-picker=product] [data-picker-search]").fill("garden")
    page.locator("[data-picker=product] [role=option]", has_text="PUMP-7 Garden pump").click()
    page.get_by_label("Quantity").fill("10")
    page.get_by_role("button", name="Add line").click()
    price = page.get_by_label("Quoted price PUMP-7")
    expect(price).to_have_value("80")  # the price list's, until the supplier answers
    price.fill("75")
    _fits(page, width)
    page.locator("[data-action=quote]").click()
    expect(page.get_by_text("Quoted prices recorded.")).to_be_visible()
    expect(page.locator("[data-testid=po-total]")).to_contain_text("750")
    page.locator("[data-testid=save-prices]").check()
    page.locator("[data-action=convert]").click()
    expect(page.get_by_role("heading", name="Purchase order PO-")).to_be_visible()
    expect(page.locator("[data-action=submit]")).to_be_visible()
    assert SupplierPrice.objects.get(product=pump).unit_price == Decimal("75")
    _fits(page, width)

    page.locator("[data-testid=supplier-link]").click()
    expect(page.get_by_role("heading", name="Pumpenwerk AG")).to_be_visible()
    expect(page.locator("#orders")).to_contain_text("Draft")
    expect(page.locator("[data-testid=on-time-rate]")).to_contain_text("Nothing received")
    _fits(page, width)
