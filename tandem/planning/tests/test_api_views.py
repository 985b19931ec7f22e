"""Planning through the API and the pages: run, list with pegging, confirm (one or several), the 4xx answers,
the product page's panel and the sales order page's availability per line."""

import pytest
from django.urls import reverse

from tandem.planning import services
from tandem.planning.models import PlanningProposal
from tandem.purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db


def test_api_runs_lists_and_confirms(world, sell, client, sales_manager):
    order = sell(world["bike"], 2)
    client.force_login(sales_manager)
    run = client.post("/api/v1/planning/runs")
    assert run.status_code == 201 and run.json()["proposals"] == 4
    assert client.get("/api/v1/planning/runs/latest").json()["id"] == run.json()["id"]
    listed = client.get("/api/v1/planning/proposals", {"kind": "make"}).json()
    assert {p["product"]["name"].split()[0] for p in listed["items"]} == {"BIKE", "FRAME"}
    bike = next(p for p in listed["items"] if p["product"]["name"].startswith("BIKE"))
    assert bike["pegging"] == [{"kind": "sales", "quantity": "2", "need_date": bike["need_date"],
                                "sales_order_line": order.lines.get().pk, "sales_order": order.number,
                                "production_order": None, "parent_proposal": None}]
    purchases = client.get("/api/v1/planning/proposals", {"kind": "purchase"}).json()["items"]
    made = client.post("/api/v1/planning/proposals/confirm", {"proposals": [p["id"] for p in purchases]},
                       content_type="application/json")
    assert made.status_code == 200
    assert len(made.json()["purchase_orders"]) == 1 and made.json()["production_orders"] == []
    assert client.get("/api/v1/planning/proposals", {"status": "confirmed"}).json()["count"] == 2


def test_api_refusals(world, sell, client, sales_manager, sales_rep):
    sell(world["bolt"], 5)
    client.force_login(sales_manager)
    assert client.get("/api/v1/planning/runs/latest").status_code == 404
    client.post("/api/v1/planning/runs")
    pk = PlanningProposal.objects.get().pk
    empty = client.post("/api/v1/planning/proposals/confirm", {"proposals": []}, content_type="application/json")
    assert empty.status_code == 400
    unknown = client.post("/api/v1/planning/proposals/confirm", {"proposals": [pk + 1000]},
                          content_type="application/json")
    assert unknown.status_code == 409 and unknown.json()["code"] == "replaced"
    assert client.post("/api/v1/planning/proposals/confirm", {"proposals": [pk]},
                       content_type="application/json").status_code == 200
    again = client.post("/api/v1/planning/proposals/confirm", {"proposals": [pk]}, content_type="application/json")
    assert (again.status_code, again.json()["code"], again.json()["field"]) == (409, "already_confirmed", "proposals")
    bad = client.put("/api/v1/planning/parameters", {"product": world["bolt"].pk, "warehouse": world["warehouse"].pk,
                                                     "minimum_stock": "-1"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "minimum_stock"
    missing = client.put("/api/v1/planning/parameters", {"product": 10**9, "warehouse": world["warehouse"].pk},
                         content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "product"
    assert client.put("/api/v1/planning/parameters", {"product": world["bolt"].pk, "warehouse": world["warehouse"].pk,
                                                      "minimum_stock": "10", "source": "buy"},
                      content_type="application/json").json()["minimum_stock"] == "10"
    client.force_login(sales_rep)
    assert client.post("/api/v1/planning/runs").status_code == 403
    assert client.post("/api/v1/planning/proposals/confirm", {"proposals": [pk]},
                       content_type="application/json").status_code == 403


def test_page_runs_planning_and_confirms_selected(world, sell, client, sales_manager):
    order = sell(world["bike"], 3)
    client.force_login(sales_manager)
    page = client.get(reverse("planning:proposal-list")).content.decode()
    assert "Planning has not run yet." in page
    response = client.post(reverse("planning:run"), follow=True)
    page = response.content.decode()
    assert "Planning run done: 4 proposals." in page
    assert order.number in page and "to make BIKE" in page and "to make FRAME" in page
    purchases = PlanningProposal.objects.filter(kind="purchase")
    response = client.post(reverse("planning:confirm"), {"proposal": [p.pk for p in purchases]}, follow=True)
    po = PurchaseOrder.objects.get()
    assert f"Orders made: {po.number}." in response.content.decode()
    filtered = client.get(reverse("planning:proposal-list"), {"kind": "make"}).content.decode()
    assert 'data-kind="make"' in filtered and 'data-kind="purchase"' not in filtered
    nothing = client.post(reverse("planning:confirm"), {}, follow=True).content.decode()
    assert "Choose at least one proposal." in nothing


def test_pages_refuse_who_may_not(world, client, sales_rep, buyer, sell):
    sell(world["bike"], 1)
    client.force_login(sales_rep)
    assert client.get(reverse("planning:proposal-list")).status_code == 200
    assert client.post(reverse("planning:run")).status_code == 403
    assert client.post(reverse("planning:confirm"), {"proposal": [1]}).status_code == 403
    services.run_planning(by=buyer)
    make = PlanningProposal.objects.filter(kind="make").first()
    client.force_login(buyer)
    assert client.post(reverse("planning:confirm"), {"proposal": [make.pk]}).status_code == 403


def test_product_page_and_order_page_show_the_plan(world, sell, client, sales_manager):
    order = sell(world["bike"], 2)
    services.run_planning(by=sales_manager)
    client.force_login(sales_manager)
    product_page = client.get(reverse("catalog:product-detail", args=[world["bike"].pk])).content.decode()
    assert 'data-testid="product-proposals"' in product_page
    order_page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-availability"' in order_page
    assert 'data-state="make"' in order_page and "To be made: 2" in order_page
    bike = PlanningProposal.objects.get(product=world["bike"])
    services.confirm_proposals([bike.pk], by=sales_manager)
    order_page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    bike.refresh_from_db()
    assert f"({bike.production_order.number})" in order_page
