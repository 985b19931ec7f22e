"""The home page's sales dashboard: pure reads, one SQL query per block, shared by the home page sections and
GET /api/v1/crm/dashboard.

Amounts stay per currency (no exchange rates are applied): each block lists one amount per currency; targets
are in the company's base currency, so "won against target" compares the base-currency amount."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from tandem.core.models import Company
from tandem.core.money import quantize
from tandem.core.services import current_company
from tandem.crm.models import Deal, Interaction, SalesTarget, Task
from tandem.crm.queries.deals import stage_moves
from tandem.crm.queries.targets import representatives
from tandem.crm.queries.tasks import my_day_counts
from tandem.crm.queries.visibility import visible_deals

CALL_KINDS = (Interaction.Kind.CALL_IN, Interaction.Kind.CALL_OUT)
ZERO = Decimal(0)


def base_currency() -> str:
    """The company's base currency (cached by core); a read never creates the company row."""
    company = current_company()
    return company.base_currency if company else Company._meta.get_field("base_currency").default


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

@dataclass
class Pipeline:
    count: int = 0
    value: dict[str, Decimal] = field(default_factory=dict)       # currency -> open amount
    weighted: dict[str, Decimal] = field(default_factory=dict)    # currency -> amount x stage probability


@dataclass
class RepRow:
    user: object
    won_this_month: dict[str, Decimal] = field(default_factory=dict)
    won_last_month: dict[str, Decimal] = field(default_factory=dict)
    won_count_this_month: int = 0
    won_count_last_month: int = 0
    target: Decimal | None = None
    calls: int = 0
    meetings: int = 0
    deals_moved: int = 0
    tasks_overdue: int = 0
    base_currency: str = "EUR"

    @property
    def won_in_base(self) -> Decimal:
        return self.won_this_month.get(self.base_currency, ZERO)

    @property
    def target_percent(self) -> int | None:
        return target_percent(self.won_in_base, self.target)


def target_percent(won: Decimal, target: Decimal | None) -> int | None:
    """Won as a whole percentage of the target (half up); None without a positive target."""
    if not target:
        return None
    return int((won * 100 / target).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _rounded(amounts: dict[str, Decimal]) -> dict[str, Decimal]:
    return {cur: quantize(value, cur) for cur, value in sorted(amounts.items())}


# --- Blocks (one query each) --------------------------------------------------------------------------

def pipeline(deals) -> Pipeline:
    """Open deals of the queryset: count, value and weighted forecast per currency. One query."""
    weight = ExpressionWrapper(F("amount") * F("stage__probability") / 100,
                               output_field=DecimalField(max_digits=24, decimal_places=6))
    rows = (deals.filter(status=Deal.Status.OPEN).order_by().values("currency")
            .annotate(count=Count("id"), value=Sum("amount"), weighted=Sum(weight)))
    result = Pipeline()
    for row in rows:
        result.count += row["count"]
        if row["value"] is not None:
            result.value[row["currency"]] = Decimal(row["value"])
            result.weighted[row["currency"]] = Decimal(row["weighted"] or 0)
    result.value, result.weighted = _rounded(result.value), _rounded(result.weighted)
    return result


def won_by_owner(deals, p: Periods) -> dict[int, dict]:
    """Won amounts (per currency) and counts this month and last month, per owner. One query."""
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


def targets_by_user(month: datetime.date, user_ids=None) -> dict[int, Decimal]:
    qs = SalesTarget.objects.filter(month=month)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    return dict(qs.values_list("user_id", "amount"))


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
    pipeline: Pipeline
    reps: list[RepRow]


@dataclass
class RepresentativeDashboard:
    periods: Periods
    currency: str
    overdue_tasks: int
    today_tasks: int
    pipeline: Pipeline
    won_this_month: dict[str, Decimal]
    won_count: int
    target: Decimal | None

    @property
    def won_in_base(self) -> Decimal:
        return self.won_this_month.get(self.currency, ZERO)

    @property
    def target_percent(self) -> int | None:
        return target_percent(self.won_in_base, self.target)


def is_manager(user) -> bool:
    return user.has_perm("crm.view_all_deals")


def manager_dashboard(user, now: datetime.datetime | None = None) -> ManagerDashboard:
    """The team: pipeline, and per representative won this/last month, target, this week's activity.
    Seven queries whatever the team's size."""
    p = periods(now)
    currency = base_currency()
    deals = visible_deals(user)
    reps = list(representatives())
    ids = [rep.pk for rep in reps]
    won = won_by_owner(deals.filter(owner_id__in=ids), p)
    targets = targets_by_user(p.month, ids)
    talks = interactions_by_author(ids, p)
    moves = moved_deals_by_user(ids, p)
    overdue = overdue_tasks_by_assignee(ids, p)
    rows = []
    for rep in reps:
        w = won.get(rep.pk, {})
        rows.append(RepRow(
            user=rep, won_this_month=w.get("this", {}), won_last_month=w.get("last", {}),
            won_count_this_month=w.get("this_count", 0), won_count_last_month=w.get("last_count", 0),
            target=targets.get(rep.pk), calls=talks.get(rep.pk, {}).get("calls", 0),
            meetings=talks.get(rep.pk, {}).get("meetings", 0), deals_moved=moves.get(rep.pk, 0),
            tasks_overdue=overdue.get(rep.pk, 0), base_currency=currency))
    return ManagerDashboard(periods=p, currency=currency, pipeline=pipeline(deals), reps=rows)


def representative_dashboard(user, now: datetime.datetime | None = None) -> RepresentativeDashboard:
    """The user's own day (crm's My day), pipeline and target. Four queries."""
    p = periods(now)
    currency = base_currency()
    overdue_tasks, today_tasks = my_day_counts(user, p.now)
    own = visible_deals(user).filter(owner=user)
    won = won_by_owner(own, p).get(user.pk, {})
    return RepresentativeDashboard(
        periods=p, currency=currency, overdue_tasks=overdue_tasks, today_tasks=today_tasks,
        pipeline=pipeline(own), won_this_month=won.get("this", {}), won_count=won.get("this_count", 0),
        target=targets_by_user(p.month, [user.pk]).get(user.pk))
