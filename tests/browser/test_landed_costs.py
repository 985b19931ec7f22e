"""An accountant opens a received purchase order, follows "Landed costs", enters the carrier's freight for the
order's receipts, allocates it and sees the receipt's unit cost change from 40 to 45; on a 390 px phone the pages
do not scroll sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def received_order(db):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.core.tests.factories import UserFactory
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.purchasing import services
    from tandem.stock.models import Location, Warehouse

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    pump = Product.objects.create(sku="PUMP-7", name="Garden pump", unit=unit, weight=Decimal("3"))
    boss = UserFactory(username="lc-boss", role=roles.ADMINISTRATOR)
    supplier = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG",
        valid_from=datetime.date(2024, 1, 1)), currency="EUR", by=boss)
    services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Schnell Spedition"), legal_name="Schnell Spedition",
        valid_from=datetime.date(2024, 1, 1)), currency="EUR", by=boss)
    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, by=boss, lines=[
        {"product": pump, "quantity": Decimal(10), "unit_price": Decimal(40)}])
    order = services.send_purchase_order(services.submit_purchase_order(order, by=boss), by=boss)
    return services.receive_purchase_order(order, lines=[(order.lines.get(), Decimal(10), None, None)], by=boss)


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_accountant_allocates_freight_and_sees_the_unit_cost_change(page, log_in_as, make_user, received_order,
                                                                   width, height):
    order = received_order
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.ACCOUNTANT, username="anna", first_name="Anna", last_name="Accountant"))
    page.goto(f"/purchasing/orders/{order.pk}/", timeout=60_000)  # the first page of a cold live server
    page.locator("[data-action=landed-costs]").click()
    expect(page.get_by_role("heading", name=f"Landed costs · {order.number}")).to_be_visible()
    _fits(page, width)
    page.get_by_role("button", name="New landed cost").click()
    page.get_by_label("Amount").fill("50")
    page.locator("[data-picker=supplier] [data-picker-search]").fill("Schnell")
    option = page.locator("[data-picker=supplier] [role=option]", has_text="Schnell Spedition")
    expect(option).to_be_visible()
    option.click()
    page.get_by_label("Allocation").select_option("weight")
    expect(page.locator("[data-picker=orders] [data-picker-search]")).to_have_value(order.number)
    _fits(page, width)
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("heading", name="Landed cost LC-")).to_be_visible()
    receipts = page.locator("#receipts")
    expect(receipts).to_contain_text("PUMP-7")
    expect(receipts.locator("[data-testid^=before-]")).to_have_text("40")
    expect(receipts.locator("[data-testid^=after-]")).to_have_text("—")
    _fits(page, width)
    page.locator("[data-action=allocate]").click()
    expect(page.locator("hgroup .badge")).to_contain_text("Allocated")
    expect(receipts.locator("[data-testid^=after-]")).to_have_text("45")  # (400 + 50) / 10
    expect(receipts.locator("[data-testid^=share-]")).to_contain_text("50.00")
    expect(page.locator("[data-action=allocate]")).to_have_count(0)
    _fits(page, width)
