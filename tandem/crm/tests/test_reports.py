"""Lost-at-stage report: numbers hand-computed to the cent; time per stage from stage visits."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.services import base_currency, default_legal_entity
from tandem.crm.models import Deal, DealStageVisit
from tandem.crm.reports import deals as reports
from tandem.crm.tests.factories import DealFactory, LostReasonFactory, PipelineFactory

UTC = datetime.UTC


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def lost(pipeline, stage, amount, currency, closed):
    return DealFactory(pipeline=pipeline, stage=stage, amount=amount, currency=currency, status=Deal.Status.LOST,
                       lost_reason=LostReasonFactory(name="Price"), closed_at=closed, visit=False)


@pytest.fixture
def pipeline(db):
    return PipelineFactory(name="Test sales", stages=["A", "B", "C"])


@pytest.fixture
def data(pipeline):
    a, b, c = pipeline.stages.order_by("position")
    lost(pipeline, a, Decimal("100.10"), "EUR", at("2025-03-10"))
    lost(pipeline, b, Decimal("250.255"), "EUR", at("2025-03-11"))
    lost(pipeline, b, None, "EUR", at("2025-03-12"))           # amount never known
    lost(pipeline, b, Decimal("300"), "USD", at("2025-03-13"))
    lost(pipeline, a, Decimal("5000"), "EUR", at("2024-12-31"))  # before the period
    open_deal = DealFactory(pipeline=pipeline, stage=b, amount=Decimal("999"), visit=False)
    # Stays: A 1.5 days and 3 days (average 2.25 -> 2.3), B 6 hours (0.25 -> 0.3); an open stay and one
    # that ended before the period do not count.
    DealStageVisit.objects.create(deal=open_deal, stage=a, entered_at=at("2025-02-01"), left_at=at("2025-02-03", 0))
    DealStageVisit.objects.create(deal=open_deal, stage=a, entered_at=at("2025-02-05"), left_at=at("2025-02-08"))
    DealStageVisit.objects.create(deal=open_deal, stage=b, entered_at=at("2025-02-08"), left_at=at("2025-02-08", 18))
    DealStageVisit.objects.create(deal=open_deal, stage=b, entered_at=at("2025-02-09"))
    DealStageVisit.objects.create(deal=open_deal, stage=c, entered_at=at("2024-11-01"), left_at=at("2024-11-30"))
    return a, b


def test_lost_at_stage_to_the_cent(pipeline, data):
    report = reports.lost_at_stage(Deal.objects.all(), pipeline, datetime.date(2025, 1, 1),
                                   datetime.date(2025, 3, 31))
    rows = {row.name: row for row in report.stages}
    assert [row.name for row in report.stages] == ["A", "B", "C"]
    assert report.total_lost == 4
    assert (rows["A"].lost_count, rows["B"].lost_count, rows["C"].lost_count) == (1, 3, 0)
    assert (rows["A"].lost_share, rows["B"].lost_share, rows["C"].lost_share) == (
        Decimal("25.0"), Decimal("75.0"), Decimal("0.0"))
    assert rows["A"].lost_amounts == {"EUR": Decimal("100.10")}
    assert rows["B"].lost_amounts == {"EUR": Decimal("250.255"), "USD": Decimal("300")}
    assert report.total_amounts == {"EUR": Decimal("350.355"), "USD": Decimal("300")}
    assert (rows["A"].completed_visits, rows["B"].completed_visits, rows["C"].completed_visits) == (2, 1, 0)
    assert rows["A"].average_days == Decimal("2.3")
    assert rows["B"].average_days == Decimal("0.3")
    assert rows["C"].average_days is None


def test_without_period_everything_counts(pipeline, data):
    report = reports.lost_at_stage(Deal.objects.all(), pipeline)
    rows = {row.name: row for row in report.stages}
    assert report.total_lost == 5
    assert rows["A"].lost_amounts == {"EUR": Decimal("5100.10")}
    assert rows["A"].lost_share == Decimal("40.0")
    assert rows["C"].completed_visits == 1 and rows["C"].average_days == Decimal("29.0")


def test_query_count_does_not_grow_with_deals(pipeline, data):
    default_legal_entity()
    base_currency()  # cached after its first read (core.caching)
    with CaptureQueriesContext(connection) as first:
        reports.lost_at_stage(Deal.objects.all(), pipeline)
    a = pipeline.stages.order_by("position").first()
    for _ in range(10):
        lost(pipeline, a, Decimal("1"), "EUR", at("2025-03-01"))
    with CaptureQueriesContext(connection) as second:
        reports.lost_at_stage(Deal.objects.all(), pipeline)
    # 3 aggregates and one exchange rate lookup per foreign currency (USD).
    assert len(first) == len(second) == 4


def test_api_amounts_are_rounded_strings(api, sales_manager, pipeline, data):
    body = api(sales_manager).get("/api/v1/crm/reports/lost-at-stage",
                                  {"pipeline": pipeline.pk, "from": "2025-01-01", "to": "2025-03-31"}).json()
    assert body["total_amounts"] == [{"currency": "EUR", "amount": "350.36"}, {"currency": "USD", "amount": "300.00"}]
    assert body["stages"][1]["lost_share"] == "75.0" and body["stages"][0]["average_days"] == "2.3"


def test_percent_and_days_are_pure():
    assert reports.percent(1, 3) == Decimal("33.3")
    assert reports.percent(2, 3) == Decimal("66.7")
    assert reports.percent(0, 0) == Decimal("0.0")
    assert reports.duration_days(datetime.timedelta(hours=36)) == Decimal("1.5")
    assert reports.duration_days(None) is None


@pytest.mark.parametrize("narrowed", [False, True])
def test_time_per_stage_counts_only_deals_now_in_the_pipeline(pipeline, data, narrowed):
    """A deal moved to another pipeline takes its past stays with it, whether the report covers every deal
    or only one owner's (the two are read by different queries)."""
    a = pipeline.stages.order_by("position").first()
    moved = DealFactory(pipeline=pipeline, stage=a, visit=False)
    DealStageVisit.objects.create(deal=moved, stage=a, entered_at=at("2025-02-01"), left_at=at("2025-02-21"))
    Deal.objects.filter(pk=moved.pk).update(stage=PipelineFactory(name="Service", stages=["X"]).stages.get())
    open_deal = Deal.objects.get(stage__pipeline=pipeline, status=Deal.Status.OPEN)
    deals = Deal.objects.filter(owner__in=[open_deal.owner]) if narrowed else Deal.objects.all()
    rows = {row.name: row for row in reports.lost_at_stage(deals, pipeline).stages}
    assert rows["A"].completed_visits == 2 and rows["A"].average_days == Decimal("2.3")


