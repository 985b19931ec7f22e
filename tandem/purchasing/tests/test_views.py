"""Purchasing pages: list, new order, detail with its buttons, receive form, prices, the product panel."""


import pytest

from tandem.purchasing import services
from tandem.purchasing.models import PurchaseOrder
from tandem.stock.models import WarehouseStock

pytestmark = pytest.mark.django_db


def test_buyer_makes_an_order_and_the_manager_approves_on_the_page(client, buyer, manager, supplier, pump,
                                                                    pump_price, warehouse, shelf):
    client.force_login(buyer)
    assert client.get("/purchasing/orders/").status_code == 200
    response = client.post("/purchasing/orders/new/", {"supplier": supplier.pk, "warehouse": warehouse.pk,
                                                        "order_date": "2026-06-01"})
    assert response.status_code == 302, response.content
    order = PurchaseOrder.objects.get()
    response = client.post(f"/purchasing/orders/{order.pk}/lines/add/", {"product": pump.pk, "quantity": "200",
                                                                         "version": order.version})
    assert response.status_code == 302
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "PUMP-1" in page and 'data-action="submit"' in page and 'data-action="approve"' not in page
    client.post(f"/purchasing/orders/{order.pk}/submit/")
    order.refresh_from_db()
    assert order.status == "to_approve"
    assert client.post(f"/purchasing/orders/{order.pk}/approve/").status_code == 403
    client.force_login(manager)
    assert 'data-action="approve"' in client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    client.post(f"/purchasing/orders/{order.pk}/approve/")
    order.refresh_from_db()
    assert order.status == "approved"


def test_bad_line_shows_the_field(client, buyer, supplier, pump, warehouse, shelf):
    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, by=buyer)
    client.force_login(buyer)
    response = client.post(f"/purchasing/orders/{order.pk}/lines/add/", {"product": pump.pk, "quantity": "1"})
    assert response.status_code == 400 and "has no price" in response.content.decode()


def test_receive_form_partial_then_over_receipt_refused(client, order_of, pump, manager, storeman, warehouse):
    order = order_of(pump, 100)
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    line = order.lines.get()
    client.force_login(storeman)
    assert client.get(f"/purchasing/orders/{order.pk}/receive/").status_code == 200
    response = client.post(f"/purchasing/orders/{order.pk}/receive/", {f"quantity-{line.pk}": "60"})
    assert response.status_code == 302
    response = client.post(f"/purchasing/orders/{order.pk}/receive/", {f"quantity-{line.pk}": "50"})
    assert response.status_code == 409 and "tolerance" in response.content.decode()
    assert WarehouseStock.objects.get(product=pump, warehouse=warehouse).on_hand == 60


