"""REST API of stock: warehouses and locations, receipts, transfers, adjustments, balances, lots, counts."""

import datetime

from tandem.core import roles
from tandem.stock.models import StockLevel, StockMove, WarehouseStock

JSON = "application/json"


def _storekeeper(make_user):
    return make_user(roles.WAREHOUSE, username="storekeeper")


def test_warehouse_and_location_crud_and_archive(api, admin_user, room):
    http = api(admin_user)
    created = http.post("/api/v1/stock/warehouses", {"code": "THIRD", "name": "Third"}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert [loc["code"] for loc in body["locations"]] == ["STOCK"]
    duplicate = http.post("/api/v1/stock/warehouses", {"code": "third", "name": "x"}, content_type=JSON)
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "code"
    bin_ = http.post(f"/api/v1/stock/warehouses/{body['id']}/locations", {"code": "Q", "kind": "quarantine"},
                     content_type=JSON)
    assert bin_.status_code == 201 and bin_.json()["kind"] == "quarantine"
    changed = http.patch(f"/api/v1/stock/warehouses/{body['id']}", {"allow_negative": True}, content_type=JSON)
    assert changed.json()["allow_negative"] is True
    assert http.post(f"/api/v1/stock/locations/{bin_.json()['id']}/archive").json()["is_archived"] is True
    assert http.post(f"/api/v1/stock/warehouses/{body['id']}/archive").json()["is_archived"] is True
    listed = http.get("/api/v1/stock/warehouses").json()
    assert [w["code"] for w in listed] == ["MAIN", "SECOND"]
    assert http.post(f"/api/v1/stock/warehouses/{body['id']}/restore").json()["is_archived"] is False


def test_receive_transfer_adjust_and_see_balances(api, make_user, room):
    http = api(_storekeeper(make_user))
    receipt = http.post("/api/v1/stock/receipts", {
        "to_location_id": room.bin_a.pk, "effective_date": "2026-11-20", "reason": "PO 17",
        "lines": [{"product_id": room.bolt.pk, "quantity": "10", "unit_cost": "1.25"},
                  {"product_id": room.milk.pk, "quantity": "6", "lot_code": "M-7", "expiry_date": "2027-01-31"}],
    }, content_type=JSON)
    assert receipt.status_code == 201, receipt.content
    assert [(m["product_sku"], m["quantity"], m["lot_code"]) for m in receipt.json()] == [
        ("BOLT-8", "10.0000", None), ("MILK-1", "6.0000", "M-7")]
    transfer = http.post("/api/v1/stock/transfers", {
        "from_location_id": room.bin_a.pk, "to_location_id": room.second_stock.pk,
        "lines": [{"product_id": room.bolt.pk, "quantity": "4"}]}, content_type=JSON)
    assert transfer.status_code == 201
    adjustment = http.post("/api/v1/stock/adjustments", {
        "location_id": room.bin_a.pk, "product_id": room.bolt.pk, "quantity": "-1", "reason": "Broken"},
        content_type=JSON)
    assert adjustment.status_code == 201 and adjustment.json()["from_location_id"] == room.bin_a.pk

    balances = http.get(f"/api/v1/stock/balances?product_id={room.bolt.pk}").json()
    assert [(b["warehouse_id"], b["on_hand"], b["available"]) for b in balances] == [
        (room.main.pk, "5.0000", "5.0000"), (room.second.pk, "4.0000", "4.0000")]
    by_lot = http.get(f"/api/v1/stock/balances?product_id={room.milk.pk}&by_lot=true").json()
    assert [(b["lot_code"], b["expiry_date"], b["on_hand"]) for b in by_lot] == [("M-7", "2027-01-31", "6.0000")]

    moves = http.get(f"/api/v1/stock/moves?warehouse_id={room.second.pk}").json()
    assert moves["count"] == 1 and moves["items"][0]["kind"] == "transfer"
    moves = http.get("/api/v1/stock/moves?kind=receipt&date_from=2026-11-01&date_to=2026-11-30").json()
    assert moves["count"] == 2
    lots = http.get(f"/api/v1/stock/lots?product_id={room.milk.pk}").json()
    assert [lot["code"] for lot in lots["items"]] == ["M-7"]


def test_bad_input_is_refused_with_its_field_and_nothing_written(api, make_user, room):
    http = api(_storekeeper(make_user))
    cases = [
        ({"to_location_id": room.bin_a.pk, "lines": [{"product_id": room.bolt.pk, "quantity": "-1"}]},
         "lines.0.quantity"),
        ({"to_location_id": room.bin_a.pk, "lines": [{"product_id": room.bolt.pk, "quantity": 1.5}]},
         "lines.0.quantity"),
        ({"to_location_id": 999999, "lines": [{"product_id": room.bolt.pk, "quantity": "1"}]}, "to_location_id"),
        ({"to_location_id": room.bin_a.pk, "lines": [{"product_id": room.bolt.pk, "quantity": "1"},
                                                     {"product_id": 999999, "quantity": "1"}]}, "lines.1.product_id"),
        ({"to_location_id": room.bin_a.pk, "lines": [{"product_id": room.bolt.pk, "quantity": "1"},
                                                     {"product_id": room.milk.pk, "quantity": "1"}]}, "lines.1.lot"),
        ({"to_location_id": room.bin_a.pk, "lines": []}, "lines"),
    ]
    for body, field in cases:
        response = http.post("/api/v1/stock/receipts", body, content_type=JSON)
        assert 400 <= response.status_code < 500, (body, response.content)
        assert response.json()["field"] == field, (body, response.json())
    shortage = http.post("/api/v1/stock/transfers", {
        "from_location_id": room.bin_a.pk, "to_location_id": room.bin_b.pk,
        "lines": [{"product_id": room.bolt.pk, "quantity": "1"}]}, content_type=JSON)
    assert shortage.status_code == 409 and shortage.json()["code"] == "insufficient_stock"
    assert shortage.json()["field"] == "lines.0.quantity"
    no_reason = http.post("/api/v1/stock/adjustments", {"location_id": room.bin_a.pk, "product_id": room.bolt.pk,
                                                        "quantity": "2", "reason": ""}, content_type=JSON)
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert StockMove.objects.count() == 0
    assert not StockLevel.objects.exclude(on_hand=0).exists()
    assert not WarehouseStock.objects.exclude(on_hand=0).exists()


def test_viewer_reads_but_cannot_receive(api, make_user, room):
    http = api(make_user(roles.VIEWER, username="viewer"))
    assert http.get("/api/v1/stock/balances").status_code == 200
    refused = http.post("/api/v1/stock/receipts", {"to_location_id": room.bin_a.pk, "lines": [
        {"product_id": room.bolt.pk, "quantity": "1"}]}, content_type=JSON)
    assert refused.status_code == 403


def test_count_by_api_with_csv_import_and_posting(api, make_user, room):
    http = api(_storekeeper(make_user))
    http.post("/api/v1/stock/receipts", {"to_location_id": room.bin_a.pk,
                                         "lines": [{"product_id": room.bolt.pk, "quantity": "10"}]},
              content_type=JSON)
    count = http.post("/api/v1/stock/counts", {"warehouse_id": room.main.pk, "count_date": "2026-11-30"},
                      content_type=JSON).json()
    assert count["status"] == "draft" and count["actions"] == ["edit", "post", "cancel"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("count.csv", b"sku,location,lot,counted\nBOLT-8,A1,,7\n", content_type="text/csv")
    imported = http.post(f"/api/v1/stock/counts/{count['id']}/import", {"file": upload})
    assert imported.status_code == 200, imported.content
    bad = SimpleUploadedFile("count.csv", b"sku,location,lot,counted\nNOPE,A1,,7\n", content_type="text/csv")
    refused = http.post(f"/api/v1/stock/counts/{count['id']}/import", {"file": bad})
    assert refused.status_code == 400 and refused.json()["field"] == "file"
    line = http.post(f"/api/v1/stock/counts/{count['id']}/lines",
                     {"product_id": room.bolt.pk, "location_id": room.bin_b.pk, "counted": "1"}, content_type=JSON)
    detail = line.json()
    assert [(ln["location_id"], ln["counted"], ln["variance"]) for ln in detail["lines"]] == [
        (room.bin_a.pk, "7.0000", "-3.0000"), (room.bin_b.pk, "1.0000", "1.0000")]
    posted = http.post(f"/api/v1/stock/counts/{count['id']}/post").json()
    assert posted["status"] == "posted" and posted["actions"] == []
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).on_hand == 8
    again = http.post(f"/api/v1/stock/counts/{count['id']}/post")
    assert again.status_code == 409
    assert StockMove.objects.filter(kind="adjustment", effective_date=datetime.date(2026, 11, 30)).count() == 2


def test_expected_receipts_raise_incoming(api, make_user, room):
    http = api(_storekeeper(make_user))
    made = http.post("/api/v1/stock/expected-receipts", {"product_id": room.bolt.pk, "warehouse_id": room.main.pk,
                                                         "expected_date": "2026-12-15", "quantity": "20"},
                     content_type=JSON)
    assert made.status_code == 201
    balance = http.get(f"/api/v1/stock/balances?product_id={room.bolt.pk}&warehouse_id={room.main.pk}").json()
    assert balance[0]["incoming"] == "20.0000"
    assert http.post(f"/api/v1/stock/expected-receipts/{made.json()['id']}/clear", {},
                     content_type=JSON).status_code == 204
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).incoming == 0


def test_stock_of_an_item_in_one_call(api, make_user, room):
    from decimal import Decimal

    from tandem.stock import services

    services.receive_stock(product=room.bolt, quantity=Decimal(4), location=room.bin_a, by=None)
    services.reserve_stock(product=room.bolt, warehouse=room.main, quantity=Decimal(1), origin=room.milk, by=None)
    http = api(make_user(roles.SALES_REPRESENTATIVE, username="rep"))
    hits = http.get("/api/v1/stock/search?q=bolt").json()
    assert [(h["sku"], [(a["warehouse_id"], a["available"]) for a in h["available"]]) for h in hits] == [
        ("BOLT-8", [(room.main.pk, "3.0000")])]
    assert http.get("/api/v1/stock/search?q=b").json() == []
