"""Reads for tasks shared by the web UI and the API: my day, due reminders, task list filters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tandem.crm.models import Task
from tandem.crm.queries.visibility import visible_tasks

UPCOMING_DAYS = 7
TASK_RELATED = ("assignee", "client", "deal", "lead", "complaint")


@dataclass
class MyDay:
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]


def day_bounds(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Start of today and of tomorrow in the current time zone."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localtime(now).date(), datetime.time.min))
    return start, timezone.make_aware(
        datetime.datetime.combine(timezone.localtime(now).date() + datetime.timedelta(days=1), datetime.time.min)
    )


def my_day(user, now: datetime.datetime | None = None) -> MyDay:
    """The user's open tasks: overdue (due before now, on an earlier day or earlier today), today (due later
    today) and upcoming (the next UPCOMING_DAYS days). One query."""
    now = now or timezone.now()
    start, tomorrow = day_bounds(now)
    horizon = tomorrow + datetime.timedelta(days=UPCOMING_DAYS)
    tasks = list(
        visible_tasks(user).filter(assignee=user, status=Task.Status.OPEN, due_at__lt=horizon)
        .select_related(*TASK_RELATED).order_by("due_at", "id")
    )
    return MyDay(
        overdue=[t for t in tasks if t.due_at < now],
        today=[t for t in tasks if now <= t.due_at < tomorrow],
        upcoming=[t for t in tasks if t.due_at >= tomorrow],
    )


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
