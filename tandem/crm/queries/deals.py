"""Reads of deals shared by the deal pages and the deal API: list filters, board columns, checklists.

Callers pass querysets already narrowed by crm.queries.visibility (the record rule)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.money import BaseTotal, convert_totals, quantize
from tandem.core.services import base_currency
from tandem.crm.models import (
    Deal,
    DealChecklistItem,
    DealStageVisit,
    Interaction,
    Pipeline,
    Stage,
    StageRule,
    Task,
)
from tandem.crm.queries.visibility import visible_interactions, visible_tasks

DEAL_RELATED = ("client", "counterparty", "contact", "owner", "stage__pipeline", "source", "campaign",
                "lost_reason")
# What a board card shows (crm/partials/_deal_card.html): only these columns are read for its 125 cards.
CARD_FIELDS = ("id", "title", "stage_id", "stage_entered_at", "status", "amount", "currency", "created_at",
               "client__id", "client__name", "owner__id", "owner__username", "owner__first_name",
               "owner__last_name")
CARDS_PER_COLUMN = 25  # cards a board column shows at first; "N more" loads the next ones (board_cards)
MAX_BOARD_OFFSET = 100_000  # the furthest card "N more" (or the board API's `offset`) starts from


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
                 moved_to: datetime.date | None = None, source_id=None, tag=None) -> QuerySet[Deal]:
    """List filters. won_from/won_to: won deals closed on those local days (inclusive); moved_by with
    moved_from/moved_to: deals that user moved to another stage on those days. `tag` is a client tag's name
    (any case): deals of clients carrying it."""
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
    if source_id:
        qs = qs.filter(source_id=source_id)
    if tag and tag.strip():
        qs = qs.filter(client__tags__name__iexact=tag.strip())
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
        Prefetch("stages", queryset=Stage.objects.order_by("position").prefetch_related(
            Prefetch("rules", queryset=StageRule.objects.active().select_related("required_role")))))


def checklist_of(deal: Deal, user=None, stages=None) -> list[dict]:
    """The checklist items of the deal's current stage (or of `stages`), ticked or not, with who ticked
    each and when; with `user`, whether they may tick it (`can_tick`) and why not (`reason`)."""
    stage_ids = [deal.stage_id] if stages is None else [stage.pk for stage in stages]
    rules = list(StageRule.objects.active().filter(stage_id__in=stage_ids, kind=StageRule.Kind.CHECKLIST)
                 .select_related("stage", "required_role").order_by("stage__position", "position", "id"))
    done = {i.rule_id: i for i in DealChecklistItem.objects.filter(deal=deal, rule__in=rules, done_at__isnull=False)
            .select_related("done_by")}
    group_ids = set(user.groups.values_list("pk", flat=True)) if user is not None else None
    items = []
    for rule in rules:
        item = done.get(rule.pk)
        may_tick = user is None or rule.may_tick(user, group_ids)
        items.append({
            "rule_id": rule.pk, "rule": rule, "label": rule.label, "stage": rule.stage,
            "done": item is not None, "done_at": item.done_at if item else None,
            "done_by": item.done_by if item else None,
            "required_role": rule.required_role,
            "can_tick": may_tick, "reason": "" if may_tick else rule.tick_refusal(),
        })
    return items


@dataclass(frozen=True)
class NextActivity:
    """What happens next on a deal: its earliest open task, or its earliest interaction still to come."""

    kind: str  # "task" or an Interaction.Kind value
    label: str
    at: datetime.datetime
    overdue: bool


def with_next_activity(deals: QuerySet[Deal], now: datetime.datetime) -> QuerySet[Deal]:
    """Annotate each deal with its earliest open task and its earliest scheduled (future) interaction: four
    correlated subqueries in the one query that reads the deals, so a board of any size costs no more queries."""
    tasks = Task.objects.filter(deal=OuterRef("pk"), status=Task.Status.OPEN).order_by("due_at", "id")
    planned = Interaction.objects.filter(deal=OuterRef("pk"), occurred_at__gt=now).order_by("occurred_at", "id")
    return deals.annotate(
        next_task_due=Subquery(tasks.values("due_at")[:1]),
        next_task_title=Subquery(tasks.values("title")[:1]),
        next_interaction_at=Subquery(planned.values("occurred_at")[:1]),
        next_interaction_kind=Subquery(planned.values("kind")[:1]),
    )


def next_activity(deal: Deal, now: datetime.datetime) -> NextActivity | None:
    """The earlier of the deal's annotated next task and next scheduled interaction (see with_next_activity)."""
    options = []
    if deal.next_task_due is not None:
        options.append(NextActivity("task", deal.next_task_title, deal.next_task_due, deal.next_task_due < now))
    if deal.next_interaction_at is not None:
        kind = deal.next_interaction_kind
        options.append(NextActivity(kind, str(Interaction.Kind(kind).label), deal.next_interaction_at, False))
    return min(options, key=lambda activity: activity.at) if options else None


