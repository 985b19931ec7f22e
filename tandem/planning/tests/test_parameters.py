"""Planning parameters (minimum and safety stock, buy or make, make lead time): the service, reading them through
the API (one and the list, filtered), the product page's "Planning" panel with its htmx form, and the list page."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.core.errors import BusinessRuleError
from tandem.planning import queries, services
from tandem.planning.models import PlanningParameter
from tandem.stock.models import Warehouse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def second(company):
    return Warehouse.objects.create(company=company, code="WEST", name="West")


def test_the_service_creates_then_changes_and_refuses_naming_the_field(world, buyer):
    bolt, warehouse = world["bolt"], world["warehouse"]
    made = services.set_parameter(product=bolt, warehouse=warehouse, by=buyer, minimum_stock="20",
                                  safety_stock=D(5), source="buy", make_lead_time_days=0)
    assert (made.minimum_stock, made.safety_stock, made.source, made.make_lead_time_days) == (D(20), D(5), "buy", 0)
    changed = services.set_parameter(product=bolt, warehouse=warehouse, by=buyer, minimum_stock=D(30))
    assert changed.pk == made.pk and changed.version == 2 and changed.minimum_stock == D(30)
    for field, kwargs in (("minimum_stock", {"minimum_stock": "-1"}), ("safety_stock", {"safety_stock": "x"}),
                          ("make_lead_time_days", {"make_lead_time_days": 4000}), ("source", {"source": "steal"})):
        with pytest.raises(BusinessRuleError) as refused:
            services.set_parameter(product=bolt, warehouse=warehouse, by=buyer, **kwargs)
        assert refused.value.field == field
    assert PlanningParameter.objects.get().minimum_stock == D(30)
    assert list(queries.parameters(product_id=bolt.pk)) == [changed]


def test_the_api_reads_one_and_lists_filtered(world, second, client, buyer, make_user):
    bolt, tube, warehouse = world["bolt"], world["tube"], world["warehouse"]
    one = services.set_parameter(product=bolt, warehouse=warehouse, by=buyer, minimum_stock=D(10))
    services.set_parameter(product=bolt, warehouse=second, by=buyer, minimum_stock=D(4), source="make")
    services.set_parameter(product=tube, warehouse=warehouse, by=buyer, safety_stock=D("2.5"))
    client.force_login(make_user(roles.WAREHOUSE, username="keeper"))
    got = client.get(f"/api/v1/planning/parameters/{one.pk}")
    assert got.status_code == 200
    assert got.json() == {"id": one.pk, "product": bolt.pk, "warehouse": warehouse.pk, "source": "auto",
                          "minimum_stock": "10", "safety_stock": "0", "make_lead_time_days": 1, "version": 1}
    assert client.get("/api/v1/planning/parameters/999999").status_code == 404
    assert client.get("/api/v1/planning/parameters").json()["count"] == 3
    of_bolt = client.get("/api/v1/planning/parameters", {"product": bolt.pk}).json()
    assert [(p["warehouse"], p["minimum_stock"]) for p in of_bolt["items"]] == [(warehouse.pk, "10"), (second.pk, "4")]
    in_main = client.get("/api/v1/planning/parameters", {"warehouse": warehouse.pk}).json()["items"]
    assert {(p["product"], p["safety_stock"]) for p in in_main} == {(bolt.pk, "0"), (tube.pk, "2.5")}
    assert client.get("/api/v1/planning/parameters", {"product": 0}).status_code in (400, 422)
    client.force_login(make_user(None, username="nobody"))
    assert client.get("/api/v1/planning/parameters").status_code == 403
    assert client.get(f"/api/v1/planning/parameters/{one.pk}").status_code == 403


def test_the_product_page_panel_sets_parameters_through_htmx(world, client, buyer):
    bolt, warehouse = world["bolt"], world["warehouse"]
    client.force_login(buyer)
    page = client.get(reverse("catalog:product-detail", args=[bolt.pk])).content.decode()
    assert 'id="planning-parameters"' in page and "No minimum stock set" in page
    url = reverse("planning:product-parameters-edit", args=[bolt.pk])
    saved = client.post(url, {"warehouse": warehouse.pk, "minimum_stock": "40", "safety_stock": "10",
                              "source": "buy", "make_lead_time_days": "2"}, **HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert html.startswith('<div id="planning-parameters"') and 'data-warehouse="MAIN"' in html
    parameter = PlanningParameter.objects.get()
    assert (parameter.minimum_stock, parameter.safety_stock, parameter.source) == (D(40), D(10), "buy")
    negative = client.post(url, {"warehouse": warehouse.pk, "minimum_stock": "-5", "safety_stock": "",
                                 "source": "auto", "make_lead_time_days": "1"}, **HTMX)
    assert negative.status_code == 400 and "greater than or equal to 0" in negative.content.decode()
    bad = client.post(url, {"warehouse": "", "minimum_stock": "abc", "source": "auto", "make_lead_time_days": "-1"},
                      **HTMX)
    assert bad.status_code == 400 and bad.content.decode().count('class="errorlist"') >= 3
    parameter.refresh_from_db()
    assert parameter.minimum_stock == D(40) and parameter.version == 1


def test_the_form_page_without_javascript_and_the_list(world, second, client, buyer, sales_rep):
    bolt, warehouse = world["bolt"], world["warehouse"]
    services.set_parameter(product=bolt, warehouse=second, by=buyer, minimum_stock=D(7))
    client.force_login(buyer)
    url = reverse("planning:product-parameters-edit", args=[bolt.pk])
    form = client.get(url, {"warehouse": second.pk}).content.decode()
    assert 'value="7"' in form
    saved = client.post(url, {"warehouse": warehouse.pk, "minimum_stock": "12", "source": "auto",
                              "make_lead_time_days": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("#panel-planning-parameters")
    refused = client.post(url, {"warehouse": warehouse.pk, "safety_stock": "-1", "source": "auto",
                                "make_lead_time_days": "1"})
    assert refused.status_code == 400 and "greater than or equal to 0" in refused.content.decode()
    listed = client.get(reverse("planning:parameter-list"), {"warehouse": warehouse.pk}).content.decode()
    assert "BOLT" in listed and "<td>WEST</td>" not in listed and "<td>MAIN</td>" in listed
    assert "BOLT" in client.get(reverse("planning:parameter-list"), {"q": "bol"}).content.decode()
    client.force_login(sales_rep)  # reads planning, may not change it: the panel without the form
    page = client.get(reverse("catalog:product-detail", args=[bolt.pk])).content.decode()
    assert 'data-warehouse="WEST"' in page and "planning-parameters-form" not in page
    assert client.post(url, {"warehouse": warehouse.pk, "source": "auto", "make_lead_time_days": "1"}).status_code \
        == 403
