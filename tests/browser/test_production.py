"""A producer makes a production order with the searchable product picker, confirms it (components reserved),
starts it, consumes the components, books time, records the output and finishes it: the order page shows the
stock taken and produced and the costs (material, operations, variance); on a 390 px phone too, without
scrolling sideways."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.fixture
def production_world(db):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.production.models import Bom, WorkCentre
    from tandem.stock.models import Location, Warehouse
    from tandem.stock.services import receive_stock

    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    table = Product.objects.create(sku="TABLE-9", name="Oak table", unit=unit)
    leg = Product.objects.create(sku="LEG-9", name="Table leg", unit=unit)
    Product.objects.create(sku="SAWDUST-9", name="Sawdust bag", unit=unit)  # a by-product
    centre = WorkCentre.objects.create(company=company, code="ASM", name="Assembly", hourly_cost=Decimal(30))
    bom = Bom.objects.create(product=table, code="v1", valid_from=datetime.date(2020, 1, 1))
    bom.lines.create(component=leg, quantity=Decimal(4))
    bom.operations.create(name="Assemble", work_centre=centre, minutes_per_unit=Decimal(30))
    receive_stock(product=leg, quantity=Decimal(10), location=shelf, unit_cost=Decimal("2.50"), by=None)
    return table


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_producer_runs_an_order_to_done_and_sees_costs(page, log_in_as, make_user, production_world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    producer = make_user(roles.PRODUCTION, username="pia", first_name="Pia", last_name="Producer")
    log_in_as(producer)
    page.goto("/production/orders/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    _fits(page, width)
    page.get_by_role("button", name="New production order").click()
    page.locator("[data-picker=product] [data-picker-search]").fill("oak")
    option = page.locator("[data-picker=product] [role=option]", has_text="TABLE-9 Oak table")
    expect(option).to_be_visible()
    option.click()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Production order MO-")).to_be_visible()
    _fits(page, width)

    page.locator("[data-action=confirm]").click()
    expect(page.get_by_test_id("mo-status")).to_contain_text("Confirmed")
    expect(page.get_by_test_id("cost-standard")).to_contain_text("50.00")  # 8 × 2.50 + 60 min × 30.00 / 60
    expect(page.locator("[data-testid^=reserved-]")).to_have_text("8")
    page.locator("[data-action=start]").click()
    expect(page.get_by_test_id("mo-status")).to_contain_text("In progress")
    page.locator("[data-action=consume]").click()  # the open quantity is preset
    expect(page.locator("[data-testid^=consumed-]")).to_have_text("8")
    expect(page.get_by_test_id("cost-material")).to_contain_text("20.00")
    page.get_by_label("Minutes Assemble").fill("90")
    page.locator("[data-action=book-time]").click()
    expect(page.get_by_test_id("cost-operation")).to_contain_text("45.00")
    by_products = page.get_by_test_id("by-products")
    by_products.locator("[data-picker=by_product_1] [data-picker-search]").fill("sawdust")
    option = by_products.locator("[data-picker=by_product_1] [role=option]", has_text="SAWDUST-9 Sawdust bag")
    expect(option).to_be_visible()
    option.click()
    by_products.locator("[name=by_product_1_quantity]").fill("3")  # at no cost: the tables keep theirs
    page.locator("[data-action=produce]").click()  # the open quantity (2) is preset
    expect(page.get_by_test_id("mo-produced")).to_contain_text("2 / 2")
    expect(page.locator("#outputs tbody")).to_contain_text("SAWDUST-9")
    expect(page.get_by_test_id("cost-produced")).to_contain_text("65.00")
    _fits(page, width)
    page.locator("[data-action=finish]").click()
    expect(page.get_by_test_id("mo-status")).to_contain_text("Done")
    expect(page.get_by_test_id("cost-actual")).to_contain_text("65.00")
    expect(page.get_by_test_id("cost-variance")).to_contain_text("15.00")  # 65.00 actual − 50.00 standard
    expect(page.get_by_test_id("cost-wip")).to_contain_text("0.00")
    _fits(page, width)
    from tandem.catalog.models import Product

    sawdust = Product.objects.get(sku="SAWDUST-9")
    page.goto(f"/catalog/products/{sawdust.pk}/")  # the by-product is in stock
    expect(page.locator("#panel-stock-per-warehouse tr[data-warehouse=MAIN] [data-col=on_hand]")).to_have_text("3")
