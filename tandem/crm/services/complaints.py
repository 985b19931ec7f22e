"""Complaints (claims): register, edit (while open), start, resolve, reject, reopen.

A complaint's deadline follows from its severity (Complaint.DEADLINE_DAYS) unless one is given. Status
changes go through core.workflow.transition (lock, TRANSITIONS table, who/when, audit); resolving and
rejecting need a resolution text. The client card, the complaint pages and the API call the same functions.
Reads shared by the list page and the API (filters, overdue) sit at the end."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import archive, audit, limits, workflow
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.core.schemas import MAX_ID
from tandem.crm.models import Complaint, ComplaintCategory
from tandem.parties.models import Client

COMPLAINT_FIELDS = ("category", "severity", "description", "deal", "assignee", "deadline")
OPEN_STATUSES = (Complaint.Status.NEW, Complaint.Status.IN_PROGRESS)
CLOSED_STATUSES = (Complaint.Status.RESOLVED, Complaint.Status.REJECTED)


def complaint_category(value, *, current_id: int | None = None) -> ComplaintCategory:
    """The category a caller names: a row, its id (int or digits) or its code ("quality", the former fixed
    values). An archived one is refused unless it is the complaint's current category."""
    if isinstance(value, ComplaintCategory):
        category = value
    elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        # Ids beyond the column's range name no row (and must not reach the database as an overflow).
        category = ComplaintCategory.objects.filter(pk=int(value)).first() if 0 < int(value) <= MAX_ID else None
    elif isinstance(value, str) and value.strip():
        category = ComplaintCategory.objects.filter(code=value.strip()).first()
    else:
        category = None
    if category is None or (category.is_archived and category.pk != current_id):
        raise BusinessRuleError("invalid_category", _("Choose a category."), field="category")
    return category


def register_complaint(
    *,
    by: User,
    client: Client,
    category: ComplaintCategory | int | str,
    description: str,
    severity: str = Complaint.Severity.MEDIUM,
    deal=None,
    assignee: User | None = None,
    deadline: datetime.datetime | None = None,
) -> Complaint:
    """Register a client's complaint. The assignee defaults to `by`, the deadline to the severity's."""
    require_permission(by, "crm.add_complaint")
    category = complaint_category(category)
    if severity not in Complaint.Severity.values:
        raise BusinessRuleError("invalid_severity", _("Choose a severity."), field="severity")
    description = (description or "").strip()
    if not description:
        raise BusinessRuleError("required", _("Describe the complaint."), field="description")
    if deal is not None and deal.client_id != client.pk:
        raise BusinessRuleError("foreign_deal", _("The deal belongs to another client."), field="deal")
    archive.refuse_archived_links(Complaint(client=client), ("client",))
    assignee = assignee or by
    if not assignee.is_active:
        raise BusinessRuleError("inactive_assignee", _("%(user)s is not an active user.")
                                % {"user": assignee.display_name}, field="assignee")
    now = timezone.now()
    if deadline is None:
        deadline = Complaint.default_deadline(severity, now)
    elif deadline <= now:
        raise BusinessRuleError("deadline_in_past", _("The deadline must be in the future."), field="deadline")
    limits.check_date(deadline, field="deadline")
    with transaction.atomic():
        complaint = Complaint.objects.create(
            client=client, category=category, severity=severity, description=description, deal=deal,
            assignee=assignee, deadline=deadline, created_by=by,
        )
        audit.record(complaint, "crm.complaint.created", by=by, root=client,
                     changes=audit.snapshot(complaint, COMPLAINT_FIELDS))
    return complaint


UPDATABLE_FIELDS = ("category", "severity", "description", "assignee", "deadline", "deal")


def can_edit(complaint: Complaint) -> bool:
    return complaint.status in OPEN_STATUSES


