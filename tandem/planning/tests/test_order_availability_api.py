"""A sales order's availability per line through the API (what the order page shows: available now, incoming and
to be made with dates) and the proposals list filtered to the proposals serving one sales order."""

from decimal import Decimal as D

import pytest

from tandem.core import roles
from tandem.planning import services
from tandem.planning.models import PlanningProposal
from tandem.stock.services import receive_stock

pytestmark = pytest.mark.django_db


def _availability(client, order):
    response = client.get(f"/api/v1/planning/sales-orders/{order.pk}/availability")
    assert response.status_code == 200, response.content
    return response.json()


def test_before_and_after_planning_each_line_says_what_is_there_and_what_comes_when(world, sell, client,
                                                                                     sales_manager, shelf, today):
    receive_stock(product=world["bike"], quantity=D(1), location=shelf, unit_cost=D(300), by=None)
    order = sell(world["bike"], 3)
    client.force_login(sales_manager)
    before = _availability(client, order)
    (line,) = before["lines"]
    assert before["order"] == {"id": order.pk, "name": order.number} and before["status"] == "confirmed"
    assert before["warehouse"]["name"] == "MAIN"
    assert {k: line[k] for k in ("ordered", "ordered_unit", "unit", "shipped", "reserved", "available_now",
                                 "incoming", "to_be_made", "short")} == {
        "ordered": "3", "ordered_unit": "pc", "unit": "pc", "shipped": "0", "reserved": "1", "available_now": "1",
        "incoming": [], "to_be_made": [], "short": "2"}
    assert line["product"] == {"id": world["bike"].pk, "name": "BIKE Bicycle"}

    services.run_planning(by=sales_manager)
    bike = PlanningProposal.objects.get(product=world["bike"])
    (line,) = _availability(client, order)["lines"]
    assert line["available_now"] == "1" and line["short"] == "0" and line["incoming"] == []
    assert line["to_be_made"] == [{"quantity": "2", "date": bike.need_date.isoformat(), "purchase_order": None,
                                   "production_order": None, "proposal": bike.pk, "proposal_status": "open"}]
    made = services.confirm_proposals([bike.pk], by=sales_manager)["production_orders"][0]
    (line,) = _availability(client, order)["lines"]
    assert line["to_be_made"][0]["production_order"] == {"id": made.pk, "name": made.number}
    assert line["to_be_made"][0]["proposal_status"] == "confirmed"


def test_a_bought_line_is_incoming_and_the_proposals_filter_by_sales_order(world, sell, client, sales_manager):
    bikes = sell(world["bike"], 2)
    bolts = sell(world["bolt"], 5)
    client.force_login(sales_manager)
    services.run_planning(by=sales_manager)
    (line,) = _availability(client, bolts)["lines"]
    (incoming,) = line["incoming"]
    assert incoming["quantity"] == "5" and incoming["purchase_order"] is None and incoming["proposal"]
    assert line["to_be_made"] == [] and line["available_now"] == "0"
    served = client.get("/api/v1/planning/proposals", {"sales_order_id": bikes.pk}).json()["items"]
    # the bicycles, their frame (a component of the proposed bicycles), and tubes and bolts further down
    assert sorted(p["product"]["name"].split()[0] for p in served) == ["BIKE", "BOLT", "FRAME", "TUBE"]
    only_bolts = client.get("/api/v1/planning/proposals", {"sales_order_id": bolts.pk}).json()["items"]
    assert [p["product"]["name"].split()[0] for p in only_bolts] == ["BOLT"]
    assert client.get("/api/v1/planning/proposals", {"sales_order_id": 10**9}).json()["count"] == 0


def test_who_may_read_an_orders_availability(world, sell, client, make_user):
    order = sell(world["bolt"], 5)
    client.force_login(make_user(roles.SALES_REPRESENTATIVE, username="other_rep"))  # not their client
    assert client.get(f"/api/v1/planning/sales-orders/{order.pk}/availability").status_code == 404
    client.force_login(make_user(roles.PURCHASING, username="buyer2"))  # reads planning, its pegging names orders
    assert client.get(f"/api/v1/planning/sales-orders/{order.pk}/availability").status_code == 200
    client.force_login(make_user(roles.ACCOUNTANT, username="acc"))  # reads sales orders, not planning
    assert client.get(f"/api/v1/planning/sales-orders/{order.pk}/availability").status_code == 403
    client.force_login(make_user(roles.SALES_MANAGER, username="boss"))
    assert client.get("/api/v1/planning/sales-orders/999999/availability").status_code == 404
