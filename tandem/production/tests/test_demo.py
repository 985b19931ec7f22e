"""The production demo: a furniture maker's work centres and three-level BOMs, once, with a cost roll-up."""

import datetime

import pytest
from django.utils import timezone

from tandem.catalog.models import Product
from tandem.production import bom_queries
from tandem.production.demo import build_production_demo
from tandem.production.models import Bom, WorkCentre

pytestmark = pytest.mark.django_db


def test_demo_makes_a_furniture_maker_once(admin_user, company, warehouse, shelf, piece):
    lines = build_production_demo(seed=1)
    assert lines and "BOM versions" in lines[0]
    assert set(WorkCentre.objects.values_list("code", flat=True)) == {"CUT", "ASM", "FIN"}
    dining_set = Product.objects.get(sku="FM-DINING-SET")
    explosion = bom_queries.explode(dining_set, 1, timezone.localdate())
    assert explosion.levels == 3
    assert {row.product.sku for row in explosion.rows if row.level == 3} >= {"FM-BOARD-OAK"}
    assert explosion.missing_costs == [] and explosion.material_cost > 0 and explosion.operation_cost > 0
    # The table changes version next month: two versions, one in force.
    table = Product.objects.get(sku="FM-TABLE")
    assert Bom.objects.filter(product=table).count() == 2
    later = timezone.localdate() + datetime.timedelta(days=40)
    assert bom_queries.boms_in_force([table.pk], later)[table.pk].code == "v2"
    assert build_production_demo(seed=1) == []
