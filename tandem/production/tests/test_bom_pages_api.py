"""BOM and work-centre pages and API: what a planner sees and sends, and what is refused."""

from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from tandem.core import roles
from tandem.production import bom_services as bs
from tandem.production.models import Bom, WorkCentre

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(make_user):
    return make_user(roles.PRODUCTION, username="planner1")


@pytest.fixture
def web(planner):
    http = HttpClient()
    http.force_login(planner)
    return http


def test_a_planner_builds_a_bom_on_the_pages(web, planner, table, leg, top, company):
    response = web.post("/production/work-centres/new/", {"code": "ASM", "name": "Assembly", "hourly_cost": "30",
                                                         "capacity_hours_per_week": "40"})
    assert response.status_code == 302
    centre = WorkCentre.objects.get(code="ASM")
    response = web.post("/production/boms/new/", {"product": table.pk, "code": "v1", "quantity": "1",
                                                  "valid_from": "2026-01-01"})
    bom = Bom.objects.get(product=table)
    assert response.status_code == 302 and response["Location"] == f"/production/boms/{bom.pk}/"
    assert web.post(f"/production/boms/{bom.pk}/lines/add/", {"component": leg.pk, "quantity": "4",
                                                              "scrap_percent": "5", "version": "1"}).status_code == 302
    assert web.post(f"/production/boms/{bom.pk}/lines/add/", {"component": top.pk, "quantity": "1",
                                                              "version": "2"}).status_code == 302
    assert web.post(f"/production/boms/{bom.pk}/operations/add/", {
        "name": "Assemble", "work_centre": centre.pk, "minutes_per_unit": "30", "setup_minutes": "10",
        "version": "3"}).status_code == 302
    # Editing a line in place: the row's own form (prefixed fields).
    line = bom.lines.get(component=leg)
    assert web.post(f"/production/boms/{bom.pk}/lines/{line.pk}/", {
        f"line-{line.pk}-quantity": "5", f"line-{line.pk}-scrap_percent": "5",
        f"line-{line.pk}-version": "4"}).status_code == 302
    line.refresh_from_db()
    assert line.quantity == Decimal(5)

    page = web.get(f"/production/boms/{bom.pk}/").content.decode()
    assert "LEG-1" in page and "TOP-1" in page and "Assemble" in page
    product_page = web.get(f"/catalog/products/{table.pk}/").content.decode()
    assert 'data-testid="product-boms"' in product_page and "v1" in product_page
    used = web.get(f"/catalog/products/{leg.pk}/").content.decode()
    assert 'data-testid="product-where-used"' in used and "TABLE-1" in used
    explosion = web.get(f"/production/boms/{bom.pk}/explosion/?quantity=2").content.decode()
    assert 'data-testid="total-cost"' in explosion and "10.5264" in explosion  # 2 × 5 / 0.95, rounded up


def test_refusals_show_on_the_form(web, table, table_bom, leg):
    response = web.post(f"/production/boms/{table_bom.pk}/lines/add/", {"component": table.pk, "quantity": "1"})
    assert response.status_code == 400
    assert "cannot be a component of itself" in response.content.decode()
    stale = web.post(f"/production/boms/{table_bom.pk}/lines/add/", {"component": leg.pk, "quantity": "1",
                                                                     "version": "99"})
    assert stale.status_code == 409
    overlap = web.post("/production/boms/new/", {"product": table.pk, "code": "v2", "quantity": "1",
                                                 "valid_from": "2027-01-01"})
    assert overlap.status_code == 400 and "must not overlap" in overlap.content.decode()
    # Closing v1 on its page, then v2 takes over.
    closed = web.post(f"/production/boms/{table_bom.pk}/edit/", {
        "header-code": "v1", "header-quantity": "2", "header-valid_from": "2026-01-01",
        "header-valid_to": "2026-12-31", "header-version": str(table_bom.version)})
    assert closed.status_code == 302
    assert web.post("/production/boms/new/", {"product": table.pk, "code": "v2", "quantity": "1",
                                              "valid_from": "2027-01-01"}).status_code == 302


def test_readers_see_quantities_but_not_costs_and_change_nothing(make_user, table_bom, table):
    viewer = make_user(roles.VIEWER, username="viewer9")
    http = HttpClient()
    http.force_login(viewer)
    page = http.get(f"/production/boms/{table_bom.pk}/explosion/")
    assert page.status_code == 200 and 'data-testid="total-cost"' not in page.content.decode()
    assert http.post(f"/production/boms/{table_bom.pk}/archive/").status_code == 403
    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep9")
    http.force_login(rep)
    assert http.get("/production/boms/").status_code == 403