def days_in_stage(deal: Deal, now: datetime.datetime) -> int:
    return max(0, (now - deal.stage_entered_at).days)


def is_stale(deal: Deal, stage: Stage, now: datetime.datetime) -> bool:
    """The deal has stayed in its stage longer than the stage allows (never when the stage sets no limit)."""
    return stage.max_days is not None and now - deal.stage_entered_at > datetime.timedelta(days=stage.max_days)


def weighted(total: BaseTotal, probability: int) -> Decimal:
    """The forecast of a column: its base-currency total times the stage's probability, rounded to the cent."""
    return quantize(total.amount * Decimal(probability) / 100, total.currency)


def stage_totals(totals, probability: int, *, base: str, on: datetime.date, rates: dict) -> dict:
    """One stage's open amounts ([(currency, amount)]) as the board adds them up: `base_total` (in `base` at
    the rates of `on`, `missing` naming the currencies without a rate) and `weighted` (base total × the stage's
    probability). The board's columns and the home dashboard's pipeline are built from these."""
    base_total = convert_totals(totals, base, on=on, rates=rates)
    return {"base_total": base_total, "weighted": weighted(base_total, probability)}


def board_columns(deals: QuerySet[Deal], pipeline: Pipeline, limit: int = CARDS_PER_COLUMN, *,
                  now: datetime.datetime | None = None, stage: Stage | None = None,
                  offset: int = 0) -> list[dict]:
    """One column per stage of the pipeline with its open deals: count and total per currency (one GROUP BY
    query), the total in the company's base currency at today's rates (`base_total`, whose `missing` names
    the currencies without a rate), the weighted forecast (`weighted`: base total × the stage's probability),
    and at most `limit` newest cards (one query per stage), each carrying `next_activity` (None when nothing
    is planned), `days_in_stage` and `stale` (longer in the stage than its limit). With `stage`: that column
    alone, its cards from `offset` on (`more`: how many come after them)."""
    now = now or timezone.now()
    stages = [stage] if stage is not None else list(pipeline.stages.order_by("position"))
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
    for column_stage in stages:
        count = counts.get(column_stage.pk, 0)
        cards = board_cards(open_deals, column_stage, offset=offset, limit=limit, now=now) if count > offset else []
        columns.append({"stage": column_stage, "count": count, "totals": totals.get(column_stage.pk, []),
                        "cards": cards, "offset": offset, "more": max(0, count - offset - len(cards)),
                        **stage_totals(totals.get(column_stage.pk, []), column_stage.probability, base=base,
                                       on=today, rates=rates)})
    return columns


def board_cards(deals: QuerySet[Deal], stage: Stage, *, offset: int = 0, limit: int = CARDS_PER_COLUMN,
                now: datetime.datetime | None = None) -> list[Deal]:
    """The open deals of one board column in the board's order (newest first), `limit` of them from `offset`
    (one query: the first cards of the board, or the next ones its "N more" link loads), each carrying
    `next_activity`, `days_in_stage`, `stale` and `weighted_amount` (mark_card)."""
    now = now or timezone.now()
    cards = list(with_next_activity(deals.filter(stage=stage, status=Deal.Status.OPEN), now)
                 .select_related("client", "owner").only(*CARD_FIELDS)
                 .order_by("-created_at", "-id")[offset:offset + limit])
    for deal in cards:
        mark_card(deal, stage, now)
    return cards


