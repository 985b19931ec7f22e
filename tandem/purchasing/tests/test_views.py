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
