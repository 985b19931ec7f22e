"""A storekeeper moves and counts lot-tracked goods through searchable pickers (issue #13): the location
picker offers the bins of the warehouse (only the count's warehouse on a count), the lot picker only the
chosen product's lots with their expiry date and what is available; a count line entered by mistake is deleted
while the count is a draft. On a laptop and on a 390 px phone (no sideways scrolling)."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser

SIZES = [(1280, 800), (390, 844)]


@pytest.fixture
def stockroom(db):
    from tandem.stock import services
    from tandem.stock.models import Lot
    from tandem.stock.tests.conftest import build_stockroom

    room = build_stockroom()
    fresh = Lot.objects.create(product=room.milk, code="M-FRESH", expiry_date=datetime.date(2099, 1, 31))
    Lot.objects.create(product=room.drill, code="M-SERIAL-1")  # another product's: never offered for milk
    services.receive_stock(product=room.milk, quantity=Decimal(6), location=room.bin_a, lot=fresh, by=None)
    return room


def pick(page, name, typed, option_text):
    picker = page.locator(f"[data-picker={name}]")
    picker.locator("[data-picker-search]").fill(typed)
    option = picker.locator("[role=option]", has_text=option_text)
    expect(option).to_be_visible()
    option.click()
    return picker


@pytest.mark.parametrize("width,height", SIZES)
def test_transfer_picks_bins_and_a_lot_of_the_product(page, log_in_as, make_user, stockroom, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.WAREHOUSE, username="stella", first_name="Stella", last_name="Lager"))
    page.goto("/stock/transfers/new/")
    pick(page, "product", "milk", "MILK-1 Milk 1 l")
    page.get_by_label("Quantity").fill("2")
    pick(page, "from_location", "A1", "MAIN/A1")
    to = pick(page, "to_location", "aisle b", "MAIN/B1")
    expect(to.locator("[data-picker-detail]")).to_contain_text("Aisle B shelf 1")

    # The lot picker lists the milk's lots as soon as it is focused: expiry and what is available.
    lot = page.locator("[data-picker=lot]")
    lot.locator("[data-picker-search]").focus()
    option = lot.locator("[role=option]", has_text="M-FRESH")
    expect(option).to_be_visible()
    expect(option).to_contain_text("available 6")
    expect(option).to_contain_text("expires")
    expect(lot.locator("[role=option]", has_text="M-SERIAL-1")).to_have_count(0)
    option.click()
    expect(lot.locator("[data-picker-search]")).to_have_value("M-FRESH")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Transfer of 2 × MILK-1 recorded.")).to_be_visible()


@pytest.mark.parametrize("width,height", SIZES)
def test_count_picks_a_bin_of_its_warehouse_and_a_lot_then_deletes_a_line(page, log_in_as, make_user, stockroom,
                                                                          width, height):
    from tandem.stock import services

    page.set_viewport_size({"width": width, "height": height})
    count = services.create_count(warehouse=stockroom.main, by=None)
    services.set_count_line(count, product=stockroom.bolt, location=stockroom.bin_b, counted=Decimal(3), by=None)
    log_in_as(make_user(roles.WAREHOUSE, username="stella", first_name="Stella", last_name="Lager"))
    page.goto(f"/stock/counts/{count.pk}/")

    pick(page, "product", "milk", "MILK-1 Milk 1 l")
    # Only the count's warehouse: SECOND's bin is not offered, whatever is typed.
    location = page.locator("[data-picker=location]")
    location.locator("[data-picker-search]").fill("stock")
    expect(location.locator("[role=option]", has_text="MAIN/STOCK")).to_be_visible()
    expect(location.locator("[role=option]", has_text="SECOND")).to_have_count(0)
    pick(page, "location", "A1", "MAIN/A1")
    lot = page.locator("[data-picker=lot]")
    lot.locator("[data-picker-search]").focus()
    option = lot.locator("[role=option]", has_text="M-FRESH")
    expect(option).to_contain_text("available 6")
    option.click()
    page.get_by_label("Counted").fill("5")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Save line").click()
    lines = page.locator("table.count-lines tbody tr")
    expect(lines).to_have_count(2)
    milk = lines.filter(has_text="MILK-1")
    expect(milk).to_contain_text("M-FRESH")
    expect(milk.locator("[data-column=variance]")).to_have_text("-1")

    # The bolt line was a mistake: delete it while the count is a draft.
    bolt = lines.filter(has_text="BOLT-8")
    bolt.locator("[data-delete-line]").click()
    expect(page.get_by_text("Line deleted.")).to_be_visible()
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("MILK-1")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Posted: the lines stay, no delete buttons any more.
    page.get_by_role("button", name="Post the count").click()
    expect(page.locator("[data-status=posted]")).to_be_visible()
    expect(page.locator("[data-delete-line]")).to_have_count(0)


@pytest.fixture
def serum_order(make_user):
    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.sales.services import orders
    from tandem.stock import services as stock_services
    from tandem.stock.models import Location, Lot, Warehouse

    manager = make_user(roles.SALES_MANAGER, username="mara")
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True,
                                         country="DE")
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    cold = Location.objects.create(warehouse=warehouse, code="C1", name="Cold room")
    other = Warehouse.objects.create(company=company, code="FAR", name="Far away")
    Location.objects.create(warehouse=other, code="C9", name="Cold room far away")
    serum = Product.objects.create(sku="SERUM-1", name="Serum S1", tracking=Product.Tracking.LOT,
                                   unit=Unit.objects.create(code="pc", name="piece"))
    early = Lot.objects.create(product=serum, code="L-EARLY", expiry_date=datetime.date(2098, 1, 31))
    late = Lot.objects.create(product=serum, code="L-LATE", expiry_date=datetime.date(2099, 6, 30))
    gone = Lot.objects.create(product=serum, code="L-GONE", expiry_date=datetime.date(2020, 1, 1))
    stock_services.receive_stock(product=serum, quantity=Decimal(5), location=shelf, lot=early, by=None)
    stock_services.receive_stock(product=serum, quantity=Decimal(4), location=cold, lot=late, by=None)
    stock_services.receive_stock(product=serum, quantity=Decimal(2), location=cold, lot=gone,
                                 effective_date=datetime.date(2019, 12, 1), by=None)
    client = ClientFactory(name="Acme Labs GmbH", owner=manager)
    CounterpartyFactory(client=client, legal_name="Acme Labs GmbH", valid_from=datetime.date(2024, 1, 1))
    order = orders.create_order(by=manager, client=client, warehouse=warehouse, lines=[
        {"product": serum, "quantity": Decimal(2), "unit_price": Decimal(120)}])
    return orders.confirm_order(order, by=manager)


@pytest.mark.parametrize("width,height", SIZES)
def test_ship_picks_a_bin_of_the_orders_warehouse_and_an_unexpired_lot(page, log_in_as, make_user, serum_order,
                                                                       width, height):
    from tandem.sales.models import ShipmentLine

    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.WAREHOUSE, username="stefan"))
    page.goto(f"/sales/shipments/new/?order={serum_order.pk}")
    line = serum_order.lines.get()
    location = page.locator(f"[data-picker=location_{line.pk}]")
    lot = page.locator(f"[data-picker=lot_{line.pk}]")
    # Suggested: the default bin and the lot that expires first.
    expect(location.locator("[data-picker-search]")).to_have_value("MAIN/A1")
    expect(lot.locator("[data-picker-search]")).to_have_value("L-EARLY")

    # The cold room instead: only MAIN's bins are offered.
    location.locator("[data-picker-search]").fill("cold")
    expect(location.locator("[role=option]", has_text="MAIN/C1")).to_be_visible()
    expect(location.locator("[role=option]", has_text="FAR")).to_have_count(0)
    location.locator("[role=option]", has_text="MAIN/C1").click()
    # The lot picker offers the serum's unexpired lots in stock in MAIN, with expiry and what is available.
    lot.locator("[data-picker-search]").fill("l-")
    late = lot.locator("[role=option]", has_text="L-LATE")
    expect(late).to_contain_text("available 4")
    expect(lot.locator("[role=option]", has_text="L-EARLY")).to_be_visible()
    expect(lot.locator("[role=option]", has_text="L-GONE")).to_have_count(0)
    late.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Make shipment").click()
    expect(page.locator("h1")).to_contain_text("Shipment SH-")
    shipped = ShipmentLine.objects.get()
    assert (shipped.location.code, shipped.lot.code, shipped.quantity) == ("C1", "L-LATE", Decimal(2))


@pytest.mark.parametrize("width,height", SIZES)
def test_receipt_and_adjustment_pick_a_bin_of_the_warehouse_and_a_lot_of_the_product(page, log_in_as, make_user,
                                                                                     stockroom, width, height):
    from tandem.stock.models import StockMove

    page.set_viewport_size({"width": width, "height": height})
    log_in_as(make_user(roles.WAREHOUSE, username="stella", first_name="Stella", last_name="Lager"))
    page.goto("/stock/receipts/new/", timeout=60_000)  # the first page of a cold live server, on a busy machine
    pick(page, "product", "milk", "MILK-1 Milk 1 l")
    page.get_by_label("Quantity").fill("3")
    # SECOND chosen: only its bins are offered, MAIN's are not, whatever is typed.
    page.get_by_label("Warehouse").select_option(label="SECOND Second")
    to = page.locator("[data-picker=to_location]")
    to.locator("[data-picker-search]").fill("stock")
    expect(to.locator("[role=option]", has_text="SECOND/STOCK")).to_be_visible()
    expect(to.locator("[role=option]", has_text="MAIN/")).to_have_count(0)
    to.locator("[role=option]", has_text="SECOND/STOCK").click()
    lot = page.locator("[data-picker=lot]")
    lot.locator("[data-picker-search]").focus()
    option = lot.locator("[role=option]", has_text="M-FRESH")
    expect(option).to_be_visible()
    expect(lot.locator("[role=option]", has_text="M-SERIAL-1")).to_have_count(0)
    option.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Receipt of 3 × MILK-1 recorded.")).to_be_visible()
    move = StockMove.objects.filter(kind=StockMove.Kind.RECEIPT).latest("pk")
    assert (str(move.to_location), move.lot.code, move.quantity) == ("SECOND/STOCK", "M-FRESH", Decimal(3))

    # An adjustment with a bin of another warehouse typed is refused on the location field.
    page.goto("/stock/adjustments/new/")
    pick(page, "product", "milk", "MILK-1 Milk 1 l")
    page.get_by_label("Warehouse").select_option(label="SECOND Second")
    page.locator("[data-picker=location] [data-picker-search]").fill("MAIN/A1")
    page.get_by_label("Quantity").fill("-1")
    page.get_by_label("Reason").fill("Broken")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("No location matches “MAIN/A1”", exact=False)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
