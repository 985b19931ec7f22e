"""The warehouse ships part of a confirmed order from the order page: Ship → 3 of 5 → picked → packed →
shipped with the tracking number. The order then shows 3 shipped and 2 left (still reserved), the stock has
fallen by 3 (on the stock list when the stock pages are there, and in the order's own summary), and the
shipment pages work on a phone (390 px) without scrolling sideways."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def confirmed_order(make_user):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.sales.services import orders
    from tandem.stock import services as stock_services
    from tandem.stock.models import Location, StockMove, Warehouse

    manager = make_user(roles.SALES_MANAGER, username="mara")
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True,
                                         country="DE")
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    pump = Product.objects.create(sku="PUMP-1", name="Pump P1", unit=Unit.objects.create(code="pc", name="piece"))
    stock_services.record_move(product=pump, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=datetime.date(2026, 1, 5), unit_cost=Decimal(80), by=manager)
    client = ClientFactory(name="Acme Pumps GmbH", owner=manager)
    CounterpartyFactory(client=client, legal_name="Acme Pumps GmbH", valid_from=datetime.date(2024, 1, 1))
    order = orders.create_order(by=manager, client=client, warehouse=warehouse, lines=[
        {"product": pump, "quantity": Decimal(5), "unit_price": Decimal(120)}])
    return orders.confirm_order(order, by=manager), pump


def _stock_list() -> str | None:
    """The stock app's list of a warehouse's stock, once the stock pages are there."""
    try:
        return reverse("stock:stock-list")
    except NoReverseMatch:
        return None


def _stock_row(page, pump):
    row = page.locator(f"tr#product-{pump.pk}")
    return row.locator("[data-column=on_hand]"), row.locator("[data-column=reserved]")


def test_the_warehouse_ships_part_of_an_order_and_the_stock_follows(page, log_in_as, make_user, confirmed_order):
    order, pump = confirmed_order
    storekeeper = make_user(roles.WAREHOUSE, username="stefan")
    log_in_as(storekeeper)
    stock_url = _stock_list()
    if stock_url:  # before: 10 on hand, 5 reserved for the order
        page.goto(stock_url)
        on_hand, reserved = _stock_row(page, pump)
        expect(on_hand).to_contain_text("10")
        expect(reserved).to_have_text("5")

    page.goto(reverse("sales:order-detail", args=[order.pk]))
    page.locator("#shipping").get_by_role("button", name="Ship").click()
    expect(page).to_have_url(re.compile(r"/sales/shipments/new/\?order=\d+$"))
    line = order.lines.get()
    quantity = page.locator(f"input[name=quantity_{line.pk}]")
    expect(quantity).to_have_value("5")
    quantity.fill("3")
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_role("button", name="Make shipment").click()
    expect(page).to_have_url(re.compile(r"/sales/shipments/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Shipment SH-")
    expect(page.locator(".page-header")).to_contain_text("To pick")

    page.get_by_role("button", name="Confirm picked").click()
    expect(page.locator(".page-header")).to_contain_text("Picked")
    page.get_by_role("button", name="Confirm packed").click()
    expect(page.locator(".page-header")).to_contain_text("Packed")
    page.locator("#ship-tracking").fill("JD014600003")
    page.locator("form.ship-form").get_by_role("button", name="Ship").click()
    expect(page.locator(".page-header")).to_contain_text("Shipped")
    expect(page.locator("article.shipment-facts")).to_contain_text("JD014600003")
    expect(page.get_by_role("button", name="Delivery note (PDF)")).to_be_visible()

    # The order: partly shipped, 3 shipped, 2 left and still reserved for the client.
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=order.number).click()
    expect(page.locator(".page-header").first).to_contain_text("Partly shipped")
    row = page.locator(f"table.shipping-summary tr[data-line='{line.pk}']")
    expect(row.locator("[data-field=shipped]")).to_have_text("3")
    expect(row.locator("[data-field=left]")).to_have_text("2")
    expect(page.locator("ul.order-shipments")).to_contain_text("JD014600003")

    # The stock fell by 3 and the backorder's 2 stay reserved: the stock list says so (when the stock pages
    # are there; the order's own summary above says it in any case).
    if stock_url:
        page.goto(stock_url)
        on_hand, reserved = _stock_row(page, pump)
        expect(on_hand).to_contain_text("7")
        expect(reserved).to_have_text("2")

    # On a phone: the shipment list and page fit the width.
    page.set_viewport_size(PHONE)
    for url in (reverse("sales:shipment-list"), reverse("sales:order-detail", args=[order.pk]),
                reverse("sales:shipment-detail", args=[order.shipments.get().pk])):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    expect(page.locator("h1")).to_contain_text("Shipment")