def update_complaint(complaint: Complaint, *, by: User, **values) -> Complaint:
    """Change a new or in-progress complaint's details (not its status: that has its own actions)."""
    require_permission(by, "crm.change_complaint")
    unknown = set(values) - set(UPDATABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=field)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if not can_edit(locked):
            raise ConflictError("not_editable", _("Only a new or in-progress complaint can be changed."),
                                field="status")
        before = audit.snapshot(locked, COMPLAINT_FIELDS)
        if "category" in values:
            values["category"] = complaint_category(values["category"], current_id=locked.category_id)
        if "severity" in values and values["severity"] not in Complaint.Severity.values:
            raise BusinessRuleError("invalid_severity", _("Choose a severity."), field="severity")
        if "description" in values:
            values["description"] = (values["description"] or "").strip()
            if not values["description"]:
                raise BusinessRuleError("required", _("Describe the complaint."), field="description")
        deal = values.get("deal")
        if deal is not None and deal.client_id != locked.client_id:
            raise BusinessRuleError("foreign_deal", _("The deal belongs to another client."), field="deal")
        if "assignee" in values:
            assignee = values["assignee"]
            if assignee is None:
                raise BusinessRuleError("required", _("Choose an assignee."), field="assignee")
            if not assignee.is_active and assignee.pk != locked.assignee_id:
                raise BusinessRuleError("inactive_assignee", _("%(user)s is not an active user.")
                                        % {"user": assignee.display_name}, field="assignee")
        if "deadline" in values:
            deadline = values["deadline"]
            if deadline is None:
                raise BusinessRuleError("required", _("Set a deadline."), field="deadline")
            limits.check_date(deadline, field="deadline")
            if deadline != locked.deadline and deadline <= timezone.now():
                raise BusinessRuleError("deadline_in_past", _("The deadline must be in the future."),
                                        field="deadline")
        for name, value in values.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, COMPLAINT_FIELDS))
        if changes:
            locked.save()
            audit.record(locked, "crm.complaint.updated", by=by, root=locked.client, changes=changes)
    return locked


def _resolution_text(resolution: str) -> str:
    resolution = (resolution or "").strip()
    if not resolution:
        raise BusinessRuleError("resolution_required", _("Write down the resolution."), field="resolution")
    return resolution


def start_complaint(complaint: Complaint, *, by: User) -> Complaint:
    """A new complaint is taken into work."""
    require_permission(by, "crm.change_complaint")
    if complaint.status != Complaint.Status.NEW:
        raise ConflictError("invalid_transition", _("Only a new complaint can be started."), field="status")
    with transaction.atomic():
        return workflow.transition(complaint, Complaint.Status.IN_PROGRESS, by=by)


def _close(complaint: Complaint, to: str, resolution: str, *, by: User) -> Complaint:
    require_permission(by, "crm.change_complaint")
    resolution = _resolution_text(resolution)
    with transaction.atomic():
        locked = workflow.transition(complaint, to, by=by, data={"resolution": resolution})
        locked.resolution = resolution
        locked.closed_at = locked.status_changed_at
        locked.save(update_fields=["resolution", "closed_at", "updated_at"])
    return locked


def resolve_complaint(complaint: Complaint, *, by: User, resolution: str) -> Complaint:
    """The complaint is settled; the resolution says how."""
    return _close(complaint, Complaint.Status.RESOLVED, resolution, by=by)


def reject_complaint(complaint: Complaint, *, by: User, resolution: str) -> Complaint:
    """The complaint is unfounded; the resolution says why."""
    return _close(complaint, Complaint.Status.REJECTED, resolution, by=by)


def reopen_complaint(complaint: Complaint, *, by: User) -> Complaint:
    """A resolved or rejected complaint goes back into work (its last resolution stays in the audit trail)."""
    require_permission(by, "crm.change_complaint")
    if complaint.status not in CLOSED_STATUSES:
        raise ConflictError("invalid_transition", _("Only a resolved or rejected complaint can be reopened."),
                            field="status")
    with transaction.atomic():
        locked = workflow.transition(complaint, Complaint.Status.IN_PROGRESS, by=by)
        locked.closed_at = None
        locked.save(update_fields=["closed_at", "updated_at"])
    return locked


def can_reopen(complaint: Complaint) -> bool:
    return complaint.status in CLOSED_STATUSES


def can_start(complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.NEW


# --- Reads ------------------------------------------------------------------------------------------

def overdue_q(now: datetime.datetime) -> Q:
    """Open complaints past their deadline (the same rule as Complaint.is_overdue)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=now)


def filter_complaints(
    qs: QuerySet[Complaint],
    *,
    status: str = "",
    severity: str = "",
    assignee_id: int | None = None,
    client_id: int | None = None,
    category_id: int | None = None,
    overdue: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Complaint]:
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    return qs.select_related("client", "deal", "assignee", "category").order_by("deadline", "id")
