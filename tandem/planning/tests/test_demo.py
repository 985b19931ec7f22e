"""The planning demo: minimum stocks and one run, once."""

import pytest

from tandem.planning.demo import build_planning_demo
from tandem.planning.models import PlanningParameter, PlanningProposal

pytestmark = pytest.mark.django_db


def test_demo_sets_minimum_stock_and_runs_planning_once(admin_user, world):
    lines = build_planning_demo(seed=1)
    assert lines and "one run" in lines[0]
    assert PlanningParameter.objects.filter(minimum_stock__gt=0).exists()
    assert PlanningProposal.objects.filter(pegging__kind="minimum").exists()
    assert build_planning_demo(seed=1) == []


def test_the_furniture_maker_buys_makes_and_sells_for_a_year(admin_user, sales_manager, company, warehouse, shelf,
                                                             piece):
    """The furniture story: supplier prices and received purchases of the materials with their freight, done
    production orders at all three BOM levels, furniture sold and shipped, and a short order the run plans."""
    import datetime

    from django.utils import timezone

    from tandem.catalog.models import Product
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
    from tandem.planning.furniture_demo import build_furniture_demo
    from tandem.production import bom_queries
    from tandem.production.demo import build_production_demo
    from tandem.production.models import ProductionOrder
    from tandem.purchasing.models import LandedCost, PurchaseOrderLine, SupplierPrice
    from tandem.sales.models import OrderLine, Shipment

    for name in ("Gasthaus Linde", "Hotel Adler"):
        CounterpartyFactory(client=ClientFactory(name=name), legal_name=name, valid_from=datetime.date(2020, 1, 1))
    build_production_demo(seed=1)
    lines = build_furniture_demo(seed=1, scale=0.25)
    assert lines and lines[0].startswith("furniture:")
    materials = ["FM-BOARD-OAK", "FM-LEG-BEECH", "FM-SCREW-4x40", "FM-VARNISH"]
    for sku in materials:
        price = SupplierPrice.objects.get(product__sku=sku, is_preferred=True)
        assert price.min_quantity > 0 and price.pack_size > 1 and price.lead_time_days > 0
    received = PurchaseOrderLine.objects.filter(product__sku__in=materials, order__status="received")
    assert received.values("order").distinct().count() >= 3
    freight = LandedCost.objects.filter(status="allocated", lines__move__product__sku="FM-BOARD-OAK").distinct()
    assert freight.filter(method="weight").exists()
    for cost in freight:
        assert sum(line.amount for line in cost.lines.all()) == cost.amount
    # The dining set's BOM goes three levels deep, and sets were made (and their tables, chairs, tops and seats).
    dining_set = Product.objects.get(sku="FM-DINING-SET")
    assert bom_queries.explode(dining_set, 1, timezone.localdate()).levels == 3
    done = ProductionOrder.objects.filter(status="done")
    assert {o.product.sku for o in done} >= {"FM-DINING-SET", "FM-TABLE", "FM-CHAIR", "FM-TABLE-TOP",
                                            "FM-CHAIR-SEAT"}
    made_sets = done.filter(product=dining_set)
    assert made_sets.count() >= 3 and all(o.actual_cost > 0 and o.work_in_progress == 0 for o in made_sets)
    assert done.filter(product__sku="FM-CHAIR", scrapped_quantity__gt=0).exists()
    assert Product.objects.get(sku="FM-TABLE-TOP").lots.exists()  # the tops' batches are lots
    assert {"confirmed", "in_progress"} <= set(ProductionOrder.objects.values_list("status", flat=True))
    # Furniture sold and shipped, every month.
    sold = OrderLine.objects.filter(product__sku__in=["FM-TABLE", "FM-CHAIR", "FM-DINING-SET"],
                                    shipped_quantity__gt=0)
    assert sold.values("order").distinct().count() >= 3 * 3
    assert Shipment.objects.filter(status="delivered").exists()
    # The short order of dining sets: the run proposes making them and buying what they lack.
    assert OrderLine.objects.filter(product=dining_set, short_quantity__gt=0).exists()
    assert build_planning_demo(seed=1)
    proposals = set(PlanningProposal.objects.values_list("kind", "product__sku"))
    assert {("make", "FM-DINING-SET"), ("make", "FM-TABLE"), ("make", "FM-CHAIR")} <= proposals
    assert any(kind == "purchase" and sku in materials for kind, sku in proposals)
    assert build_furniture_demo(seed=1, scale=0.25) == []