@pytest.mark.parametrize("period", [(None, None), (datetime.date(2025, 2, 1), datetime.date(2025, 4, 30))])
@pytest.mark.parametrize("narrowed", [False, True])
def test_report_equals_a_straightforward_computation(pipeline, narrowed, period):
    """The grouped SQL (stage ranges of the covering index, no join) gives what a plain Python walk over every
    deal and stage visit gives: random deals of two owners in two pipelines, some moved between them."""
    import random

    from tandem.core.tests.factories import UserFactory

    rng = random.Random(1212)
    other = PipelineFactory(name="Service", stages=["X", "Y"])
    stages = list(pipeline.stages.order_by("position")) + list(other.stages.order_by("position"))
    owners = [UserFactory(), UserFactory()]
    reason = LostReasonFactory(name="Price")
    for _ in range(60):
        stage = rng.choice(stages)
        status = rng.choice([Deal.Status.OPEN, Deal.Status.LOST, Deal.Status.LOST, Deal.Status.WON])
        closed = at("2025-01-01") + datetime.timedelta(days=rng.randrange(0, 150), hours=rng.randrange(24))
        deal = DealFactory(pipeline=stage.pipeline, stage=stage, owner=rng.choice(owners), status=status,
                           amount=rng.choice([None, Decimal(rng.randrange(1, 10**6)) / 100]),
                           currency=rng.choice(["EUR", "USD"]), lost_reason=reason if status == "lost" else None,
                           closed_at=None if status == "open" else closed, visit=False)
        entered = at("2025-01-01") + datetime.timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(1440))
        visits = rng.randrange(0, 4)
        for n in range(visits):  # one after the other; only the last may still be open
            left = entered + datetime.timedelta(minutes=rng.randrange(1, 20000))
            still_open = n == visits - 1 and rng.random() < 0.3
            DealStageVisit.objects.create(deal=deal, stage=rng.choice(stages), entered_at=entered,
                                          left_at=None if still_open else left)
            entered = left
    deals = Deal.objects.filter(owner=owners[0]) if narrowed else Deal.objects.all()
    date_from, date_to = period
    report = reports.lost_at_stage(deals, pipeline, date_from, date_to)

    start, end = reports.period_bounds(date_from, date_to)

    def within(moment):
        return moment is not None and (start is None or moment >= start) and (end is None or moment < end)

    mine = [d for d in deals.select_related("stage") if d.stage.pipeline_id == pipeline.pk]
    expected = {}
    for stage in pipeline.stages.order_by("position"):
        lost_deals = [d for d in mine if d.stage_id == stage.pk and d.status == "lost" and within(d.closed_at)]
        amounts = {}
        for d in lost_deals:
            amounts[d.currency] = amounts.get(d.currency, Decimal(0)) + (d.amount or Decimal(0))
        stays = [v.left_at - v.entered_at for v in DealStageVisit.objects.filter(deal__in=[d.pk for d in mine],
                                                                               stage=stage)
                 if within(v.left_at)]
        average = sum(stays, datetime.timedelta()) / len(stays) if stays else None
        expected[stage.name] = (len(lost_deals), amounts, len(stays), reports.duration_days(average))
    got = {row.name: (row.lost_count, row.lost_amounts, row.completed_visits, row.average_days)
           for row in report.stages}
    assert got == expected
    assert report.total_lost == sum(e[0] for e in expected.values()) > 0
