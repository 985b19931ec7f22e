"""REST endpoints: tasks (CRUD, complete/cancel/reopen), my day, and the calendar feed address."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.crm import calendar
from tandem.crm.queries import tasks as agenda
from tandem.crm.queries.visibility import visible_tasks
from tandem.crm.schemas.tasks import CalendarFeedOut, MyDayOut, TaskFilters, TaskIn, TaskOut, TaskPatch
from tandem.crm.services import tasks as services

router = Router(tags=["tasks"])

ID_FIELDS = ("assignee", "client", "deal", "lead", "complaint")



def _values(data: dict) -> dict:
    """Schema names (…_id) -> service keyword arguments (the service resolves and checks the ids)."""
    for name in ID_FIELDS:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    return data


def _task(request, task_id: int):
    return resolve_visible(visible_tasks(request.user), task_id)


@router.get("/tasks/my-day", response=MyDayOut, summary="My open tasks: overdue, today, upcoming",
            description=f"Each section lists its first tasks by due time (at most {agenda.OVERDUE_SHOWN} overdue, "
                        f"{agenda.TODAY_SHOWN} today, {agenda.UPCOMING_SHOWN} upcoming); `…_count` says how many "
                        "there are. `GET /tasks?overdue=true&assignee_id=<me>` (or `due_from`/`due_to`) lists all.")
def my_day(request):
    require_permission(request, "crm.view_task")
    day = agenda.my_day(request.user)
    return {"overdue": day.overdue, "overdue_count": day.overdue_count, "today": day.today,
            "today_count": day.today_count, "upcoming": day.upcoming, "upcoming_count": day.upcoming_count}


@router.post("/calendar-feed", response={201: CalendarFeedOut},
             summary="Make a new calendar feed address (the old one stops working)")
def regenerate_calendar_feed(request):
    require_permission(request, "crm.view_task")
    key = calendar.regenerate_feed(by=request.user)
    return {"url": request.build_absolute_uri(calendar.feed_path(key))}


@router.get("/tasks", response=Page[TaskOut], summary="List tasks")
def list_tasks(request, filters: Query[TaskFilters], pagination: Query[PageParams]):
    require_permission(request, "crm.view_task")
    f = filters.dict()
    qs = agenda.filter_tasks(visible_tasks(request.user), status=f["status"] or "", priority=f["priority"] or "",
                             assignee_id=f["assignee_id"], due_from=f["due_from"], due_to=f["due_to"], q=f["q"],
                             client_id=f["client_id"], deal_id=f["deal_id"], overdue=f["overdue"])
    return paginate(qs, pagination)


@router.post("/tasks", response={201: TaskOut}, summary="Create a task")
def create_task(request, payload: TaskIn):
    data = _values(payload.dict())
    if data["assignee"] is None:
        data["assignee"] = request.user
    return services.create_task(by=request.user, **data)


@router.get("/tasks/{task_id}", response=TaskOut, summary="Get a task")
def get_task(request, task_id: Id):
    return _task(request, task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change an open task")
def update_task(request, task_id: Id, payload: TaskPatch):
    task = _task(request, task_id)
    data = _values(payload.dict(exclude_unset=True))
    for name in ("title", "due_at", "assignee", "priority"):
        if name in data and data[name] is None:
            raise BusinessRuleError("required", _("This field cannot be null."),
                                    field=f"{name}_id" if name == "assignee" else name)
    if "description" in data and data["description"] is None:
        data["description"] = ""
    return services.update_task(task, by=request.user, **data)


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a task")
def delete_task(request, task_id: Id):
    services.delete_task(_task(request, task_id), by=request.user)
    return None


@router.post("/tasks/{task_id}/complete", response=TaskOut, summary="Mark a task done")
def complete_task(request, task_id: Id):
    return services.complete_task(_task(request, task_id), by=request.user)


@router.post("/tasks/{task_id}/cancel", response=TaskOut, summary="Cancel a task")
def cancel_task(request, task_id: Id):
    return services.cancel_task(_task(request, task_id), by=request.user)


@router.post("/tasks/{task_id}/reopen", response=TaskOut, summary="Reopen a done or cancelled task")
def reopen_task(request, task_id: Id):
    return services.reopen_task(_task(request, task_id), by=request.user)


@router.post("/tasks/{task_id}/dismiss-reminder", response=TaskOut, summary="Hide the task's reminder")
def dismiss_reminder(request, task_id: Id):
    return services.dismiss_reminder(_task(request, task_id), by=request.user)
