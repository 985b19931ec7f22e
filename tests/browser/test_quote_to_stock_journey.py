"""Issue #13, point 8: a representative makes a quote from a deal, the client accepts it, she confirms the order;
the warehouse ships part of it; the product page shows the stock change per warehouse (on hand, reserved,
available) and the order — at a desktop width and on a 390 px phone."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.catalog.models import PriceList, PriceListItem, Product, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity
from tandem.crm.services import deals as deal_services
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.stock import services as stock_services
from tandem.stock.models import Location, StockMove, Warehouse

pytestmark = pytest.mark.browser


@pytest.fixture
def world(make_user, admin_user):
    rep = make_user(roles.SALES_REPRESENTATIVE, username="anna", first_name="Anna", last_name="Berg")
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", is_default=True, base_currency="EUR")
    main = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=main, code="A1", is_default=True)
    second = Warehouse.objects.create(company=company, code="NORTH", name="North depot")
    north_shelf = Location.objects.create(warehouse=second, code="N1", is_default=True)
    pump = Product.objects.create(sku="PUMP-1", name="Circulation pump",
                                  unit=Unit.objects.create(code="pc", name="piece"))
    for location, quantity in ((shelf, 20), (north_shelf, 4)):
        stock_services.record_move(product=pump, quantity=Decimal(quantity), kind=StockMove.Kind.RECEIPT,
                                   to_location=location, effective_date=datetime.date(2026, 1, 5),
                                   unit_cost=Decimal(40), by=None)
    price_list = PriceList.objects.create(name="General EUR", currency="EUR")
    PriceListItem.objects.create(price_list=price_list, product=pump, unit_price=Decimal("120"))
    client = ClientFactory(name="Acme Pumps GmbH", owner=rep)
    counterparty = CounterpartyFactory(client=client, legal_name="Acme Pumps GmbH",
                                       valid_from=datetime.date(2024, 1, 1))
    pipeline = deal_services.create_pipeline(by=admin_user, name="Simple", is_default=True,
                                             stages=[{"name": "Offer"}])
    deal = deal_services.create_deal(by=rep, client=client, title="Pumps for Acme", pipeline=pipeline,
                                     counterparty=counterparty, currency="EUR")
    return rep, make_user(roles.WAREHOUSE, username="stefan"), deal, pump


def _stock_cells(page, code):
    row = page.locator(f"#panel-stock-per-warehouse tr[data-warehouse='{code}']")
    return (row.locator("[data-col=on_hand]"), row.locator("[data-col=reserved]"),
            row.locator("[data-col=available]"))


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("width", [1280, 390])
def test_quote_from_a_deal_to_a_partial_shipment_seen_on_the_product_page(page, log_in_as, world, width):
    rep, storekeeper, deal, pump = world
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as(rep)

    # The product page before: 20 in the main warehouse, 4 in the north depot, nothing reserved.
    page.goto(f"/catalog/products/{pump.pk}/")
    on_hand, reserved, available = _stock_cells(page, "MAIN")
    expect(on_hand).to_have_text("20")
    expect(reserved).to_have_text("0")
    expect(_stock_cells(page, "NORTH")[0]).to_have_text("4")
    _fits(page)

    # A quote from the deal: 3 pumps at the list price; sent, accepted, the order confirmed.
    page.goto(f"/crm/deals/{deal.pk}/")
    page.locator('[data-action="new-quote"]').first.click()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Quote Q-")).to_be_visible()
    page.locator("input[name=product_search]").fill("PUMP")
    page.locator("[data-picker=product] [role=option]", has_text="PUMP-1").click()
    page.locator("form.line-add input[name=quantity]").fill("3")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator(".doc-total").last).to_contain_text("360.00")
    page.locator('[data-action="send"]').click()
    page.locator('[data-action="accept"]').click()
    expect(page.get_by_role("heading", name="Sales order SO-")).to_be_visible()
    page.locator('[data-action="confirm"]').click()
    expect(page.get_by_text("Order confirmed; stock reserved.")).to_be_visible()
    order_url = page.url
    order_number = page.get_by_role("heading", name="Sales order SO-").inner_text().split()[-1]

    # Reserved on the product page, and the order listed there.
    page.goto(f"/catalog/products/{pump.pk}/")
    on_hand, reserved, available = _stock_cells(page, "MAIN")
    expect(on_hand).to_have_text("20")
    expect(reserved).to_have_text("3")
    expect(available).to_have_text("17")
    expect(page.locator("#panel-quotes-and-orders")).to_contain_text(order_number)

    # The warehouse ships 2 of the 3: pick, pack, ship.
    log_in_as(storekeeper)
    page.goto(order_url)
    page.locator("#shipping").get_by_role("button", name="Ship").click()
    expect(page).to_have_url(re.compile(r"/sales/shipments/new/\?order=\d+$"))
    page.locator("input[name^=quantity_]").first.fill("2")
    page.get_by_role("button", name="Make shipment").click()
    expect(page.locator("h1")).to_contain_text("Shipment SH-")
    page.get_by_role("button", name="Confirm picked").click()
    page.get_by_role("button", name="Confirm packed").click()
    page.locator("#ship-tracking").fill("JD014600003")
    page.locator("form.ship-form").get_by_role("button", name="Ship").click()
    expect(page.locator(".page-header")).to_contain_text("Shipped")

    # The product page after: 18 on hand, 1 still reserved for the backorder, 17 available; the shipment in
    # the moves history; the north depot untouched.
    log_in_as(rep)
    page.goto(f"/catalog/products/{pump.pk}/")
    on_hand, reserved, available = _stock_cells(page, "MAIN")
    expect(on_hand).to_have_text("18")
    expect(reserved).to_have_text("1")
    expect(available).to_have_text("17")
    expect(_stock_cells(page, "NORTH")[0]).to_have_text("4")
    history = page.locator("details[data-section='panel-moves-history']")
    history.locator("summary").click()
    expect(history.locator("#panel-moves-history")).to_contain_text("Shipment")
    expect(history.get_by_role("link", name="All moves of this product")).to_be_visible()
    _fits(page)

    # "Stock of item X" from the header search, in one step.
    page.goto("/search/?q=pump")
    expect(page.get_by_text("MAIN: 17 available; NORTH: 4 available")).to_be_visible()
    _fits(page)
