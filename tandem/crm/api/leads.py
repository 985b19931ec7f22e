"""REST endpoints: leads (thin: look up under the record rule, check the permission, call one service)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.crm.models import Campaign, Lead, MarketingEvent, Pipeline
from tandem.crm.queries.leads import filter_leads
from tandem.crm.queries.visibility import visible_leads
from tandem.crm.schemas.leads import DisqualifyIn, LeadFilters, LeadIn, LeadOut, LeadPatch, QualifyIn
from tandem.crm.services import leads as services
from tandem.parties.models import Source
from tandem.parties.queries import visible_clients

router = Router(tags=["crm"])



def lead_values(data: dict) -> dict:
    refs = {"owner_id": ("owner", User), "source_id": ("source", Source), "campaign_id": ("campaign", Campaign),
            "event_id": ("event", MarketingEvent)}
    for key, (name, model) in refs.items():
        if key in data:
            data[name] = resolve_visible(model, data.pop(key), key)
    return data


def _lead(request, lead_id: int) -> Lead:
    return resolve_visible(visible_leads(request.user).select_related(
        "owner", "source", "campaign", "event", "client", "deal__contact"), lead_id)


@router.get("/leads", response=Page[LeadOut], summary="List leads")
def list_leads(request, filters: Query[LeadFilters], pagination: Query[PageParams]):
    require_permission(request, "crm.view_lead")
    qs = filter_leads(visible_leads(request.user), q=filters.q, status=filters.status or "",
                      owner_id=filters.owner_id, source_id=filters.source_id, campaign_id=filters.campaign_id,
                      event_id=filters.event_id)
    # Keys first: the page's ids in index order (lead_newest), then those rows with their joins; with the
    # joins in one query SQLite sorted every lead (~100 ms at 33,000 leads).
    return paginate(qs, pagination, keys_first=True)


@router.post("/leads", response={201: LeadOut}, summary="Create a lead")
def create_lead(request, payload: LeadIn):
    require_permission(request, "crm.add_lead")
    lead = services.create_lead(by=request.user, **lead_values(payload.dict()))
    return _lead(request, lead.pk)


@router.get("/leads/{lead_id}", response=LeadOut, summary="Get a lead")
def get_lead(request, lead_id: Id):
    return _lead(request, lead_id)


@router.patch("/leads/{lead_id}", response=LeadOut, summary="Change a lead")
def update_lead(request, lead_id: Id, payload: LeadPatch):
    lead = _lead(request, lead_id)
    require_permission(request, "crm.change_lead")
    data = payload.dict(exclude_unset=True)
    if data.get("name", "") is None:
        raise BusinessRuleError("required", _("A lead needs a contact name."), field="name")
    services.update_lead(lead, by=request.user, **lead_values(data))
    return _lead(request, lead_id)


@router.post("/leads/{lead_id}/qualify", response=LeadOut, summary="Qualify a lead: link or create a client, "
             "open a deal")
def qualify_lead(request, lead_id: Id, payload: QualifyIn):
    lead = _lead(request, lead_id)
    require_permission(request, "crm.change_lead")
    data = payload.dict()
    services.qualify_lead(
        lead, by=request.user,
        client=resolve_visible(visible_clients(request.user), data["client_id"], "client_id"),
        create_client=data["create_client"], deal_title=data["deal_title"],
        amount=data["amount"],
        currency=data["currency"], pipeline=resolve_visible(Pipeline, data["pipeline_id"], "pipeline_id"),
        expected_close_date=data["expected_close_date"],
    )
    return _lead(request, lead_id)


@router.post("/leads/{lead_id}/disqualify", response=LeadOut, summary="Disqualify a lead (a reason is required)")
def disqualify_lead(request, lead_id: Id, payload: DisqualifyIn):
    lead = _lead(request, lead_id)
    require_permission(request, "crm.change_lead")
    services.disqualify_lead(lead, by=request.user, reason=payload.reason)
    return _lead(request, lead_id)


@router.post("/leads/{lead_id}/reopen", response=LeadOut, summary="Reopen a disqualified lead")
def reopen_lead(request, lead_id: Id):
    lead = _lead(request, lead_id)
    require_permission(request, "crm.change_lead")
    services.reopen_lead(lead, by=request.user)
    return _lead(request, lead_id)
