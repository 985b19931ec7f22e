"""Reads of deals shared by the deal pages and the deal API: list filters, board columns, checklists.

Callers pass querysets already narrowed by crm.queries.visibility (the record rule)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from tandem.crm.models import Deal, DealChecklistItem, Pipeline, Stage, StageRule

DEAL_RELATED = ("client", "counterparty", "contact", "owner", "pipeline", "stage", "source", "campaign",
                "lost_reason")
CARDS_PER_COLUMN = 50


def filter_deals(qs: QuerySet[Deal], *, pipeline=None, stage=None, status=None, owner_id=None, client_id=None,
                 q=None) -> QuerySet[Deal]:
    if pipeline:
        qs = qs.filter(pipeline_id=pipeline)
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
    query), and at most `limit` newest cards (one query per stage)."""
    open_deals = deals.filter(pipeline=pipeline, status=Deal.Status.OPEN)
    stages = list(pipeline.stages.order_by("position"))
    sums = (open_deals.order_by().values("stage_id", "currency")
            .annotate(count=Count("id"), total=Sum("amount")).order_by("stage_id", "currency"))
    counts: dict[int, int] = {}
    totals: dict[int, list] = {}
    for row in sums:
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["count"]
        if row["total"] is not None:
            totals.setdefault(row["stage_id"], []).append((row["currency"], row["total"]))
    columns = []
    for stage in stages:
        cards = list(open_deals.filter(stage=stage).select_related("client", "owner")
                     .order_by("-created_at", "-id")[:limit]) if counts.get(stage.pk) else []
        count = counts.get(stage.pk, 0)
        columns.append({"stage": stage, "count": count, "totals": totals.get(stage.pk, []), "cards": cards,
                        "more": max(0, count - len(cards))})
    return columns
