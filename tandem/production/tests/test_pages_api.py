"""Production order pages and API: what a user sees and what the API refuses, with the field."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.production import services
from tandem.production.models import ProductionOrder
from tandem.production.tests.conftest import buy

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 7)


def _post(http, url, body=None, **headers):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_the_list_filters_and_costs_a_fixed_number_of_queries(client, producer, table, leg, top, table_bom, shelf):
    client.force_login(producer)
    first = services.create_production_order(product=table, quantity=1, by=producer, planned_start=DAY)
    services.confirm_production_order(first, by=producer)
    client.get("/production/orders/")  # the session and the menu's first reads
    with CaptureQueriesContext(connection) as few:
        client.get("/production/orders/")
    for _ in range(5):
        services.create_production_order(product=table, quantity=2, by=producer, planned_start=DAY)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/production/orders/")
    assert len(many) == len(few)
    assert page.content.decode().count('id="mo-') == 6
    confirmed = client.get("/production/orders/?status=confirmed").content.decode()
    assert confirmed.count('id="mo-') == 1 and first.number in confirmed
    assert client.get(f"/production/orders/?product={leg.pk}").content.decode().count('id="mo-') == 0


def test_making_and_working_an_order_on_its_page(client, producer, table, leg, top, table_bom, shelf):
    buy(leg, 20, "2.50", shelf)
    buy(top, 2, "40", shelf)
    client.force_login(producer)
    refused = client.post("/production/orders/new/", {"product": leg.pk, "quantity": "1"})
    assert refused.status_code == 400 and "bill of materials" in refused.content.decode()
    made = client.post("/production/orders/new/", {"product": table.pk, "quantity": "2",
                                                   "planned_start": "2026-12-07"})
    order = ProductionOrder.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/production/orders/{order.pk}/"
    client.post(f"/production/orders/{order.pk}/confirm/", {"version": order.version})
    client.post(f"/production/orders/{order.pk}/start/", {})
    legs, tops = order.components.order_by("position")
    client.post(f"/production/orders/{order.pk}/consume/", {f"quantity-{legs.pk}": "8.4211",
                                                            f"quantity-{tops.pk}": "2"})
    operation = order.operations.get()
    client.post(f"/production/orders/{order.pk}/book-time/", {"operation": operation.pk, "minutes": "45"})
    bad = client.post(f"/production/orders/{order.pk}/produce/", {"quantity": "-1"})
    assert bad.status_code == 400
    client.post(f"/production/orders/{order.pk}/produce/", {"quantity": "2"})
    done = client.post(f"/production/orders/{order.pk}/finish/", {})
    assert done.status_code == 302
    page = client.get(f"/production/orders/{order.pk}/").content.decode()
    order.refresh_from_db()
    assert order.status == "done" and order.produced_quantity == 2
    assert order.material_cost == Decimal("101.05") and order.operation_cost == Decimal("22.50")
    assert 'data-testid="cost-variance"' in page and "Finish" not in page.split('id="doc-actions"')[1][:400]


def test_a_viewer_reads_but_cannot_act(client, viewer, producer, table, leg, top, table_bom, shelf):
    order = services.create_production_order(product=table, quantity=1, by=producer, planned_start=DAY)
    client.force_login(viewer)
    page = client.get(f"/production/orders/{order.pk}/")
    assert page.status_code == 200 and 'data-action="confirm"' not in page.content.decode()
    assert client.post(f"/production/orders/{order.pk}/confirm/", {}).status_code == 403
    assert client.get("/production/orders/new/").status_code == 403


def test_the_load_page_highlights_a_week_over_capacity(client, producer, table, leg, top, table_bom, assembly,
                                                       shelf):
    assembly.capacity_hours_per_week = Decimal(2)
    assembly.save()
    services.create_production_order(product=table, quantity=8, by=producer, planned_start=DAY)  # 15 + 30 × 8 min
    services.create_production_order(product=table, quantity=2, by=producer,
                                     planned_start=DAY + datetime.timedelta(days=7))  # 15 + 30 × 2 min
    client.force_login(producer)
    page = client.get("/production/load/?start=2026-12-07&weeks=3").content.decode()
    row = page.split("ASM Assembly")[1].split("</tr>")[0]
    assert 'data-week="2026-W50" data-over="1"' in row and "4.25" in row
    assert 'data-week="2026-W51">1.25' in row.replace("\n", "")


def test_the_api_runs_an_order_and_refuses_with_the_field(api, producer, viewer, table, leg, top, table_bom, shelf):
    buy(leg, 20, "2.50", shelf)
    buy(top, 2, "40", shelf)
    http = api(producer)
    no_bom = _post(http, "/api/v1/production/orders", {"product_id": leg.pk, "quantity": "1"})
    assert no_bom.status_code == 400 and no_bom.json()["field"] == "bom"
    made = _post(http, "/api/v1/production/orders", {"product_id": table.pk, "quantity": "2",
                                                     "planned_start": "2026-12-07"})
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["actions"] == ["confirm", "cancel"] and len(order["components"]) == 2
    url = f"/api/v1/production/orders/{order['id']}"
    confirmed = _post(http, f"{url}/confirm", {"version": order["version"]})
    assert confirmed.status_code == 200 and confirmed.json()["standard_cost"] == "138.55"
    stale = _post(http, f"{url}/cancel", {"version": order["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    not_started = _post(http, f"{url}/produce", {"quantity": "1"})
    assert not_started.status_code == 409 and not_started.json()["field"] == "status"
    _post(http, f"{url}/start")
    component = confirmed.json()["components"][1]["id"]
    short = _post(http, f"{url}/consume", {"lines": [{"component_id": component, "quantity": "5"}]})
    assert short.status_code == 409 and short.json()["field"] == "lines.0.quantity"
    assert _post(api(viewer), f"{url}/finish").status_code == 403
    produced = _post(http, f"{url}/produce", {"quantity": "1", "scrap": "1"})
    assert produced.status_code == 200 and produced.json()["scrapped_quantity"] == "1"
    done = _post(http, f"{url}/finish")
    assert done.json()["status"] == "done" and done.json()["work_in_progress"] == "0"
    listed = api(viewer).get("/api/v1/production/orders?status=done").json()
    assert [item["id"] for item in listed["items"]] == [order["id"]]
