"""Shipments and returns over the REST API: who may do what, 4xx with the field and nothing written, the
delivery note PDF, what is left to ship."""

import datetime
import json
from decimal import Decimal as D

import pytest

from tandem.crm.models import Complaint, ComplaintCategory
from tandem.sales.models import CustomerReturn, Order, Shipment
from tandem.stock.models import StockMove

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sales"


def _post(http, url, body=None):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def order(make_order, receive, pump):
    receive(pump, 10)
    return make_order([(pump, 5)])


def test_a_representative_asks_the_warehouse_ships(api, order, sales_rep, storekeeper, viewer, shelf):
    rep, store, reader = api(sales_rep), api(storekeeper), api(viewer)
    line = order.lines.get()
    response = _post(rep, f"{BASE}/shipments", {"order_id": order.pk, "shipment_date": "2026-03-03", "lines": [
        {"order_line_id": line.pk, "quantity": "3", "location_id": shelf.pk}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["actions"], body["lines"][0]["quantity"], body["lines"][0]["unit"]) == (
        "draft", ["pick", "cancel"], "3", "pc")
    assert response["ETag"] == '"1"'
    shipment_id = body["id"]

    assert _post(rep, f"{BASE}/shipments/{shipment_id}/pick").status_code == 403
    assert _post(reader, f"{BASE}/shipments", {"order_id": order.pk}).status_code == 403
    assert reader.get(f"{BASE}/shipments/{shipment_id}").status_code == 200

    assert _post(store, f"{BASE}/shipments/{shipment_id}/pick", {"version": 1}).json()["status"] == "picked"
    stale = _post(store, f"{BASE}/shipments/{shipment_id}/pack", {"version": 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    assert _post(store, f"{BASE}/shipments/{shipment_id}/pack").json()["actions"] == ["ship", "cancel"]
    shipped = _post(store, f"{BASE}/shipments/{shipment_id}/ship", {"carrier": "DHL", "tracking_number": "JD01"})
    assert shipped.status_code == 200, shipped.content
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "JD01")
    assert shipped.json()["lines"][0]["stock_move_id"]
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED

    left = rep.get(f"{BASE}/orders/{order.pk}/left-to-ship").json()
    assert [(x["ordered"], x["shipped"], x["left"], x["reserved"]) for x in left] == [("5", "3", "2", "2")]
    listed = rep.get(f"{BASE}/shipments?order_id={order.pk}").json()
    assert [x["number"] for x in listed["items"]] == [body["number"]]

    pdf = rep.get(f"{BASE}/shipments/{shipment_id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"

    delivered = _post(store, f"{BASE}/shipments/{shipment_id}/deliver", {"delivered_date": "2026-03-05"})
    assert (delivered.json()["status"], delivered.json()["delivered_date"]) == ("delivered", "2026-03-05")


def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(api, order, storekeeper, other_rep):
    store = api(storekeeper)
    line = order.lines.get()
    too_many = _post(store, f"{BASE}/shipments", {"order_id": order.pk, "lines": [
        {"order_line_id": line.pk, "quantity": "6"}]})
    assert too_many.status_code == 400
    assert (too_many.json()["code"], too_many.json()["field"], too_many.json()["left"]) == (
        "more_than_left", "lines[0].quantity", "5")
    unknown_line = _post(store, f"{BASE}/shipments", {"order_id": order.pk, "lines": [
        {"order_line_id": 999999, "quantity": "1"}]})
    assert (unknown_line.status_code, unknown_line.json()["field"]) == (400, "lines[0].order_line_id")
    not_a_number = _post(store, f"{BASE}/shipments", {"order_id": order.pk, "lines": [
        {"order_line_id": line.pk, "quantity": "lots"}]})
    assert not_a_number.status_code in (400, 422)
    assert _post(store, f"{BASE}/shipments", {"order_id": order.pk, "surprise": 1}).status_code in (400, 422)
    # Another representative's client's order is not there for them.
    assert _post(api(other_rep), f"{BASE}/shipments", {"order_id": order.pk}).status_code in (400, 404)
    assert api(other_rep).get(f"{BASE}/orders/{order.pk}/left-to-ship").status_code == 404
    assert not Shipment.objects.exists()


def test_a_return_after_a_complaint_over_the_api(api, order, storekeeper, sales_rep, quarantine, client_of_rep):
    store = api(storekeeper)
    created = _post(store, f"{BASE}/shipments", {"order_id": order.pk}).json()
    for step in ("pick", "pack", "ship"):
        assert _post(store, f"{BASE}/shipments/{created['id']}/{step}").status_code == 200
    category = ComplaintCategory.objects.order_by("pk").first() or ComplaintCategory.objects.create(name="Q")
    complaint = Complaint.objects.create(client=client_of_rep, category=category, description="Leaks",
                                         assignee=sales_rep,
                                         deadline=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))
    line = order.lines.get()
    too_many = _post(store, f"{BASE}/returns", {"order_id": order.pk, "lines": [
        {"order_line_id": line.pk, "quantity": "6"}]})
    assert (too_many.status_code, too_many.json()["code"]) == (400, "more_than_shipped")
    response = _post(api(sales_rep), f"{BASE}/returns", {
        "order_id": order.pk, "complaint_id": complaint.pk, "reason": "Leaks", "lines": [
            {"order_line_id": line.pk, "quantity": "2"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["complaint_id"], body["location"]["id"], body["actions"]) == (
        "draft", complaint.pk, quarantine.pk, ["receive", "cancel"])
    assert _post(api(sales_rep), f"{BASE}/returns/{body['id']}/receive").status_code == 403
    received = _post(store, f"{BASE}/returns/{body['id']}/receive")
    assert received.json()["status"] == "received"
    assert StockMove.objects.get(kind=StockMove.Kind.RETURN).quantity == D(2)
    listed = store.get(f"{BASE}/returns?complaint_id={complaint.pk}").json()
    assert [x["id"] for x in listed["items"]] == [body["id"]]
    assert CustomerReturn.objects.get().status == "received"
