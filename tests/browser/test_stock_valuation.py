"""An accountant opens "Stock valuation", picks a warehouse and a past date and reads the value of each
product and the total — also on a phone-sized screen; a receipt entered late shows in the value at once."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.stock import services
from tandem.stock.models import Location, StockMove, Warehouse

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_valuation_page_shows_the_value_at_a_date(page, log_in_as, make_user, width):
    company = LegalEntity.objects.create(name="Nordlicht", base_currency="EUR", is_default=True,
                                         valuation_method="fifo")
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    lamp = Product.objects.create(sku="LAMP-01", name="Desk lamp", unit=Unit.objects.create(code="pc", name="pc"))
    services.record_move(product=lamp, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                         unit_cost=Decimal("12.5"), effective_date=datetime.date(2026, 3, 1), by=None)
    services.record_move(product=lamp, quantity=Decimal(4), kind=StockMove.Kind.SHIPMENT, from_location=shelf,
                         effective_date=datetime.date(2026, 3, 20), by=None)
    page.set_viewport_size({"width": width, "height": 800})
    log_in_as(make_user("Accountant"))

    page.goto("/stock/valuation/")
    page.get_by_label("Warehouse").select_option(label=str(warehouse))
    page.get_by_label("Date").fill("2026-03-10")
    page.get_by_role("button", name="Show").click()
    row = page.locator("#stock-valuation tbody tr", has_text="LAMP-01")
    expect(row).to_contain_text("Desk lamp")
    expect(row.locator("[data-value]")).to_have_text("€125.00")
    expect(page.locator("[data-total]")).to_have_text("€125.00")

    page.get_by_label("Date").fill("2026-03-31")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-total]")).to_have_text("€75.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