def test_the_api_makes_a_bom_with_lines_and_operations_all_or_nothing(api, planner, table, leg, top, assembly):
    http = api(planner)
    body = {"product_id": table.pk, "code": "v1", "valid_from": "2026-01-01", "quantity": "2",
            "lines": [{"component_id": leg.pk, "quantity": "8", "scrap_percent": "5"},
                      {"component_id": top.pk, "quantity": "2"}],
            "operations": [{"name": "Assemble", "work_centre_id": assembly.pk, "minutes_per_unit": "30",
                            "setup_minutes": "15"}]}
    bad = {**body, "lines": [body["lines"][0], {"component_id": table.pk, "quantity": "1"}]}
    refused = http.post("/api/v1/production/boms", bad, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "self_component" and refused.json()["field"] == "lines.1.component"
    assert not Bom.objects.exists()

    made = http.post("/api/v1/production/boms", body, content_type="application/json")
    assert made.status_code == 201, made.content
    data = made.json()
    assert [(x["component"]["sku"], x["quantity"], x["gross_quantity"]) for x in data["lines"]] == [
        ("LEG-1", "8", "8.421053"), ("TOP-1", "2", "2")]
    assert data["operations"][0]["work_centre"]["code"] == "ASM" and made["ETag"] == '"4"'

    stale = http.patch(f"/api/v1/production/boms/{data['id']}", {"note": "x", "version": 1},
                       content_type="application/json")
    assert stale.status_code == 409
    explosion = http.get(f"/api/v1/production/boms/{data['id']}/explosion?quantity=3&date=2026-06-01").json()
    assert [(r["product"]["sku"], r["quantity"]) for r in explosion["rows"]] == [("LEG-1", "12.6316"),
                                                                                 ("TOP-1", "3.0000")]
    assert explosion["operation_cost"] == "52.500000"  # (15 + 30 × 3) minutes at 30 an hour
    used = http.get(f"/api/v1/production/products/{leg.pk}/where-used").json()
    assert [(u["level"], u["bom"]["product"]["sku"]) for u in used] == [(1, "TABLE-1")]
    overlap = http.post("/api/v1/production/boms", {**body, "code": "v2", "lines": [], "operations": []},
                        content_type="application/json")
    assert overlap.status_code == 400 and overlap.json()["field"] == "valid_from"


def test_the_api_keeps_work_centres(api, planner, make_user, company):
    http = api(planner)
    made = http.post("/api/v1/production/work-centres", {"code": "CUT", "name": "Cutting", "hourly_cost": "48"},
                     content_type="application/json")
    assert made.status_code == 201 and made.json()["hourly_cost"] == "48"
    centre_id = made.json()["id"]
    changed = http.patch(f"/api/v1/production/work-centres/{centre_id}", {"hourly_cost": "50", "version": 1},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert http.post(f"/api/v1/production/work-centres/{centre_id}/archive").json()["is_archived"] is True
    too_long = http.post("/api/v1/production/work-centres", {"code": "X", "name": "X", "hourly_cost": "1000000000"},
                         content_type="application/json")
    assert too_long.status_code in (400, 422) and too_long.json()["field"] == "hourly_cost"
    viewer = api(make_user(roles.VIEWER, username="viewer8"))
    assert viewer.get("/api/v1/production/work-centres?archived=true").status_code == 200
    assert viewer.post("/api/v1/production/work-centres", {"code": "Y", "name": "Y"},
                       content_type="application/json").status_code == 403


def test_operation_minutes_stay_within_the_amount_range(admin_user, table_bom, assembly):
    from tandem.core.errors import BusinessRuleError

    with pytest.raises(BusinessRuleError) as refused:
        bs.add_bom_operation(table_bom, by=admin_user, name="Forever", work_centre=assembly,
                             minutes_per_unit=Decimal("100000000000"))
    assert refused.value.field == "minutes_per_unit"


def test_the_version_page_reads_a_fixed_number_of_queries(web, table_bom, assembly, leg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    web.get(f"/production/boms/{table_bom.pk}/")
    with CaptureQueriesContext(connection) as few:
        assert web.get(f"/production/boms/{table_bom.pk}/").status_code == 200
    for number in range(5):
        table_bom.operations.create(name=f"Step {number}", work_centre=assembly)
        table_bom.lines.create(component=leg, quantity=Decimal(1), position=10 + number)
    with CaptureQueriesContext(connection) as many:
        assert web.get(f"/production/boms/{table_bom.pk}/").status_code == 200
    assert len(many) == len(few)
