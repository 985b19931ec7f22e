"""Location and lot pickers of the stock forms (issue #13): a location picker kept to a warehouse, a lot picker
kept to the chosen product showing expiry and what is available; the server refuses a lot of another product
or a location of another warehouse with an error on that field."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.stock import services
from tandem.stock.models import Lot, StockCountLine, StockMove

D = Decimal


@pytest.fixture
def keeper(client, make_user):
    client.force_login(make_user(roles.WAREHOUSE, username="storekeeper"))
    return client


@pytest.fixture
def milk_lots(room):
    fresh = Lot.objects.create(product=room.milk, code="M-FRESH", expiry_date=datetime.date(2099, 1, 31))
    old = Lot.objects.create(product=room.milk, code="M-OLD", expiry_date=datetime.date(2020, 1, 31))
    services.receive_stock(product=room.milk, quantity=D(6), location=room.bin_a, lot=fresh, by=None)
    services.receive_stock(product=room.milk, quantity=D(2), location=room.second_stock, lot=fresh, by=None)
    services.receive_stock(product=room.milk, quantity=D(3), location=room.bin_b, lot=old, by=None)
    drill = Lot.objects.create(product=room.drill, code="M-SERIAL-1")
    return fresh, old, drill


def _options(html: str) -> list[str]:
    import re

    return re.findall(r'data-label="([^"]*)"', html)


def test_location_picker_is_kept_to_the_warehouse(keeper, room):
    url = reverse("stock:location-picker")
    html = keeper.get(url, {"field": "location", "location_search": "B1"}).content.decode()
    assert "MAIN/B1" in html and "Aisle B shelf 1" in html
    html = keeper.get(url, {"field": "location", "warehouse": room.second.pk}).content.decode()
    assert "SECOND/STOCK" in html and "MAIN/" not in html
    html = keeper.get(url, {"field": "location", "warehouse": room.main.pk, "location_search": "aisle"}).content
    assert b"MAIN/A1" in html and b"MAIN/B1" in html and b"SECOND" not in html


def test_lot_picker_shows_the_products_lots_with_expiry_and_available(keeper, room, milk_lots):
    fresh, old, _drill = milk_lots
    url = reverse("stock:lot-picker")
    html = keeper.get(url, {"field": "lot", "product": room.milk.pk}).content.decode()
    assert "M-FRESH" in html and "M-OLD" in html and "M-SERIAL-1" not in html  # only the milk's lots
    assert "available 8" in html and "expired" in html  # all warehouses: 6 + 2; the old lot is marked
    html = keeper.get(url, {"field": "lot", "product": room.milk.pk, "warehouse": room.second.pk}).content.decode()
    assert "available 2" in html
    # For a shipment: only lots with stock in the warehouse that have not expired.
    html = keeper.get(url, {"field": "lot", "product": room.milk.pk, "warehouse": room.main.pk,
                            "shippable": "1"}).content.decode()
    assert "M-FRESH" in html and "M-OLD" not in html and "available 6" in html
    # Typing searches by code (within the product when one is chosen).
    html = keeper.get(url, {"field": "lot", "lot_search": "m-se"}).content.decode()
    assert "M-SERIAL-1" in html and "M-FRESH" not in html


def test_transfer_with_a_picked_lot_and_the_refusals_on_their_fields(keeper, room, milk_lots):
    fresh, old, drill = milk_lots
    page = keeper.get(reverse("stock:transfer-new")).content.decode()
    assert 'name="lot_search"' in page and 'name="from_location_search"' in page
    assert 'data-picker-depends="product"' in page
    wrong = keeper.post(reverse("stock:transfer-new"), {
        "product": room.milk.pk, "quantity": "1", "from_location": room.bin_a.pk, "to_location": room.bin_b.pk,
        "lot": drill.pk})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["lot"] == ["M-SERIAL-1 is a lot of DRILL-X, not of MILK-1."]
    typed = keeper.post(reverse("stock:transfer-new"), {
        "product": room.milk.pk, "quantity": "1", "from_location_search": "MAIN/A1", "to_location_search": "B1",
        "lot_search": "m-serial-1"})  # typed without choosing: only the milk's lots match
    assert typed.status_code == 400 and "lot" in typed.context["form"].errors
    moved = keeper.post(reverse("stock:transfer-new"), {
        "product": room.milk.pk, "quantity": "2", "from_location_search": "MAIN/A1", "to_location_search": "B1",
        "lot": fresh.pk})
    assert moved.status_code == 302, moved.content.decode()[:3000]
    move = StockMove.objects.get(kind=StockMove.Kind.TRANSFER)
    assert (move.lot, move.from_location, move.to_location, move.quantity) == (fresh, room.bin_a, room.bin_b, 2)


def test_count_line_location_of_the_count_warehouse_and_lot_of_the_product(keeper, room, milk_lots):
    fresh, old, drill = milk_lots
    count = services.create_count(warehouse=room.main, by=None)
    url = reverse("stock:count-line-add", args=[count.pk])
    page = keeper.get(reverse("stock:count-detail", args=[count.pk])).content.decode()
    assert f'hx-vals="{{&quot;warehouse&quot;: &quot;{room.main.pk}&quot;}}"' in page  # the picker asks for MAIN's
    elsewhere = keeper.post(url, {"product": room.milk.pk, "location": room.second_stock.pk, "lot": fresh.pk,
                                  "counted": "2"})
    assert elsewhere.status_code == 400
    assert elsewhere.context["line_form"].errors["location"] == [f"There is no location #{room.second_stock.pk} "
                                                                 "you may choose."]
    other_product = keeper.post(url, {"product": room.milk.pk, "location": room.bin_a.pk, "lot": drill.pk,
                                      "counted": "2"})
    assert other_product.status_code == 400 and "lot" in other_product.context["line_form"].errors
    both = keeper.post(url, {"product": room.milk.pk, "location": room.bin_a.pk, "lot": fresh.pk,
                             "lot_code": "NEW", "counted": "2"})
    assert both.status_code == 400 and "lot_code" in both.context["line_form"].errors
    assert not StockCountLine.objects.exists()
    ok = keeper.post(url, {"product": room.milk.pk, "location_search": "A1", "lot": fresh.pk, "counted": "5"})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    new = keeper.post(url, {"product": room.milk.pk, "location": room.bin_b.pk, "lot_code": "M-FOUND",
                            "counted": "1"})
    assert new.status_code == 302
    assert sorted(StockCountLine.objects.values_list("lot__code", "location__code", "counted")) == [
        ("M-FOUND", "B1", D(1)), ("M-FRESH", "A1", D(5))]


# --- The receipt and adjustment forms (the #13 leftover) ----------------------------------------------------

def test_receipt_form_picks_a_bin_of_the_chosen_warehouse_and_a_lot_of_the_product(keeper, room, milk_lots):
    fresh, old, drill = milk_lots
    url = reverse("stock:receipt-new")
    page = keeper.get(url).content.decode()
    assert 'name="to_location_search"' in page and 'name="lot_search"' in page and 'name="warehouse"' in page
    assert page.count('data-picker-depends="warehouse"') == 1 and 'data-picker-depends="product"' in page
    elsewhere = keeper.post(url, {"product": room.milk.pk, "quantity": "1", "warehouse": room.main.pk,
                                  "to_location": room.second_stock.pk, "lot": fresh.pk})
    assert elsewhere.status_code == 400
    assert elsewhere.context["form"].errors["to_location"] == [
        "SECOND/STOCK is a location of SECOND Second, not of MAIN Main."]
    typed = keeper.post(url, {"product": room.milk.pk, "quantity": "1", "warehouse": room.second.pk,
                              "to_location_search": "A1", "lot": fresh.pk})  # MAIN's bin typed for SECOND
    assert typed.status_code == 400 and "to_location" in typed.context["form"].errors
    other_product = keeper.post(url, {"product": room.milk.pk, "quantity": "1", "warehouse": room.main.pk,
                                      "to_location": room.bin_a.pk, "lot": drill.pk})
    assert other_product.status_code == 400
    assert other_product.context["form"].errors["lot"] == ["M-SERIAL-1 is a lot of DRILL-X, not of MILK-1."]
    both = keeper.post(url, {"product": room.milk.pk, "quantity": "1", "warehouse": room.main.pk,
                             "to_location": room.bin_a.pk, "lot": fresh.pk, "lot_code": "NEW"})
    assert both.status_code == 400 and "lot_code" in both.context["form"].errors
    missing = keeper.post(url, {"product": room.milk.pk, "quantity": "1", "warehouse": room.main.pk,
                                "to_location": room.bin_a.pk})
    assert missing.status_code == 400 and "lot" in missing.context["form"].errors  # tracked: the service's refusal
    assert not StockMove.objects.filter(kind=StockMove.Kind.RECEIPT, quantity=1).exists()
    ok = keeper.post(url, {"product": room.milk.pk, "quantity": "4", "warehouse": room.main.pk,
                           "to_location_search": "B1", "lot": fresh.pk})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    new = keeper.post(url, {"product": room.milk.pk, "quantity": "2", "warehouse": room.second.pk,
                            "to_location_search": "STOCK", "lot_code": "M-NEW", "expiry_date": "2099-02-01"})
    assert new.status_code == 302, new.content.decode()[:3000]
    received = reversed(StockMove.objects.filter(kind=StockMove.Kind.RECEIPT).order_by("-pk")[:2])
    assert [(m.lot.code, str(m.to_location), m.quantity) for m in received] == [
        ("M-FRESH", "MAIN/B1", 4), ("M-NEW", "SECOND/STOCK", 2)]
    assert Lot.objects.get(code="M-NEW").expiry_date == datetime.date(2099, 2, 1)


def test_adjustment_form_refuses_a_foreign_bin_or_lot_on_its_field(keeper, room, milk_lots):
    fresh, old, drill = milk_lots
    url = reverse("stock:adjustment-new")
    page = keeper.get(url).content.decode()
    assert 'name="location_search"' in page and 'name="lot_search"' in page
    elsewhere = keeper.post(url, {"product": room.milk.pk, "quantity": "-1", "warehouse": room.second.pk,
                                  "location": room.bin_a.pk, "lot": fresh.pk, "reason": "Broken"})
    assert elsewhere.status_code == 400
    assert elsewhere.context["form"].errors["location"] == ["MAIN/A1 is a location of MAIN Main, not of SECOND Second."]
    other_product = keeper.post(url, {"product": room.milk.pk, "quantity": "-1", "warehouse": room.main.pk,
                                      "location": room.bin_a.pk, "lot": drill.pk, "reason": "Broken"})
    assert other_product.status_code == 400 and "lot" in other_product.context["form"].errors
    ok = keeper.post(url, {"product": room.milk.pk, "quantity": "-1", "warehouse": room.main.pk,
                           "location_search": "A1", "lot_search": "m-fr", "reason": "Broken"})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    move = StockMove.objects.get(kind=StockMove.Kind.ADJUSTMENT)
    assert (move.lot, move.from_location, move.quantity) == (fresh, room.bin_a, 1)
