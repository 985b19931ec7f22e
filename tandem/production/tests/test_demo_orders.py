"""The production order demo: orders in every state, the done one posted with nothing left in work in progress."""

import pytest

from tandem.production.demo_orders import build_production_orders_demo
from tandem.production.models import ProductionOrder

pytestmark = pytest.mark.django_db


def test_the_demo_makes_orders_in_every_state_once(admin_user, shelf):
    assert build_production_orders_demo(scale=0.5)
    statuses = set(ProductionOrder.objects.values_list("status", flat=True))
    assert statuses == {"draft", "confirmed", "in_progress", "done"}
    done = ProductionOrder.objects.get(status="done")
    assert done.work_in_progress == 0 and done.written_off > 0 and done.output_value > 0
    assert build_production_orders_demo(scale=0.5) == []
