"""A sales manager runs planning for an order short of bicycles, sees the proposals with what they serve, confirms
the purchases and finds the purchase order they became; the order page says the bicycles are to be made. On a
phone (390 px) too."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.planning.tests.conftest import make_bom
from tandem.purchasing import services as purchasing
from tandem.sales.services import orders
from tandem.stock.models import Location, Warehouse

pytestmark = pytest.mark.browser


@pytest.fixture
def short_order(make_user):
    manager = make_user(roles.SALES_MANAGER, username="mona")
    company = default_legal_entity()
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    bike, frame, bolt = (Product.objects.create(sku=sku, name=name, unit=piece)
                         for sku, name in (("BIKE", "Bicycle"), ("FRAME", "Frame"), ("BOLT", "Bolt")))
    make_bom(bike, [(frame, 1), (bolt, 4)])
    supplier_client = ClientFactory(name="Rohr GmbH", owner=manager)
    counterparty = CounterpartyFactory(client=supplier_client, legal_name="Rohr GmbH",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = purchasing.create_supplier(counterparty=counterparty, currency="EUR", by=manager)
    for product in (frame, bolt):
        purchasing.add_supplier_price(supplier=supplier, product=product, unit_price=Decimal(3), by=manager,
                                      pack_size=Decimal(10), lead_time_days=5, is_preferred=True)
    client = ClientFactory(name="Velo Shop", owner=manager)
    CounterpartyFactory(client=client, legal_name="Velo Shop", valid_from=datetime.date(2024, 1, 1))
    today = timezone.localdate()
    with override_settings(SALES_ALLOW_CONFIRM_WITH_SHORTAGE=True):
        made = orders.create_order(by=manager, client=client, warehouse=warehouse, order_date=today,
                                   requested_date=today + datetime.timedelta(days=20),
                                   lines=[{"product": bike, "quantity": Decimal(3), "unit_price": Decimal(400)}])
        return orders.confirm_order(made, by=manager)


def _plan_and_confirm(page, order):
    page.goto("/planning/")
    expect(page.get_by_test_id("last-run")).to_contain_text("Planning has not run yet.")
    page.get_by_test_id("run-planning").click()
    expect(page.locator("body")).to_contain_text("Planning run done: 3 proposals.")
    table = page.get_by_test_id("proposals")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tr[data-kind='make']")).to_contain_text(order.number)
    expect(table.locator("tr[data-kind='purchase']").first).to_contain_text("to make BIKE")
    for box in table.locator("tr[data-kind='purchase'] input[type=checkbox]").all():
        box.check()
    page.get_by_test_id("confirm-selected").click()
    expect(page.locator("body")).to_contain_text("Orders made: PO-")
    page.goto("/planning/?status=confirmed")
    link = page.get_by_test_id("proposals").locator("a[href^='/purchasing/orders/']").first
    number = link.inner_text()
    link.click()
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("body")).to_contain_text("FRAME")
    expect(page.locator("body")).to_contain_text("BOLT")
    page.goto(f"/sales/orders/{order.pk}/")
    expect(page.get_by_test_id("order-availability")).to_contain_text("To be made: 3")


def test_manager_plans_and_confirms_purchases(page, login, short_order, live_server):
    login("mona", TEST_PASSWORD)
    _plan_and_confirm(page, short_order)


def test_planning_fits_a_phone(page, login, short_order, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login("mona", TEST_PASSWORD)
    _plan_and_confirm(page, short_order)
    page.goto("/planning/?status=")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def bolts_on_a_shelf(make_user):
    """A buyer, a warehouse and bolts bought in packs of 100 from a preferred supplier; nothing ordered."""
    buyer = make_user(roles.PURCHASING, username="bert")
    warehouse = Warehouse.objects.create(company=default_legal_entity(), code="MAIN", name="Main")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    bolt = Product.objects.create(sku="BOLT", name="Bolt", unit=piece)
    counterparty = CounterpartyFactory(client=ClientFactory(name="Schraub AG", owner=buyer), legal_name="Schraub AG",
                                       valid_from=datetime.date(2024, 1, 1))
    supplier = purchasing.create_supplier(counterparty=counterparty, currency="EUR", by=buyer)
    purchasing.add_supplier_price(supplier=supplier, product=bolt, unit_price=Decimal("0.10"), by=buyer,
                                  pack_size=Decimal(100), lead_time_days=5, is_preferred=True)
    return bolt


def _set_reorder_point_and_plan(page, bolt):
    from django.urls import reverse

    page.goto(reverse("catalog:product-detail", args=[bolt.pk]))
    panel = page.locator("#planning-parameters")
    expect(panel).to_contain_text("No minimum stock set")
    form = panel.get_by_test_id("planning-parameters-form")
    form.locator("select[name=warehouse]").select_option(index=1)
    form.get_by_label("Minimum stock (reorder point)").fill("-3")
    form.get_by_role("button", name="Save planning parameters").click()
    expect(page.locator("#planning-parameters .errorlist")).to_contain_text("greater than or equal to 0")
    form = page.get_by_test_id("planning-parameters-form")
    form.get_by_label("Minimum stock (reorder point)").fill("25")
    form.get_by_label("Safety stock").fill("5")
    form.get_by_label("Buy or make").select_option("buy")
    form.get_by_role("button", name="Save planning parameters").click()
    row = page.get_by_test_id("planning-parameters").locator("tr[data-warehouse='MAIN']")
    expect(row).to_contain_text("25")
    expect(row).to_contain_text("Buy")
    page.goto("/planning/")
    page.get_by_test_id("run-planning").click()
    expect(page.locator("body")).to_contain_text("Planning run done: 1 proposals.")
    proposal = page.get_by_test_id("proposals").locator("tr[data-kind='purchase']")
    expect(proposal).to_contain_text("BOLT")
    expect(proposal).to_contain_text("100")  # 30 needed, one pack of 100
    expect(proposal).to_contain_text("minimum stock")
    expect(proposal).to_contain_text("Schraub AG")


def test_planner_sets_a_reorder_point_on_the_product_page_and_planning_proposes_it(page, login, bolts_on_a_shelf,
                                                                                      live_server):
    login("bert", TEST_PASSWORD)
    _set_reorder_point_and_plan(page, bolts_on_a_shelf)


def test_reorder_point_on_a_phone(page, login, bolts_on_a_shelf, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login("bert", TEST_PASSWORD)
    _set_reorder_point_and_plan(page, bolts_on_a_shelf)
    from django.urls import reverse

    page.goto(reverse("catalog:product-detail", args=[bolts_on_a_shelf.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
