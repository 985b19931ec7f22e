"""The home page's sales dashboard: pure reads, one SQL query per block, shared by the home page sections and
GET /api/v1/crm/dashboard.

Amounts are added up in the company's base currency exactly as the deal board adds them (SQL sums per
currency, converted in Python by crm.queries.deals.stage_totals / core.money.convert_totals at today's rates):
each total is a core.money.BaseTotal keeping the per-currency amounts and naming the currencies without a rate
(left out of the total and flagged on the page). Targets are in the base currency, so "won against target"
compares the converted won total."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tandem.core.money import BaseTotal, convert_totals, quantize
from tandem.core.services import base_currency
from tandem.crm.models import Deal, Interaction, SalesTarget, Task
from tandem.crm.queries.deals import board_total, board_weighted, stage_moves, stage_totals
from tandem.crm.queries.targets import representatives
from tandem.crm.queries.tasks import my_day_counts
from tandem.crm.queries.visibility import visible_deals

CALL_KINDS = (Interaction.Kind.CALL_IN, Interaction.Kind.CALL_OUT)
ZERO = Decimal(0)


# --- Periods ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Periods:
    now: datetime.datetime
    today: datetime.date
    month: datetime.date        # first day of this month
    next_month: datetime.date
    last_month: datetime.date
    week: datetime.date         # Monday of this week
    next_week: datetime.date


def _first_of_next(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def periods(now: datetime.datetime | None = None) -> Periods:
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    week = today - datetime.timedelta(days=today.weekday())
    return Periods(now=now, today=today, month=month, next_month=_first_of_next(month),
                   last_month=(month - datetime.timedelta(days=1)).replace(day=1),
                   week=week, next_week=week + datetime.timedelta(days=7))


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Shapes -------------------------------------------------------------------------------------------

class Conversion:
    """The base currency, the day whose rates apply (today, as on the board) and the rates looked up so far:
    one per dashboard, so each currency pair costs one query however many totals use it."""

    def __init__(self, on: datetime.date):
        self.base = base_currency()
        self.on = on
        self.rates: dict = {}

    def total(self, amounts) -> BaseTotal:
        return convert_totals(amounts, self.base, on=self.on, rates=self.rates)


@dataclass
class Pipeline:
    count: int
    value: BaseTotal     # open amounts in the base currency (by_currency: per currency, unconverted)
    weighted: BaseTotal  # the board's weighted forecast: each stage's base total × its probability

    @property
    def missing(self) -> list[str]:
        return self.value.missing


@dataclass
class RepRow:
    user: object
    won_this_month: BaseTotal
    won_last_month: BaseTotal
    won_count_this_month: int = 0
    won_count_last_month: int = 0
    target: BaseTotal | None = None  # in the base currency (a target set in another one is converted)
    calls: int = 0
    meetings: int = 0
    deals_moved: int = 0
    tasks_overdue: int = 0

    @property
    def target_percent(self) -> int | None:
        return target_percent(self.won_this_month, self.target)


def target_percent(won: BaseTotal, target: BaseTotal | None) -> int | None:
    """The won total as a whole percentage of the target (half up); None without a positive target or when the
    target itself has no rate. A won total missing some currencies gives the percentage of what converts (the
    page flags the missing rate next to it)."""
    if target is None or target.missing or not target.amount:
        return None
    return int((won.amount * 100 / target.amount).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def missing_rates(*totals: BaseTotal | None) -> list[str]:
    """Every currency without a rate in any of the totals, sorted."""
    return sorted({code for total in totals if total is not None for code in total.missing})


# --- Blocks (one query each) --------------------------------------------------------------------------

def pipeline(deals, conversion: Conversion) -> Pipeline:
    """Open deals of the queryset: count, value and weighted forecast in the base currency, added up as the deal
    board adds its columns (per stage and currency in SQL, each stage converted by stage_totals, the stages
    summed by board_total / board_weighted). One query, plus one per currency pair not looked up yet."""
    rows = (deals.filter(status=Deal.Status.OPEN).order_by().values("stage_id", "stage__probability", "currency")
            .annotate(count=Count("id"), total=Sum("amount")).order_by("stage_id", "currency"))
    count = 0
    stages: dict[int, tuple[int, list]] = {}
    weighted_by_currency: dict[str, Decimal] = {}
    for row in rows:
        count += row["count"]
        if row["total"] is None:
            continue
        probability, currency, total = row["stage__probability"], row["currency"], Decimal(row["total"])
        stages.setdefault(row["stage_id"], (probability, []))[1].append((currency, total))
        weighted_by_currency[currency] = weighted_by_currency.get(currency, ZERO) + total * probability / 100
    columns = [stage_totals(totals, probability, base=conversion.base, on=conversion.on, rates=conversion.rates)
               for probability, totals in stages.values()]
    value = board_total(columns) or conversion.total([])
    by_currency = {cur: quantize(amount, cur) for cur, amount in weighted_by_currency.items()}
    weighted = BaseTotal(currency=value.currency, amount=board_weighted(columns), on=value.on,
                         by_currency={cur: by_currency[cur] for cur in value.by_currency}, missing=value.missing)
    return Pipeline(count=count, value=value, weighted=weighted)


def won_by_owner(deals, p: Periods) -> dict[int, dict]:
    """Won amounts (per currency, unconverted) and counts this month and last month, per owner. One query."""
    this = Q(closed_at__gte=start_of(p.month))
    rows = (deals.filter(status=Deal.Status.WON, closed_at__gte=start_of(p.last_month),
                         closed_at__lt=start_of(p.next_month))
            .order_by().values("owner_id", "currency")
            .annotate(this_sum=Sum("amount", filter=this), last_sum=Sum("amount", filter=~this),
                      this_count=Count("id", filter=this), last_count=Count("id", filter=~this)))
    result: dict[int, dict] = {}
    for row in rows:
        entry = result.setdefault(row["owner_id"], {"this": {}, "last": {}, "this_count": 0, "last_count": 0})
        entry["this_count"] += row["this_count"]
        entry["last_count"] += row["last_count"]
        if row["this_count"]:
            entry["this"][row["currency"]] = quantize(row["this_sum"] or 0, row["currency"])
        if row["last_count"]:
            entry["last"][row["currency"]] = quantize(row["last_sum"] or 0, row["currency"])
    return result


def targets_by_user(month: datetime.date, conversion: Conversion, user_ids=None) -> dict[int, BaseTotal]:
    """Each user's target of the month in the base currency (targets are set in it; one set before the base
    currency changed is converted, or names its currency in `missing`). One query."""
    qs = SalesTarget.objects.filter(month=month)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    return {user_id: conversion.total([(currency, amount)])
            for user_id, amount, currency in qs.values_list("user_id", "amount", "currency")}


def interactions_by_author(user_ids, p: Periods) -> dict[int, dict]:
    """Calls and meetings logged this week, per author. One query."""
    rows = (Interaction.objects.filter(created_by_id__in=user_ids, occurred_at__gte=start_of(p.week),
                                       occurred_at__lt=start_of(p.next_week))
            .order_by().values("created_by_id")
            .annotate(calls=Count("id", filter=Q(kind__in=CALL_KINDS)),
                      meetings=Count("id", filter=Q(kind=Interaction.Kind.MEETING))))
    return {row["created_by_id"]: row for row in rows}


def moved_deals_by_user(user_ids, p: Periods) -> dict[int, int]:
    """Deals each user moved between stages this week (distinct deals). One query."""
    rows = (stage_moves().filter(entered_by_id__in=user_ids, entered_at__gte=start_of(p.week),
                                 entered_at__lt=start_of(p.next_week))
            .order_by().values("entered_by_id").annotate(deals=Count("deal_id", distinct=True)))
    return {row["entered_by_id"]: row["deals"] for row in rows}


def overdue_tasks_by_assignee(user_ids, p: Periods) -> dict[int, int]:
    rows = (Task.objects.filter(assignee_id__in=user_ids, status=Task.Status.OPEN, due_at__lt=p.now)
            .order_by().values("assignee_id").annotate(n=Count("id")))
    return {row["assignee_id"]: row["n"] for row in rows}


# --- The two dashboards -------------------------------------------------------------------------------

@dataclass
class ManagerDashboard:
    periods: Periods
    currency: str
    rates_on: datetime.date
    pipeline: Pipeline
    reps: list[RepRow]

    @property
    def missing(self) -> list[str]:
        """Currencies without a rate anywhere on the dashboard (their amounts are in no total)."""
        return missing_rates(self.pipeline.value, *(t for row in self.reps
                                                    for t in (row.won_this_month, row.won_last_month, row.target)))


@dataclass
class RepresentativeDashboard:
    periods: Periods
    currency: str
    rates_on: datetime.date
    overdue_tasks: int
    today_tasks: int
    pipeline: Pipeline
    won_this_month: BaseTotal
    won_count: int
    target: BaseTotal | None

    @property
    def target_percent(self) -> int | None:
        return target_percent(self.won_this_month, self.target)

    @property
    def missing(self) -> list[str]:
        return missing_rates(self.pipeline.value, self.won_this_month, self.target)


def is_manager(user) -> bool:
    return user.has_perm("crm.view_all_deals")


def manager_dashboard(user, now: datetime.datetime | None = None) -> ManagerDashboard:
    """The team: pipeline, and per representative won this/last month, target, this week's activity.
    Seven queries whatever the team's size, plus one per currency pair converted."""
    p = periods(now)
    conversion = Conversion(p.today)
    deals = visible_deals(user)
    reps = list(representatives())
    ids = [rep.pk for rep in reps]
    won = won_by_owner(deals.filter(owner_id__in=ids), p)
    targets = targets_by_user(p.month, conversion, ids)
    talks = interactions_by_author(ids, p)
    moves = moved_deals_by_user(ids, p)
    overdue = overdue_tasks_by_assignee(ids, p)
    rows = []
    for rep in reps:
        w = won.get(rep.pk, {})
        rows.append(RepRow(
            user=rep, won_this_month=conversion.total(w.get("this", {})),
            won_last_month=conversion.total(w.get("last", {})),
            won_count_this_month=w.get("this_count", 0), won_count_last_month=w.get("last_count", 0),
            target=targets.get(rep.pk), calls=talks.get(rep.pk, {}).get("calls", 0),
            meetings=talks.get(rep.pk, {}).get("meetings", 0), deals_moved=moves.get(rep.pk, 0),
            tasks_overdue=overdue.get(rep.pk, 0)))
    return ManagerDashboard(periods=p, currency=conversion.base, rates_on=conversion.on,
                            pipeline=pipeline(deals, conversion), reps=rows)


def representative_dashboard(user, now: datetime.datetime | None = None) -> RepresentativeDashboard:
    """The user's own day (crm's My day), pipeline and target. Four queries, plus one per currency pair
    converted."""
    p = periods(now)
    conversion = Conversion(p.today)
    overdue_tasks, today_tasks = my_day_counts(user, p.now)
    own = visible_deals(user).filter(owner=user)
    won = won_by_owner(own, p).get(user.pk, {})
    return RepresentativeDashboard(
        periods=p, currency=conversion.base, rates_on=conversion.on, overdue_tasks=overdue_tasks,
        today_tasks=today_tasks, pipeline=pipeline(own, conversion),
        won_this_month=conversion.total(won.get("this", {})), won_count=won.get("this_count", 0),
        target=targets_by_user(p.month, conversion, [user.pk]).get(user.pk))