def test_price_list_pdf_pickers_and_product_panel(client, buyer, order_of, pump, supplier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = order_of(pump, 2)
    client.force_login(buyer)
    assert "Pumpenwerk AG" in client.get("/purchasing/prices/").content.decode()
    response = client.post("/purchasing/prices/new/", {"supplier": supplier.pk, "product": pump.pk,
                                                       "unit_price": "-1"})
    assert response.status_code == 400
    pdf = client.get(f"/purchasing/orders/{order.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert "PUMP-1" in client.get("/purchasing/products/picker/", {"q": "PUMP"}).content.decode()
    assert "Pumpenwerk" in client.get("/purchasing/suppliers/picker/", {"q": "Pumpen"}).content.decode()
    page = client.get(f"/catalog/products/{pump.pk}/").content.decode()
    assert "Suppliers" in page and "Pumpenwerk AG" in page



def test_buyer_edits_the_header_of_a_draft_order(client, buyer, order_of, pump, warehouse):
    from tandem.stock.models import Location, Warehouse

    order = order_of(pump, 5)
    second = Warehouse.objects.create(company=warehouse.company, code="SIDE", name="Side warehouse")
    Location.objects.create(warehouse=second, code="S1", is_default=True)
    client.force_login(buyer)
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert f'/purchasing/orders/{order.pk}/edit/' in page and 'data-action="edit-line"' in page
    assert client.get(f"/purchasing/orders/{order.pk}/edit/").status_code == 200
    data = {"warehouse": second.pk, "order_date": "2026-06-01", "expected_date": "2026-06-20", "currency": "EUR",
            "note": "Deliver to gate 2", "version": order.version}
    response = client.post(f"/purchasing/orders/{order.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    order.refresh_from_db()
    assert order.warehouse == second and str(order.expected_date) == "2026-06-20" and order.note == "Deliver to gate 2"
    # The page was opened before that save: its version is stale, the edit is refused on the form.
    response = client.post(f"/purchasing/orders/{order.pk}/edit/", {**data, "note": "late"})
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.note == "Deliver to gate 2"
    response = client.post(f"/purchasing/orders/{order.pk}/edit/", {**data, "order_date": "soon",
                                                                    "version": order.version})
    assert response.status_code == 400 and "id_order_date_error" in response.content.decode()


def test_buyer_edits_a_line_bad_input_stale_page_and_a_sent_order(client, buyer, manager, order_of, pump):
    from decimal import Decimal

    order = order_of(pump, 5)
    line = order.lines.get()
    client.force_login(buyer)
    url = f"/purchasing/orders/{order.pk}/lines/{line.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"quantity": "8", "unit_price": "35.5", "expected_date": "2026-07-01",
                                 "description": "Blue ones", "version": order.version})
    assert response.status_code == 302, response.content.decode()
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.quantity == 8 and line.unit_price == Decimal("35.5") and line.description == "Blue ones"
    assert order.total == Decimal("284.00")
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "284" in page and "Blue ones" in page
    response = client.post(url, {"quantity": "-2", "version": order.version})
    assert response.status_code == 400 and "id_quantity_error" in response.content.decode()
    response = client.post(url, {"quantity": "many", "version": order.version})
    assert response.status_code == 400
    response = client.post(url, {"quantity": "9", "version": order.version - 1})
    assert response.status_code == 409
    line.refresh_from_db()
    assert line.quantity == 8
    # Empty price: the supplier's price (40) again.
    assert client.post(url, {"quantity": "2", "version": order.version}).status_code == 302
    line.refresh_from_db()
    assert line.unit_price == 40 and not line.price_overridden
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert 'data-action="edit-line"' not in page and 'data-action="edit"' not in page
    assert client.post(url, {"quantity": "3", "version": order.version}).status_code == 409
    assert client.get(f"/purchasing/orders/{order.pk}/edit/").status_code == 409
    line.refresh_from_db()
    assert line.quantity == 2


def test_editing_needs_the_change_permission(client, storeman, order_of, pump):
    order = order_of(pump, 5)
    line = order.lines.get()
    client.force_login(storeman)
    assert client.post(f"/purchasing/orders/{order.pk}/edit/", {}).status_code == 403
    assert client.post(f"/purchasing/orders/{order.pk}/lines/{line.pk}/edit/", {"quantity": "1"}).status_code == 403


def test_receive_into_a_chosen_location_of_the_order_warehouse(client, order_of, pump, manager, storeman,
                                                               warehouse, shelf):
    from tandem.stock.models import Location, StockLevel, Warehouse

    order = order_of(pump, 10)
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    line = order.lines.get()
    bin_b = Location.objects.create(warehouse=warehouse, code="B7", name="Bin B7")
    elsewhere = Location.objects.create(
        warehouse=Warehouse.objects.create(company=warehouse.company, code="SIDE", name="Side"), code="S1")
    client.force_login(storeman)
    page = client.get(f"/purchasing/orders/{order.pk}/receive/").content.decode()
    assert 'name="location"' in page and "MAIN/A1" in page  # preset to the default location
    response = client.post(f"/purchasing/orders/{order.pk}/receive/", {f"quantity-{line.pk}": "4",
                                                                       "location": elsewhere.pk})
    assert response.status_code == 400 and "id_location_error" in response.content.decode()
    assert not StockLevel.objects.filter(product=pump).exists()
    response = client.post(f"/purchasing/orders/{order.pk}/receive/", {f"quantity-{line.pk}": "4",
                                                                       "location": bin_b.pk})
    assert response.status_code == 302, response.content.decode()
    assert StockLevel.objects.get(product=pump, location=bin_b).on_hand == 4
    assert not StockLevel.objects.filter(product=pump, location=shelf).exists()
    # Nothing chosen: the warehouse's default location.
    assert client.post(f"/purchasing/orders/{order.pk}/receive/", {f"quantity-{line.pk}": "6",
                                                                   "location": ""}).status_code == 302
    assert StockLevel.objects.get(product=pump, location=shelf).on_hand == 6
