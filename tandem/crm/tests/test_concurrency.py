"""Twenty people move one deal at the same moment (PostgreSQL, real parallel connections): the deal's row lock
serialises them, so its stage history stays one contiguous line with exactly one open visit."""

import pytest

from tandem.core import roles
from tandem.core.errors import ConflictError
from tandem.core.tests.parallel import run_in_parallel
from tandem.crm.models import Deal, DealStageVisit, Stage
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import PipelineFactory
from tandem.parties.tests.factories import ClientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAGES = ["One", "Two", "Three", "Four", "Five"]


@pytest.fixture
def rules_free_deal(make_user):
    rep = make_user(roles.SALES_REPRESENTATIVE, username="racer")
    pipeline = PipelineFactory(name="Race", stages=STAGES)
    deal = services.create_deal(by=rep, client=ClientFactory(owner=rep), title="Contested", pipeline=pipeline)
    return rep, deal, list(pipeline.stages.order_by("position"))


def assert_one_contiguous_history(deal: Deal) -> list[DealStageVisit]:
    deal.refresh_from_db()
    visits = list(DealStageVisit.objects.filter(deal=deal).order_by("entered_at", "id"))
    open_visits = [v for v in visits if v.left_at is None]
    assert len(open_visits) == 1 and open_visits[0] is visits[-1]
    assert deal.stage_id == visits[-1].stage_id
    for earlier, later in zip(visits, visits[1:], strict=False):
        assert earlier.left_at == later.entered_at  # no gap, no overlap
        assert earlier.stage_id != later.stage_id
    return visits


def test_twenty_simultaneous_moves_leave_one_consistent_history(rules_free_deal):
    rep, deal, stages = rules_free_deal

    def move(index):
        own = Deal.objects.get(pk=deal.pk)
        return services.move_deal_to_stage(own, stages[(index % 4) + 1], by=rep).stage_id

    outcomes = run_in_parallel(move, 20)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    visits = assert_one_contiguous_history(deal)
    # Every move that changed the stage is one visit and one version more; repeats of the same stage are no-ops.
    assert deal.version == len(visits)
    assert Stage.objects.get(pk=deal.stage_id).pipeline.name == "Race"


def test_twenty_simultaneous_moves_from_the_same_board_move_the_deal_once(rules_free_deal):
    rep, deal, stages = rules_free_deal
    seen = stages[0]

    def move(index):
        own = Deal.objects.get(pk=deal.pk)
        return services.move_deal_to_stage(own, stages[(index % 4) + 1], by=rep, from_stage=seen).stage_id

    outcomes = run_in_parallel(move, 20)

    moved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(moved) == 1
    assert len(refused) == 19 and all(isinstance(e, ConflictError) and e.code == "stale" for e in refused)
    visits = assert_one_contiguous_history(deal)
    assert [v.stage_id for v in visits] == [seen.pk, moved[0]]
