"""Reads of deals shared by the deal pages and the deal API: list filters, board columns, checklists.

Callers pass querysets already narrowed by crm.queries.visibility (the record rule)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from tandem.core.money import BaseTotal, convert_totals
from tandem.core.services import base_currency
from tandem.crm.models import Deal, DealChecklistItem, DealStageVisit, Pipeline, Stage, StageRule

DEAL_RELATED = ("client", "counterparty", "contact", "owner", "stage__pipeline", "source", "campaign",
                "lost_reason")
CARDS_PER_COLUMN = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def stage_moves() -> QuerySet[DealStageVisit]:
    """Stage visits that are a move from another stage: the deal's previous visit, in another stage, was left
    at the very instant this one was entered (crm.services.deals.move_deal_to_stage)."""
    previous = (DealStageVisit.objects.filter(deal_id=OuterRef("deal_id"), left_at=OuterRef("entered_at"))
                .exclude(stage_id=OuterRef("stage_id")))
    return DealStageVisit.objects.filter(Exists(previous))


def filter_deals(qs: QuerySet[Deal], *, pipeline=None, stage=None, status=None, owner_id=None, client_id=None,
                 q=None, won_from: datetime.date | None = None, won_to: datetime.date | None = None,
                 moved_by: int | None = None, moved_from: datetime.date | None = None,
                 moved_to: datetime.date | None = None) -> QuerySet[Deal]:
    """List filters. won_from/won_to: won deals closed on those local days (inclusive); moved_by with
    moved_from/moved_to: deals that user moved to another stage on those days."""
    if pipeline:
        qs = qs.filter(stage__pipeline_id=pipeline)
    if stage:
        qs = qs.filter(stage_id=stage)
    if status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if q and q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(client__name__icontains=q.strip()))
    if won_from or won_to:
        qs = qs.filter(status=Deal.Status.WON)
        if won_from:
            qs = qs.filter(closed_at__gte=_day_start(won_from))
        if won_to:
            qs = qs.filter(closed_at__lt=_day_start(won_to + datetime.timedelta(days=1)))
    if moved_by:
        moves = stage_moves().filter(deal_id=OuterRef("pk"), entered_by_id=moved_by)
        if moved_from:
            moves = moves.filter(entered_at__gte=_day_start(moved_from))
        if moved_to:
            moves = moves.filter(entered_at__lt=_day_start(moved_to + datetime.timedelta(days=1)))
        qs = qs.filter(Exists(moves))
    return qs


def pipelines_with_stages() -> QuerySet[Pipeline]:
    return Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position").prefetch_related("rules")))


def checklist_of(deal: Deal) -> list[dict]:
    """The checklist items of the deal's current stage, ticked or not."""
    rules = list(StageRule.objects.filter(stage_id=deal.stage_id, kind=StageRule.Kind.CHECKLIST))
    done = {i.rule_id: i.done_at for i in DealChecklistItem.objects.filter(deal=deal, rule__in=rules)}
    return [{"rule_id": r.pk, "rule": r, "label": r.label, "done": done.get(r.pk) is not None,
             "done_at": done.get(r.pk)} for r in rules]


def board_columns(deals: QuerySet[Deal], pipeline: Pipeline, limit: int = CARDS_PER_COLUMN) -> list[dict]:
    """One column per stage of the pipeline with its open deals: count and total per currency (one GROUP BY
    query), the total in the company's base currency at today's rates (`base_total`, whose `missing` names
    the currencies without a rate), and at most `limit` newest cards (one query per stage)."""
    stages = list(pipeline.stages.order_by("position"))
    open_deals = deals.filter(stage__in=[stage.pk for stage in stages], status=Deal.Status.OPEN)
    sums = (open_deals.order_by().values("stage_id", "currency")
            .annotate(count=Count("id"), total=Sum("amount")).order_by("stage_id", "currency"))
    counts: dict[int, int] = {}
    totals: dict[int, list] = {}
    for row in sums:
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["count"]
        if row["total"] is not None:
            totals.setdefault(row["stage_id"], []).append((row["currency"], row["total"]))
    columns = []
    today, base, rates = timezone.localdate(), base_currency(), {}
    for stage in stages:
        cards = list(open_deals.filter(stage=stage).select_related("client", "owner")
                     .order_by("-created_at", "-id")[:limit]) if counts.get(stage.pk) else []
        count = counts.get(stage.pk, 0)
        columns.append({"stage": stage, "count": count, "totals": totals.get(stage.pk, []), "cards": cards,
                        "more": max(0, count - len(cards)),
                        "base_total": convert_totals(totals.get(stage.pk, []), base, on=today, rates=rates)})
    return columns


def board_total(columns: list[dict]) -> BaseTotal | None:
    """All open deals of the board in the base currency: the sum of the columns' base totals (so the header
    adds up with the columns), every currency's amount, and every currency without a rate."""
    if not columns:
        return None
    base = columns[0]["base_total"]
    by_currency: dict[str, Decimal] = {}
    for column in columns:
        for currency, amount in column["base_total"].by_currency.items():
            by_currency[currency] = by_currency.get(currency, Decimal(0)) + amount
    return BaseTotal(
        currency=base.currency, on=base.on,
        amount=sum((column["base_total"].amount for column in columns), Decimal(0)),
        by_currency=dict(sorted(by_currency.items(), key=lambda item: (item[0] != base.currency, item[0]))),
        missing=sorted({code for column in columns for code in column["base_total"].missing}),
    )
