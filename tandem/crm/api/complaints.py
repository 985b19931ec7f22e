"""REST endpoints: complaints (thin: look up with the record rules of crm.queries.visibility, call one service)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.crm.models import Complaint
from tandem.crm.queries.visibility import visible_complaints, visible_deals
from tandem.crm.schemas.complaints import ComplaintFilters, ComplaintIn, ComplaintOut, ComplaintPatch, ResolutionIn
from tandem.crm.services import complaints as services
from tandem.parties import queries as parties

router = Router(tags=["complaints"])



def _actions(complaint: Complaint) -> list[str]:
    checks = {"start": services.can_start(complaint), "resolve": complaint.can_resolve(),
              "reject": complaint.can_reject(), "reopen": services.can_reopen(complaint)}
    return [name for name, allowed in checks.items() if allowed]


def _out(complaint: Complaint, now=None) -> Complaint:
    complaint.overdue = complaint.is_overdue(now or timezone.now())
    complaint.actions = _actions(complaint)
    return complaint


def _get(request, complaint_id: int) -> Complaint:
    return resolve_visible(visible_complaints(request.user), complaint_id)


@router.get("/complaints", response=Page[ComplaintOut], summary="List complaints")
def list_complaints(request, filters: Query[ComplaintFilters], pagination: Query[PageParams]):
    require_permission(request, "crm.view_complaint")
    now = timezone.now()
    qs = services.filter_complaints(
        visible_complaints(request.user), status=filters.status or "", severity=filters.severity or "",
        assignee_id=filters.assignee_id, client_id=filters.client_id, category_id=filters.category_id,
        overdue=filters.overdue, now=now,
    )
    page = paginate(qs, pagination, keys_first=True)
    page["items"] = [_out(c, now) for c in page["items"]]
    return page


@router.post("/complaints", response={201: ComplaintOut}, summary="Register a complaint")
def create_complaint(request, payload: ComplaintIn):
    require_permission(request, "crm.add_complaint")
    data = payload.dict()
    client = parties.get_visible_client(request.user, data.pop("client_id"))
    complaint = services.register_complaint(
        by=request.user, client=client, category=data["category"], severity=data["severity"],
        description=data["description"], deadline=data["deadline"],
        deal=resolve_visible(visible_deals(request.user), data["deal_id"], "deal_id"),
        assignee=resolve_visible(User, data["assignee_id"], "assignee_id"),
    )
    return _out(complaint)


@router.get("/complaints/{complaint_id}", response=ComplaintOut, summary="Get a complaint")
def get_complaint(request, complaint_id: Id):
    return _out(_get(request, complaint_id))


@router.patch("/complaints/{complaint_id}", response=ComplaintOut, summary="Change a complaint's details")
def update_complaint(request, complaint_id: Id, payload: ComplaintPatch):
    complaint = _get(request, complaint_id)
    require_permission(request, "crm.change_complaint")
    data = payload.dict(exclude_unset=True)
    if "deal_id" in data:
        data["deal"] = resolve_visible(visible_deals(request.user), data.pop("deal_id"), "deal_id")
    if "assignee_id" in data:
        assignee_id = data.pop("assignee_id")
        if assignee_id is None:
            raise BusinessRuleError("required", _("Choose an assignee."), field="assignee_id")
        data["assignee"] = resolve_visible(User, assignee_id, "assignee_id")
    for name in ("category", "severity"):
        if name in data and data[name] is None:
            raise BusinessRuleError("required", _("This field cannot be empty."), field=name)
    if "description" in data and data["description"] is None:
        data["description"] = ""
    return _out(services.update_complaint(complaint, by=request.user, **data))


@router.post("/complaints/{complaint_id}/start", response=ComplaintOut, summary="Start work on a complaint")
def start_complaint(request, complaint_id: Id):
    return _out(services.start_complaint(_get(request, complaint_id), by=request.user))


@router.post("/complaints/{complaint_id}/resolve", response=ComplaintOut, summary="Resolve a complaint")
def resolve_complaint(request, complaint_id: Id, payload: ResolutionIn):
    return _out(services.resolve_complaint(_get(request, complaint_id), by=request.user,
                                           resolution=payload.resolution))


@router.post("/complaints/{complaint_id}/reject", response=ComplaintOut, summary="Reject a complaint")
def reject_complaint(request, complaint_id: Id, payload: ResolutionIn):
    return _out(services.reject_complaint(_get(request, complaint_id), by=request.user,
                                          resolution=payload.resolution))


@router.post("/complaints/{complaint_id}/reopen", response=ComplaintOut, summary="Reopen a complaint")
def reopen_complaint(request, complaint_id: Id):
    return _out(services.reopen_complaint(_get(request, complaint_id), by=request.user))
