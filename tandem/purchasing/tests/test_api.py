"""The purchasing API: a purchase order from draft to received, refusals with the field, permissions, PDF."""

import json

import pytest

from tandem.stock.models import WarehouseStock

pytestmark = pytest.mark.django_db


def _post(http, url, body=None, **headers):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_purchase_order_from_draft_to_received(api, buyer, manager, storeman, supplier, pump, pump_price, warehouse,
                                               shelf, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    http = api(buyer)
    created = _post(http, "/api/v1/purchasing/orders", {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk,
                                                        "order_date": "2026-06-01", "lines": [
                                                            {"product_id": pump.pk, "quantity": "200"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] == "8000" and body["lines"][0]["unit_price"] == "40"
    assert body["actions"] == ["edit", "submit", "cancel"]
    order_id = body["id"]
    submitted = _post(http, f"/api/v1/purchasing/orders/{order_id}/submit")
    assert submitted.json()["status"] == "to_approve"
    assert _post(http, f"/api/v1/purchasing/orders/{order_id}/approve").status_code == 403
    approved = _post(api(manager), f"/api/v1/purchasing/orders/{order_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert _post(http, f"/api/v1/purchasing/orders/{order_id}/send").json()["status"] == "sent"
    pdf = http.get(f"/api/v1/purchasing/orders/{order_id}/pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    line_id = body["lines"][0]["id"]
    assert _post(http, f"/api/v1/purchasing/orders/{order_id}/receive",
                 {"lines": [{"line_id": line_id, "quantity": "1"}]}).status_code == 403
    store = api(storeman)
    over = _post(store, f"/api/v1/purchasing/orders/{order_id}/receive",
                 {"lines": [{"line_id": line_id, "quantity": "211"}]})
    assert over.status_code == 409 and over.json()["code"] == "over_receipt"
    assert over.json()["field"] == "lines.0.quantity"
    received = _post(store, f"/api/v1/purchasing/orders/{order_id}/receive",
                     {"date": "2026-06-05", "lines": [{"line_id": line_id, "quantity": "120"}]})
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "partly_received" and received.json()["lines"][0]["received_quantity"] == "120"
    row = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    assert (row.on_hand, row.incoming) == (120, 80)


def test_bad_input_names_the_field(api, buyer, supplier, pump, pump_price, warehouse, shelf):
    http = api(buyer)
    for line, field in [({"product_id": pump.pk, "quantity": "-1"}, "lines.0.quantity"),
                        ({"product_id": 999999, "quantity": "1"}, "lines.0.product_id"),
                        ({"product_id": pump.pk, "quantity": "1", "tax_rate": "150"}, "lines.0.tax_rate")]:
        response = _post(http, "/api/v1/purchasing/orders", {"supplier_id": supplier.pk, "lines": [line]})
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["field"] == field, response.content
    response = _post(http, "/api/v1/purchasing/supplier-prices", {"supplier_id": supplier.pk, "product_id": pump.pk,
                                                                  "unit_price": "1", "pack_size": "0"})
    assert response.status_code == 400 and response.json()["field"] == "pack_size"


def test_supplier_prices_and_suppliers(api, buyer, supplier, pump, storeman):
    http = api(buyer)
    created = _post(http, "/api/v1/purchasing/supplier-prices", {"supplier_id": supplier.pk, "product_id": pump.pk,
                                                                 "unit_price": "12.5", "is_preferred": True})
    assert created.status_code == 201 and created.json()["is_preferred"] is True
    listed = http.get("/api/v1/purchasing/supplier-prices", {"product_id": pump.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["unit_price"] == "12.5"
    assert http.get("/api/v1/purchasing/suppliers").json()["count"] == 1
    assert _post(api(storeman), "/api/v1/purchasing/supplier-prices", {
        "supplier_id": supplier.pk, "product_id": pump.pk, "unit_price": "1"}).status_code == 403
    price_id = created.json()["id"]
    assert http.delete(f"/api/v1/purchasing/supplier-prices/{price_id}").status_code == 204
