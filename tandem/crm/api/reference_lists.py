"""REST endpoints: CRM reference lists (lost reason changes, complaint categories). Thin: crm services write."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id
from tandem.crm.models import ComplaintCategory, LostReason
from tandem.crm.schemas.deals import LostReasonOut
from tandem.crm.schemas.reference_lists import (
    ComplaintCategoryIn,
    ComplaintCategoryOut,
    ComplaintCategoryPatch,
    LostReasonPatch,
)
from tandem.crm.services import reference_lists as services

router = Router(tags=["lookups"])


def _no_nulls(data: dict) -> dict:
    for name, value in data.items():
        if value is None:
            raise BusinessRuleError("required", _("This field cannot be empty."), field=name)
    return data


@router.patch("/lost-reasons/{lost_reason_id}", response=LostReasonOut, summary="Rename, deactivate or reactivate")
def update_lost_reason(request, lost_reason_id: Id, payload: LostReasonPatch):
    require_permission(request, "crm.change_lostreason")
    reason = resolve_visible(LostReason, lost_reason_id)
    data = _no_nulls(payload.dict(exclude_unset=True))
    if "name" in data:
        reason = services.rename_lost_reason(reason, by=request.user, name=data["name"])
    if "is_active" in data:
        reason = services.set_lost_reason_active(reason, data["is_active"], by=request.user)
    return reason


@router.get("/complaint-categories", response=list[ComplaintCategoryOut], summary="Complaint categories")
def list_complaint_categories(request, archived: ArchivedFilter = "false"):
    require_permission(request, "crm.view_complaintcategory")
    return list(ComplaintCategory.objects.in_archive_state(archived))


@router.post("/complaint-categories", response={201: ComplaintCategoryOut}, summary="Add a complaint category")
def create_complaint_category(request, payload: ComplaintCategoryIn):
    return services.create_complaint_category(by=request.user, **payload.dict())


def _category(request, category_id: int) -> ComplaintCategory:
    require_permission(request, "crm.view_complaintcategory")
    return resolve_visible(ComplaintCategory, category_id)


@router.patch("/complaint-categories/{category_id}", response=ComplaintCategoryOut,
              summary="Rename or move a complaint category")
def update_complaint_category(request, category_id: Id, payload: ComplaintCategoryPatch):
    category = _category(request, category_id)
    return services.update_complaint_category(category, by=request.user,
                                              **_no_nulls(payload.dict(exclude_unset=True)))


@router.post("/complaint-categories/{category_id}/archive", response=ComplaintCategoryOut,
             summary="Archive (no longer offered for new complaints)")
def archive_complaint_category(request, category_id: Id):
    return services.archive_complaint_category(_category(request, category_id), by=request.user)


@router.post("/complaint-categories/{category_id}/restore", response=ComplaintCategoryOut,
             summary="Restore an archived complaint category")
def restore_complaint_category(request, category_id: Id):
    return services.restore_complaint_category(_category(request, category_id), by=request.user)