def mark_card(deal: Deal, stage: Stage, now: datetime.datetime) -> None:
    """Set on a deal read through with_next_activity what its card shows: `next_activity`, `days_in_stage`,
    `stale` (only an open deal is) and `weighted_amount`."""
    deal.next_activity = next_activity(deal, now)
    deal.days_in_stage = days_in_stage(deal, now)
    deal.stale = deal.status == Deal.Status.OPEN and is_stale(deal, stage, now)
    deal.weighted_amount = weighted_amount(deal, stage.probability)


def weighted_amount(deal: Deal, probability: int) -> Decimal | None:
    """A deal's forecast: its amount times the probability of its stage, rounded in its currency."""
    return None if deal.amount is None else quantize(deal.amount * Decimal(probability) / 100, deal.currency)


def board_weighted(columns: list[dict]) -> Decimal:
    return sum((column["weighted"] for column in columns), Decimal(0))


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


# --- The deal's activity feed -------------------------------------------------------------------------

FEED_LIMIT = 50


@dataclass(frozen=True)
class FeedItem:
    """One line of a deal's activity feed: a task (at its due time), an interaction or a stage entry."""

    type: str  # "task", "stage" or an Interaction.Kind value
    type_label: str
    at: datetime.datetime
    obj: object


def deal_feed(user, deal: Deal, limit: int = FEED_LIMIT) -> list[FeedItem]:
    """The deal's tasks, interactions and stage history as one list, newest first (a task by its due time,
    so what is planned comes on top); three queries, each narrowed by the user's record rules."""
    tasks = visible_tasks(user).filter(deal=deal).select_related("assignee").order_by("-due_at", "-id")[:limit]
    interactions = (visible_interactions(user).filter(deal=deal).select_related("contact", "created_by")
                    .order_by("-occurred_at", "-id")[:limit])
    visits = DealStageVisit.objects.filter(deal=deal).select_related("stage", "entered_by").order_by(
        "-entered_at", "-id")[:limit]
    items = [FeedItem("task", str(Task._meta.verbose_name).capitalize(), task.due_at, task) for task in tasks]
    items += [FeedItem(i.kind, i.get_kind_display(), i.occurred_at, i) for i in interactions]
    items += [FeedItem("stage", str(_("Stage")), visit.entered_at, visit) for visit in visits]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


# --- A client's deals (the client card) ---------------------------------------------------------------

CLIENT_DEALS_SHOWN = 20


def client_deals(deals: QuerySet[Deal], client, limit: int = CLIENT_DEALS_SHOWN) -> dict:
    """A client's deals for the client card: the newest `limit` of them and, over all of them, the open and the
    won amounts in the base currency at today's rates (one GROUP BY query for the totals)."""
    mine = deals.filter(client=client)
    sums = (mine.order_by().filter(status__in=[Deal.Status.OPEN, Deal.Status.WON], amount__isnull=False)
            .values("status", "currency").annotate(total=Sum("amount")).order_by("status", "currency"))
    by_status: dict[str, list] = {Deal.Status.OPEN: [], Deal.Status.WON: []}
    counts = {row["status"]: row["count"] for row in mine.order_by().values("status").annotate(count=Count("id"))}
    for row in sums:
        by_status[row["status"]].append((row["currency"], row["total"]))
    today, base, rates = timezone.localdate(), base_currency(), {}
    return {
        "deals": list(mine.select_related("stage", "owner").order_by("-created_at", "-id")[:limit]),
        "count": sum(counts.values()),
        "open_count": counts.get(Deal.Status.OPEN, 0),
        "won_count": counts.get(Deal.Status.WON, 0),
        "open_total": convert_totals(by_status[Deal.Status.OPEN], base, on=today, rates=rates),
        "won_total": convert_totals(by_status[Deal.Status.WON], base, on=today, rates=rates),
    }
