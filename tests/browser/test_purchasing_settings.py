"""A manager lowers the approval threshold on the purchasing settings page (a bad value first shows its error),
then a buyer's order above the new threshold waits for approval, and the manager sends it back to draft; the
buyer sees it editable again. On a 390 px phone the pages do not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing.models import SupplierPrice, SupplierProfile
    from tandem.stock.models import Location, Warehouse

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    valve = Product.objects.create(sku="VALVE-3", name="Brass valve", unit=unit)
    counterparty = CounterpartyFactory(client=ClientFactory(name="Ventil GmbH"), legal_name="Ventil GmbH",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = SupplierProfile.objects.create(counterparty=counterparty, currency=company.base_currency)
    SupplierPrice.objects.create(supplier=supplier, product=valve, currency=company.base_currency,
                                 unit_price=Decimal("12"), is_preferred=True)
    return {"company": company, "supplier": supplier, "warehouse": warehouse, "valve": valve}


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_manager_sets_the_threshold_and_sends_an_order_back_to_draft(page, log_in_as, make_user, world, width,
                                                                     height):
    from tandem.purchasing import services

    page.set_viewport_size({"width": width, "height": height})
    manager = make_user(roles.SALES_MANAGER, username="max", first_name="Max", last_name="Manager")
    log_in_as(manager)
    page.goto("/purchasing/orders/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    # The settings page is in the account menu (purchasing's AppConfig.settings_menu).
    page.locator("details.user-menu summary").click()
    page.get_by_role("link", name="Purchasing settings").click()
    expect(page.get_by_role("heading", name="Purchasing settings", level=1)).to_be_visible()
    threshold = page.get_by_label("approval from total")
    expect(threshold).to_have_value("5000.00")
    expect(page.get_by_text("waits for a manager's approval")).to_be_visible()
    _fits(page, width)

    threshold.fill("-10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_approval_threshold_error")).to_be_visible()
    threshold = page.get_by_label("approval from total")
    threshold.fill("500")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Purchasing settings of Tandem Trading GmbH saved.")).to_be_visible()
    expect(page.get_by_label("approval from total")).to_have_value("500.00")
    _fits(page, width)

    buyer = make_user(roles.PURCHASING, username="bea", first_name="Bea", last_name="Buyer")
    order = services.create_purchase_order(supplier=world["supplier"], warehouse=world["warehouse"], by=buyer,
                                           lines=[{"product": world["valve"], "quantity": Decimal(50)}])  # 600
    log_in_as(buyer)
    page.goto(f"/purchasing/orders/{order.pk}/")
    expect(page.get_by_text("This order's total needs a manager's approval.")).to_be_visible()
    page.locator("[data-action=submit]").click()
    expect(page.locator("hgroup .badge")).to_contain_text("Awaiting approval")
    expect(page.locator("[data-action=return-to-draft]")).to_have_count(0)

    log_in_as(manager)
    page.goto(f"/purchasing/orders/{order.pk}/")
    back = page.get_by_role("button", name="Send back to draft")
    expect(back).to_be_visible()
    _fits(page, width)
    back.click()
    expect(page.locator("hgroup .badge")).to_contain_text("Draft")
    expect(page.get_by_text(f"Purchase order {order.number}: Draft.")).to_be_visible()
    expect(page.locator("[data-action=approve]")).to_have_count(0)

    log_in_as(buyer)
    page.goto(f"/purchasing/orders/{order.pk}/")
    expect(page.locator("[data-action=submit]")).to_be_visible()  # the buyer may change it and submit it again
    expect(page.get_by_role("button", name="Add line")).to_be_visible()
    _fits(page, width)
