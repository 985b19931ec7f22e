"""Reads for tasks shared by the web UI and the API: my day, due reminders, task list filters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.crm.models import Task
from tandem.crm.queries.visibility import visible_tasks

UPCOMING_DAYS = 7
# My day lists at most this many tasks per section (the most pressing first, by due time) and says how many
# there are; the task list, filtered the same way, shows them all.
OVERDUE_SHOWN = 10
TODAY_SHOWN = 20
UPCOMING_SHOWN = 20
TASK_RELATED = ("assignee", "client", "deal", "lead", "complaint")


@dataclass
class MyDay:
    overdue: list[Task]  # the longest overdue, at most OVERDUE_SHOWN
    today: list[Task]  # at most TODAY_SHOWN
    upcoming: list[Task]  # at most UPCOMING_SHOWN
    overdue_count: int = 0  # all of each section, also those not listed
    today_count: int = 0
    upcoming_count: int = 0
    today_date: datetime.date | None = None
    upcoming_until: datetime.date | None = None  # the last day of the upcoming section

    @property
    def more_overdue(self) -> int:
        return max(self.overdue_count - len(self.overdue), 0)

    @property
    def more_today(self) -> int:
        return max(self.today_count - len(self.today), 0)

    @property
    def more_upcoming(self) -> int:
        return max(self.upcoming_count - len(self.upcoming), 0)


def day_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of today and of tomorrow in the current time zone."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localtime(now).date(), datetime.time.min))
    return start, timezone.make_aware(
        datetime.datetime.combine(timezone.localtime(now).date() + datetime.timedelta(days=1), datetime.time.min)
    )


def _section_counts(mine: QuerySet[Task], now, tomorrow, horizon) -> dict:
    return mine.filter(due_at__lt=horizon).aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        today=Count("id", filter=Q(due_at__gte=now, due_at__lt=tomorrow)),
        upcoming=Count("id", filter=Q(due_at__gte=tomorrow)))


def my_day(user, now: datetime.datetime | None = None, *, overdue_shown: int = OVERDUE_SHOWN,
           today_shown: int = TODAY_SHOWN, upcoming_shown: int = UPCOMING_SHOWN) -> MyDay:
    """The user's open tasks: overdue (due before now, on an earlier day or earlier today), today (due later
    today) and upcoming (the next UPCOMING_DAYS days), each the first few by due time and how many there are.
    Four queries (the counts, then each section up to its limit, reading the (assignee, status, due_at)
    index), however many tasks the user has."""
    now = now or timezone.now()
    start, tomorrow = day_bounds(now)
    horizon = tomorrow + datetime.timedelta(days=UPCOMING_DAYS)
    mine = visible_tasks(user).filter(assignee=user, status=Task.Status.OPEN)
    counts = _section_counts(mine, now, tomorrow, horizon)

    def first(limit, **bounds):
        return list(mine.filter(**bounds).select_related(*TASK_RELATED).order_by("due_at", "id")[:limit])

    return MyDay(
        overdue=first(overdue_shown, due_at__lt=now),
        today=first(today_shown, due_at__gte=now, due_at__lt=tomorrow),
        upcoming=first(upcoming_shown, due_at__gte=tomorrow, due_at__lt=horizon),
        overdue_count=counts["overdue"], today_count=counts["today"], upcoming_count=counts["upcoming"],
        today_date=timezone.localtime(now).date(),
        upcoming_until=timezone.localtime(now).date() + datetime.timedelta(days=UPCOMING_DAYS),
    )


def my_day_counts(user, now: datetime.datetime | None = None) -> tuple[int, int]:
    """(overdue, due later today) open tasks of the user: the numbers of my_day, in one query."""
    now = now or timezone.now()
    _start, tomorrow = day_bounds(now)
    counts = _section_counts(visible_tasks(user).filter(assignee=user, status=Task.Status.OPEN), now, tomorrow,
                             tomorrow)
    return counts["overdue"], counts["today"]


def due_reminders(user, now: datetime.datetime | None = None) -> QuerySet[Task]:
    """Open tasks of the user whose reminder time has come and that were not dismissed."""
    if not user.is_authenticated:
        return Task.objects.none()
    now = now or timezone.now()
    return (
        visible_tasks(user)
        .filter(assignee=user, status=Task.Status.OPEN, remind_at__lte=now, reminder_dismissed_at__isnull=True)
        .order_by("remind_at", "id")
    )


def filter_tasks(qs: QuerySet[Task], *, status: str = "", priority: str = "", assignee_id: int | None = None,
                 due_from: datetime.date | None = None, due_to: datetime.date | None = None, q: str = "",
                 client_id: int | None = None, deal_id: int | None = None, overdue: bool = False,
                 now: datetime.datetime | None = None) -> QuerySet[Task]:
    """List filters; `overdue`: open tasks due before now."""
    if overdue:
        qs = qs.filter(status=Task.Status.OPEN, due_at__lt=now or timezone.now())
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if due_from:
        qs = qs.filter(due_at__gte=timezone.make_aware(datetime.datetime.combine(due_from, datetime.time.min)))
    if due_to:
        end = due_to + datetime.timedelta(days=1)
        qs = qs.filter(due_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)))
    if q:
        qs = qs.filter(title__icontains=q.strip())
    if client_id:
        qs = qs.filter(client_id=client_id)
    if deal_id:
        qs = qs.filter(deal_id=deal_id)
    return qs.select_related(*TASK_RELATED).order_by("due_at", "id")
