"""A representative makes a quote from a deal, adds lines, sends it; the client accepts; she sees the sales order,
confirms it and sees the pumps reserved — at a desktop width and on a 390 px phone."""

import datetime
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
def deal(make_user, admin_user):
    rep = make_user(roles.SALES_REPRESENTATIVE, username="anna", first_name="Anna", last_name="Berg")
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", is_default=True, base_currency="EUR")
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    pump = Product.objects.create(sku="PUMP-1", name="Circulation pump", unit=Unit.objects.create(code="pc",
                                                                                                  name="piece"))
    stock_services.record_move(product=pump, quantity=Decimal(20), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=datetime.date(2026, 1, 5), unit_cost=Decimal(40), by=None)
    price_list = PriceList.objects.create(name="General EUR", currency="EUR")
    PriceListItem.objects.create(price_list=price_list, product=pump, unit_price=Decimal("120"))
    client = ClientFactory(name="Acme Pumps GmbH", owner=rep)
    counterparty = CounterpartyFactory(client=client, legal_name="Acme Pumps GmbH",
                                       valid_from=datetime.date(2024, 1, 1))
    pipeline = deal_services.create_pipeline(by=admin_user, name="Simple", is_default=True,
                                             stages=[{"name": "Offer"}])
    return rep, deal_services.create_deal(by=rep, client=client, title="Pumps for Acme", pipeline=pipeline,
                                          counterparty=counterparty, currency="EUR")


@pytest.mark.parametrize("width", [1280, 390])
def test_quote_from_a_deal_accepted_into_a_confirmed_order(page, log_in_as, deal, width):
    rep, the_deal = deal
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as(rep)
    page.goto(f"/crm/deals/{the_deal.pk}/")
    page.locator('[data-action="new-quote"]').first.click()
    expect(page.get_by_role("heading", name="New quote")).to_be_visible()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Quote Q-")).to_be_visible()

    # Two lines, priced from the list (120 € a pump), added without reloading the page.
    page.locator("input[name=product_search]").fill("PUMP")
    page.locator("[data-picker=product] [role=option]", has_text="PUMP-1").click()
    page.locator("form.line-add input[name=quantity]").fill("3")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator(".doc-total").last).to_contain_text("360.00")
    expect(page.locator("table.sales-lines")).to_contain_text("list General EUR")

    page.locator('[data-action="send"]').click()
    expect(page.locator('[data-action="accept"]')).to_be_visible()
    page.locator('[data-action="accept"]').click()
    expect(page.get_by_role("heading", name="Sales order SO-")).to_be_visible()
    page.locator('[data-action="confirm"]').click()
    expect(page.get_by_text("Order confirmed; stock reserved.")).to_be_visible()
    expect(page.locator("table.sales-lines")).to_contain_text("Reserved")

    # The deal is won at the quote's total and lists the quote and the order.
    page.goto(f"/crm/deals/{the_deal.pk}/")
    expect(page.locator("#deal-sales")).to_contain_text("Q-")
    expect(page.locator("#deal-sales")).to_contain_text("SO-")
    width_ok = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    assert width_ok
