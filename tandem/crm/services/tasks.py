"""Tasks: create, change, complete, cancel, reopen, delete; dismiss a reminder.

A task may be about one record: a deal, a lead or a complaint, optionally together with its client, or a
client alone. The record must be one the acting user may see (crm.queries.visibility); a client given with a deal,
lead or complaint must be that record's client, and when omitted it is taken from the record. A reminder
time may not be after the due time. Done and cancelled tasks are changed only after reopening them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import archive, audit, limits, workflow
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.crm.models import Task
from tandem.crm.queries.visibility import visible_complaints, visible_deals, visible_leads
from tandem.parties.queries import visible_clients

TASK_FIELDS = ("title", "description", "assignee", "due_at", "remind_at", "priority", "client", "deal", "lead",
               "complaint")
LINKS = ("deal", "lead", "complaint")



def _visible(user: User, field: str, obj):
    """The linked record as the user may see it, or a refusal on that field."""
    if obj is None:
        return None
    qs = {"client": visible_clients, "deal": visible_deals, "lead": visible_leads,
          "complaint": visible_complaints}[field](user)
    return resolve_visible(qs, obj, field)


def _check_links(values: dict, *, by: User, kept=()) -> dict:
    """Resolve and check client/deal/lead/complaint (ids or instances) given in values; `kept` names links
    the task already has (not checked again)."""
    for name in ("client", *LINKS):
        if name in values and name not in kept:
            values[name] = _visible(by, name, values[name])
    linked = [name for name in LINKS if values.get(name) is not None]
    if len(linked) > 1:
        raise BusinessRuleError("too_many_links", _("A task is about one deal, lead or complaint, not several."),
                                field=linked[1])
    if linked:
        record = values[linked[0]]
        record_client_id = record.client_id
        client = values.get("client")
        if client is not None and record_client_id is not None and client.pk != record_client_id:
            raise BusinessRuleError("client_mismatch", _("The client is not the client of this %(record)s.")
                                    % {"record": record._meta.verbose_name}, field="client")
        if client is None and record_client_id is not None:
            values["client"] = record.client
    return values


def _check_values(values: dict, *, by: User, task: Task | None = None) -> dict:
    unknown = sorted(set(values) - set(TASK_FIELDS))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    values = dict(values)
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise BusinessRuleError("required", _("A task needs a title."), field="title")
        if len(values["title"]) > 200:
            raise BusinessRuleError("invalid", _("At most 200 characters."), field="title")
    if "description" in values:
        values["description"] = values["description"] or ""
    if "priority" in values and values["priority"] not in Task.Priority.values:
        raise BusinessRuleError("invalid", _("“%(value)s” is not a priority.") % {"value": values["priority"]},
                                field="priority")
    if "assignee" in values:
        assignee = values["assignee"]
        if assignee is None:
            raise BusinessRuleError("required", _("A task needs an assignee."), field="assignee")
        if not isinstance(assignee, User):
            assignee = User.objects.filter(pk=assignee).first()
        if assignee is None or not assignee.is_active:
            raise BusinessRuleError("unknown_reference", _("There is no active user #%(id)s.")
                                    % {"id": getattr(values["assignee"], "pk", values["assignee"])}, field="assignee")
        values["assignee"] = assignee
    if "due_at" in values and values["due_at"] is None:
        raise BusinessRuleError("required", _("A task needs a due time."), field="due_at")
    for name in ("due_at", "remind_at"):
        if values.get(name) is not None and timezone.is_naive(values[name]):
            values[name] = timezone.make_aware(values[name])
        limits.check_date(values.get(name), field=name)
    due_at = values.get("due_at", task.due_at if task else None)
    remind_at = values.get("remind_at", task.remind_at if task else None)
    if remind_at is not None and due_at is not None and remind_at > due_at:
        raise BusinessRuleError("remind_after_due", _("The reminder cannot be after the due time."),
                                field="remind_at")
    kept: set[str] = set()
    if task is not None and any(name in values for name in ("client", *LINKS)):
        # A changed link is checked together with the links the task keeps; unchanged ones are not re-checked.
        given = set(values)
        for name in ("client", *LINKS):
            if name not in given:
                values[name] = getattr(task, name)
            elif getattr(values[name], "pk", values[name]) == getattr(task, f"{name}_id"):
                values[name] = getattr(task, name)
            else:
                continue
            kept.add(name)
        if "client" not in given and any(values[name] is not None and name in given for name in LINKS):
            values["client"] = None  # taken from the newly linked record
    return _check_links(values, by=by, kept=kept)


def create_task(*, by: User, title: str, due_at, assignee: User | None = None, description: str = "",
                remind_at=None, priority: str = Task.Priority.NORMAL, client=None, deal=None, lead=None,
                complaint=None) -> Task:
    require_permission(by, "crm.add_task")
    values = _check_values({
        "title": title, "due_at": due_at, "assignee": assignee or by, "description": description,
        "remind_at": remind_at, "priority": priority, "client": client, "deal": deal, "lead": lead,
        "complaint": complaint,
    }, by=by)
    archive.refuse_archived_links(Task(**values))
    with transaction.atomic():
        task = Task.objects.create(created_by=by, **values)
        audit.record(task, "crm.task.created", by=by, root=task.client,
                     changes=audit.snapshot(task, TASK_FIELDS))
    return task


def update_task(task: Task, *, by: User, **values) -> Task:
    require_permission(by, "crm.change_task")
    if task.status != Task.Status.OPEN:
        raise BusinessRuleError("not_open", _("Reopen the task to change it."), field="status")
    values = _check_values(values, by=by, task=task)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        before = audit.snapshot(locked, TASK_FIELDS)
        links = archive.link_ids(locked)
        for field, value in values.items():
            setattr(locked, field, value)
        archive.refuse_archived_links(locked, before=links)
        if "remind_at" in values and values["remind_at"] != task.remind_at:
            locked.reminder_dismissed_at = None
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked, TASK_FIELDS))
        if changes:
            audit.record(locked, "crm.task.changed", by=by, root=locked.client, changes=changes)
    return locked


def _move(task: Task, to: str, *, by: User) -> Task:
    require_permission(by, "crm.change_task")
    with transaction.atomic():
        locked = workflow.transition(task, to, by=by)
        locked.completed_at = timezone.now() if to == Task.Status.DONE else None
        locked.save(update_fields=["completed_at", "updated_at"])
    return locked


def complete_task(task: Task, *, by: User) -> Task:
    return _move(task, Task.Status.DONE, by=by)


def cancel_task(task: Task, *, by: User) -> Task:
    return _move(task, Task.Status.CANCELLED, by=by)


def reopen_task(task: Task, *, by: User) -> Task:
    return _move(task, Task.Status.OPEN, by=by)


def delete_task(task: Task, *, by: User) -> None:
    require_permission(by, "crm.delete_task")
    with transaction.atomic():
        audit.record(task, "crm.task.deleted", by=by, root=task.client,
                     changes=audit.snapshot(task, ("title", "assignee", "due_at")))
        task.delete()


def dismiss_reminder(task: Task, *, by: User) -> Task:
    """The assignee has seen the reminder: it is not shown again (until the reminder time changes)."""
    if task.assignee_id != by.pk:
        raise AccessDenied(_("Only the assignee dismisses a task's reminder."))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.reminder_dismissed_at is None:
            locked.reminder_dismissed_at = timezone.now()
            locked.save(update_fields=["reminder_dismissed_at", "updated_at"])
    return locked
