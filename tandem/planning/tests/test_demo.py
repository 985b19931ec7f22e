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
