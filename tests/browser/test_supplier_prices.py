"""A buyer makes a counterparty a supplier, gives it a price for a product with a pack size and validity, edits
the price, sees it on the product page's Suppliers panel and makes it the preferred one; on a 390 px phone the
pages do not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tests.browser.test_purchasing import purchasing_world  # noqa: F401 (the fixture: a supplier of PUMP-7 at 80)

pytestmark = pytest.mark.browser


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_buyer_makes_a_supplier_prices_a_product_and_prefers_it(page, log_in_as, make_user, width, height,
                                                                purchasing_world):  # noqa: F811
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing.models import SupplierPrice, SupplierProfile

    pump = purchasing_world
    CounterpartyFactory(client=ClientFactory(name="Holzhandel Nord"), legal_name="Holzhandel Nord GmbH",
                        valid_from=datetime.date(2024, 1, 1))
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.PURCHASING, username="bea", first_name="Bea", last_name="Buyer"))
    page.goto("/purchasing/suppliers/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    page.get_by_role("button", name="New supplier", exact=True).click()
    expect(page.get_by_role("heading", name="New supplier")).to_be_visible()
    page.locator("[data-picker=counterparty] [data-picker-search]").fill("Holzhandel")
    page.locator("[data-picker=counterparty] [role=option]", has_text="Holzhandel Nord GmbH").click()
    page.get_by_label("Payment terms (days)").fill("14")
    page.get_by_label("Default lead time (days)").fill("5")
    _fits(page, width)
    page.get_by_role("button", name="Make supplier").click()
    expect(page.get_by_text("Holzhandel Nord GmbH is now a supplier.")).to_be_visible()
    expect(page.get_by_role("heading", name="Holzhandel Nord GmbH")).to_be_visible()
    expect(page.locator("#profile")).to_contain_text("14 days")
    expect(page.locator("#prices")).to_contain_text("No prices yet.")

    page.locator("#prices").get_by_role("button", name="New supplier price").click()
    expect(page.get_by_role("heading", name="New supplier price")).to_be_visible()
    expect(page.locator("[data-picker=supplier] [data-picker-search]")).to_have_value("Holzhandel Nord GmbH")
    expect(page.get_by_label("Currency")).to_have_value("EUR")  # the supplier's
    expect(page.get_by_label("Lead time (days)")).to_have_value("5")  # the supplier's default
    page.locator("[data-picker=product] [data-picker-search]").fill("garden")
    page.locator("[data-picker=product] [role=option]", has_text="PUMP-7 Garden pump").click()
    page.get_by_label("Supplier's code").fill("HN-GP7")
    page.get_by_label("Unit price").fill("72.50")
    page.get_by_label("Minimum quantity").fill("10")
    page.get_by_label("Pack size").fill("6")
    page.get_by_label("Valid from").fill("2026-01-01")
    page.get_by_label("Valid to").fill("2025-12-31")
    _fits(page, width)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("'Valid to' must not be before 'valid from'.")).to_be_visible()  # refused, kept
    page.get_by_label("Valid to").fill("2026-12-31")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Supplier price added.")).to_be_visible()
    row = page.locator("#prices tr", has_text="PUMP-7")
    expect(row).to_contain_text("HN-GP7")
    expect(row).to_contain_text("72.5")
    expect(row).to_contain_text("6")
    _fits(page, width)

    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit supplier price")).to_be_visible()
    expect(page.get_by_label("Pack size")).to_have_value("6")
    page.get_by_label("Pack size").fill("12")
    page.get_by_label("Unit price").fill("70")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Supplier price saved.")).to_be_visible()
    price = SupplierPrice.objects.get(supplier=SupplierProfile.objects.get(counterparty__legal_name__startswith="Holz"))
    assert (price.unit_price, price.pack_size) == (Decimal(70), Decimal(12))
    assert price.valid_to == datetime.date(2026, 12, 31)

    page.locator("#prices").get_by_role("link", name="PUMP-7").click()
    panel = page.locator("#panel-suppliers")
    panel.evaluate("section => section.closest('details').open = true")
    ours = panel.locator("tr", has_text="Holzhandel Nord GmbH")
    expect(ours).to_contain_text("70")
    expect(ours).to_contain_text("12")
    expect(ours).not_to_contain_text("Preferred")
    expect(panel.locator("tr", has_text="Pumpenwerk AG")).to_contain_text("Preferred")
    _fits(page, width)
    ours.get_by_role("button", name="Make preferred").click()
    expect(page.get_by_text("Holzhandel Nord GmbH is now the preferred supplier of PUMP-7.")).to_be_visible()
    panel = page.locator("#panel-suppliers")
    panel.evaluate("section => section.closest('details').open = true")
    expect(panel.locator("tr", has_text="Holzhandel Nord GmbH")).to_contain_text("Preferred")
    expect(panel.locator("tr", has_text="Pumpenwerk AG")).not_to_contain_text("Preferred")
    expect(panel.locator("tr", has_text="Pumpenwerk AG").get_by_role("button", name="Make preferred")).to_be_visible()
    _fits(page, width)
    preferred = SupplierPrice.objects.get(product=pump, is_preferred=True)
    assert preferred.supplier.counterparty.legal_name == "Holzhandel Nord GmbH"
