"""Landed costs through the API (/api/v1/purchasing/landed-costs) and the pages: create, change (stale: 409),
allocate (needs the permission), refusals as 4xx naming the field, the detail showing unit costs before/after."""

import json
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.purchasing import landed_costs, services
from tandem.purchasing.models import LandedCost
from tandem.purchasing.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def _post(http, url, body=None, **headers):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def _patch(http, url, body, **headers):
    return http.patch(url, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def receipt(order_of, manager, storeman, pump):
    order = order_of(pump, 10, "40")
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    services.receive_purchase_order(order, lines=[services.ReceiptLine(order.lines.get(), Decimal(10))], date=TODAY,
                                    by=storeman)
    return landed_costs.receipts_of(order).get()


@pytest.fixture
def accountant(db):
    from tandem.core.tests.factories import UserFactory

    return UserFactory(username="acc", role=roles.ACCOUNTANT)


def test_api_create_change_allocate(api, buyer, accountant, receipt):
    http = api(buyer)
    order_id = receipt.origin_id and services.PurchaseOrder.objects.get(lines__pk=receipt.origin_id).pk
    created = _post(http, "/api/v1/purchasing/landed-costs", {"kind": "freight", "amount": "25.00",
                                                              "date": "2026-06-02", "method": "quantity",
                                                              "order_ids": [order_id]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["amount"] == "25" and body["actions"] == ["edit", "cancel"]
    assert [r["move_id"] for r in body["receipts"]] == [receipt.pk]
    assert body["receipts"][0]["order_number"].startswith("PO-")
    url = f"/api/v1/purchasing/landed-costs/{body['id']}"
    changed = _patch(http, url, {"amount": "30", "version": 1})
    assert changed.status_code == 200 and changed.json()["amount"] == "30" and changed.json()["version"] == 2
    stale = _patch(http, url, {"amount": "31"}, **{"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert _post(http, f"{url}/allocate").status_code == 403  # buyers prepare, accountants allocate
    allocated = _post(api(accountant), f"{url}/allocate", {"version": 2})
    assert allocated.status_code == 200, allocated.content
    line = allocated.json()["receipts"][0]
    assert (line["amount"], line["unit_cost_before"], line["unit_cost_after"]) == ("30", "40", "43")
    assert allocated.json()["status"] == "allocated" and allocated.json()["actions"] == []
    listed = http.get(f"/api/v1/purchasing/landed-costs?order_id={order_id}").json()
    assert [item["number"] for item in listed["items"]] == [body["number"]]
    assert _post(http, f"{url}/cancel").status_code == 409


def test_api_refusals_name_the_field(api, buyer, receipt, pump):
    http = api(buyer)
    for body, field in [({"amount": "10"}, "receipts"),
                        ({"amount": "0", "receipt_ids": [receipt.pk]}, "amount"),
                        ({"amount": "10", "receipt_ids": [999999]}, "receipt_ids.0"),
                        ({"amount": "10", "receipt_ids": [receipt.pk], "method": "by_colour"}, "method")]:
        response = _post(http, "/api/v1/purchasing/landed-costs", body)
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["field"] == field, response.content
    created = _post(http, "/api/v1/purchasing/landed-costs", {"amount": "10", "receipt_ids": [receipt.pk],
                                                              "method": "weight"}).json()
    from tandem.core.tests.factories import UserFactory

    manager = UserFactory(username="boss", role=roles.SALES_MANAGER)
    refused = _post(api(manager), f"/api/v1/purchasing/landed-costs/{created['id']}/allocate")
    assert refused.status_code == 400 and refused.json()["field"] == "method"
    assert refused.json()["code"] == "weight_missing"
    assert LandedCost.objects.get().status == "draft"


def test_pages_create_and_allocate(client, buyer, manager, receipt):
    client.force_login(buyer)
    order = services.PurchaseOrder.objects.get(lines__pk=receipt.origin_id)
    assert "/purchasing/landed-costs/?order=" in client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert client.get(f"/purchasing/landed-costs/new/?order={order.pk}").status_code == 200
    refused = client.post("/purchasing/landed-costs/new/", {"kind": "freight", "amount": "10", "currency": "EUR",
                                                             "method": "value"})
    assert refused.status_code == 400 and "Choose the receipts" in refused.content.decode()
    response = client.post("/purchasing/landed-costs/new/", {"kind": "duty", "amount": "12.50", "currency": "EUR",
                                                              "method": "value", "orders": order.pk})
    assert response.status_code == 302, response.content
    landed_cost = LandedCost.objects.get()
    page = client.get(f"/purchasing/landed-costs/{landed_cost.pk}/").content.decode()
    assert "PUMP-1" in page and 'data-action="allocate"' not in page and 'data-action="edit"' in page
    response = client.post(f"/purchasing/landed-costs/{landed_cost.pk}/edit/", {
        "kind": "duty", "amount": "20", "currency": "EUR", "method": "quantity", "version": 1})
    assert response.status_code == 302
    assert client.post(f"/purchasing/landed-costs/{landed_cost.pk}/allocate/").status_code == 403
    client.force_login(manager)
    page = client.get(f"/purchasing/landed-costs/{landed_cost.pk}/").content.decode()
    assert 'data-action="allocate"' in page
    client.post(f"/purchasing/landed-costs/{landed_cost.pk}/allocate/", {"version": 2})
    landed_cost.refresh_from_db()
    assert landed_cost.status == "allocated"
    page = client.get(f"/purchasing/landed-costs/{landed_cost.pk}/").content.decode()
    assert f'data-testid="before-{receipt.pk}">40<' in page
    assert f'data-testid="after-{receipt.pk}">42<' in page  # unit cost after: (400 + 20) / 10
    listed = client.get(f"/purchasing/landed-costs/?order={order.pk}").content.decode()
    assert landed_cost.number in listed


def test_pickers_find_orders_and_receipts(client, buyer, receipt):
    client.force_login(buyer)
    order = services.PurchaseOrder.objects.get(lines__pk=receipt.origin_id)
    found = client.get("/purchasing/landed-costs/orders/picker/", {"q": order.number[-3:]}).content.decode()
    assert order.number in found
    found = client.get("/purchasing/landed-costs/receipts/picker/", {"q": "PUMP"}).content.decode()
    assert f"#{receipt.pk}" in found and order.number in found
