"""CRM reports: where deals are lost and how long they stay in each stage.

Amounts stay per currency and are also added up in the company's base currency at the exchange rates of
the period's last day (today for an open period): core.money.convert_totals, which names the currencies
without a rate instead of dropping them.

Aggregates run in SQL (GROUP BY stage, currency), so the cost does not grow with Python loops over deals;
the rows they return (stages x currencies) are shaped by pure functions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from tandem.core.money import BaseTotal, convert_totals
from tandem.core.services import base_currency
from tandem.crm.models import Deal, DealStageVisit, Pipeline, Stage

ONE_DECIMAL = Decimal("0.1")
SECONDS_PER_DAY = Decimal(86400)


# --- Pure helpers -------------------------------------------------------------------------------------

def percent(part, whole) -> Decimal:
    """part of whole in percent, one decimal, half up; 0 when whole is 0."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def duration_days(duration: datetime.timedelta | None) -> Decimal | None:
    """A duration in days, one decimal, half up (None stays None)."""
    if duration is None:
        return None
    seconds = (Decimal(duration.days) * SECONDS_PER_DAY + Decimal(duration.seconds)
               + Decimal(duration.microseconds) / 10**6)
    return (seconds / SECONDS_PER_DAY).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def period_bounds(date_from: datetime.date | None, date_to: datetime.date | None):
    """[start, end) datetimes in the current time zone for an inclusive date range (None = open)."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min)) if date_from else None
    end = (timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
           if date_to else None)
    return start, end


@dataclass
class StageRow:
    stage_id: int
    name: str
    position: int
    lost_count: int = 0
    lost_share: Decimal = Decimal("0.0")
    lost_amounts: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount
    completed_visits: int = 0
    average_duration: datetime.timedelta | None = None
    lost_base: BaseTotal | None = None  # lost_amounts in the base currency

    @property
    def average_days(self) -> Decimal | None:
        return duration_days(self.average_duration)


@dataclass
class LostAtStageReport:
    pipeline: Pipeline
    date_from: datetime.date | None
    date_to: datetime.date | None
    stages: list[StageRow]
    total_lost: int
    total_amounts: dict[str, Decimal]
    total_base: BaseTotal | None = None  # total_amounts in the base currency


def rate_date(date_to: datetime.date | None) -> datetime.date:
    """The day whose exchange rates convert a report's amounts: the end of its period, never after today."""
    today = timezone.localdate()
    return min(date_to, today) if date_to else today


def build_rows(stages, lost_rows, duration_rows) -> tuple[list[StageRow], int, dict[str, Decimal]]:
    """Stage rows from the aggregate rows: lost_rows {stage_id, currency, count, amount}, duration_rows
    {stage_id, visits, average}. Pure: no database access."""
    rows = {s.pk: StageRow(stage_id=s.pk, name=s.name, position=s.position) for s in stages}
    totals: dict[str, Decimal] = {}
    total_lost = 0
    for r in lost_rows:
        row = rows.get(r["stage_id"])
        if row is None:
            continue
        row.lost_count += r["count"]
        total_lost += r["count"]
        amount = r["amount"] or Decimal(0)
        row.lost_amounts[r["currency"]] = row.lost_amounts.get(r["currency"], Decimal(0)) + amount
        totals[r["currency"]] = totals.get(r["currency"], Decimal(0)) + amount
    for r in duration_rows:
        row = rows.get(r["stage_id"])
        if row is not None:
            row.completed_visits = r["visits"]
            row.average_duration = r["average"]
    result = sorted(rows.values(), key=lambda row: row.position)
    for row in result:
        row.lost_share = percent(row.lost_count, total_lost)
    return result, total_lost, totals


# --- Queries ------------------------------------------------------------------------------------------

def _stage_ids(pipeline: Pipeline, stages=None) -> list[int]:
    return [s.pk for s in stages] if stages is not None else list(pipeline.stages.values_list("pk", flat=True))


def lost_rows(deals: QuerySet[Deal], pipeline: Pipeline, start=None, end=None, stages=None) -> list[dict]:
    """Lost deals of the pipeline closed in [start, end), per stage and currency: count and amount.
    `stages`: the pipeline's stages when the caller has them (saves a query)."""
    qs = deals.filter(stage_id__in=_stage_ids(pipeline, stages), status=Deal.Status.LOST)
    if start:
        qs = qs.filter(closed_at__gte=start)
    if end:
        qs = qs.filter(closed_at__lt=end)
    return list(qs.order_by().values("stage_id", "currency").annotate(count=Count("id"), amount=Sum("amount")))


def duration_rows(deals: QuerySet[Deal], pipeline: Pipeline, start=None, end=None, stages=None) -> list[dict]:
    """Finished stage visits (left in [start, end)) of the pipeline's deals, per stage: count, average time.

    `stage_id IN (the pipeline's stages)` rather than a join to the stages: the database then reads the
    covering index (stage, left_at, duration_seconds, deal) one stage range at a time instead of scanning it
    all and looking up each visit's stage (SQLite: ~45 instead of ~70 ms for 260,000 visits)."""
    stage_ids = _stage_ids(pipeline, stages)
    if deals.query.where:  # narrowed (e.g. a representative's own deals): those of them in the pipeline
        of_deals = Q(deal__in=deals.filter(stage_id__in=stage_ids).values("pk"))
    else:  # every deal: leave out the few that moved to another pipeline rather than list all the others
        elsewhere = Deal.objects.filter(stage__in=Stage.objects.exclude(pipeline=pipeline).values("pk"))
        of_deals = ~Q(deal__in=elsewhere.values("pk"))
    qs = DealStageVisit.objects.filter(of_deals, stage_id__in=stage_ids, left_at__isnull=False)
    if start:
        qs = qs.filter(left_at__gte=start)
    if end:
        qs = qs.filter(left_at__lt=end)
    rows = qs.order_by().values("stage_id").annotate(
        visits=Count("*"), average_seconds=Avg("duration_seconds"))
    return [{"stage_id": r["stage_id"], "visits": r["visits"],
             "average": None if r["average_seconds"] is None else datetime.timedelta(seconds=r["average_seconds"])}
            for r in rows]


def lost_at_stage(deals: QuerySet[Deal], pipeline: Pipeline, date_from: datetime.date | None = None,
                  date_to: datetime.date | None = None) -> LostAtStageReport:
    """Deals lost per stage (count, share, amount per currency) and average time spent per stage.

    `deals` is the caller's visible deals (crm.queries.visibility.visible_deals), so a representative's report
    covers own deals only. Two aggregate queries plus one for the stages, whatever the number of deals."""
    start, end = period_bounds(date_from, date_to)
    pipeline_stages = list(pipeline.stages.order_by("position"))
    stages, total, totals = build_rows(pipeline_stages,
                                       lost_rows(deals, pipeline, start, end, pipeline_stages),
                                       duration_rows(deals, pipeline, start, end, pipeline_stages))
    on, base, rates = rate_date(date_to), base_currency(), {}
    for row in stages:
        row.lost_base = convert_totals(row.lost_amounts, base, on=on, rates=rates)
    return LostAtStageReport(pipeline=pipeline, date_from=date_from, date_to=date_to, stages=stages,
                             total_lost=total, total_amounts=totals,
                             total_base=convert_totals(totals, base, on=on, rates=rates))
