"""API shapes for tasks, my day and the calendar feed. Shape only: crm.services.tasks checks links,
assignee and times."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import Id, InputSchema
from tandem.crm.models import Task


class TaskIn(InputSchema):
    title: str = Field(..., max_length=200)
    due_at: limits.DateTime
    assignee_id: Id | None = Field(None, description="Defaults to the caller.")
    remind_at: limits.DateTime | None = None
    priority: Task.Priority = Task.Priority.NORMAL
    description: str = ""
    client_id: Id | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    complaint_id: Id | None = None


class TaskPatch(InputSchema):
    title: str | None = Field(None, max_length=200)
    due_at: limits.DateTime | None = None
    assignee_id: Id | None = None
    remind_at: limits.DateTime | None = None
    priority: Task.Priority | None = None
    description: str | None = None
    client_id: Id | None = None
    deal_id: Id | None = None
    lead_id: Id | None = None
    complaint_id: Id | None = None


class TaskFilters(Schema):
    status: Task.Status | None = None
    priority: Task.Priority | None = None
    assignee_id: Id | None = None
    due_from: limits.Date | None = None
    due_to: limits.Date | None = None
    q: str = ""
    client_id: Id | None = None
    deal_id: Id | None = None
    overdue: bool = Field(False, description="Only open tasks due before now.")


class TaskOut(Schema):
    id: int
    title: str
    description: str
    status: str
    priority: str
    assignee_id: int
    due_at: datetime.datetime
    remind_at: datetime.datetime | None
    reminder_dismissed_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    client_id: int | None
    deal_id: int | None
    lead_id: int | None
    complaint_id: int | None
    created_by_id: int | None
    actions: list[str]

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        return sorted({Task.Status.DONE: "complete", Task.Status.CANCELLED: "cancel", Task.Status.OPEN: "reopen"}[to]
                      for to in Task.TRANSITIONS[obj.status])


class MyDayOut(Schema):
    overdue: list[TaskOut] = Field(..., description="The longest overdue open tasks, oldest first (at most 10).")
    overdue_count: int = Field(..., description="All overdue open tasks, also those not in `overdue`.")
    today: list[TaskOut] = Field(..., description="Due later today, soonest first (at most 20).")
    today_count: int
    upcoming: list[TaskOut] = Field(..., description="Due in the next seven days, soonest first (at most 20).")
    upcoming_count: int


class CalendarFeedOut(Schema):
    url: str = Field(..., description="The feed's address; shown only in this response.")
