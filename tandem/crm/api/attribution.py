"""REST endpoints: campaigns, marketing events and their attendees, the attribution report."""

from __future__ import annotations

from django.db.models import Count
from ninja import Query, Router

from tandem.core.models import User
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter
from tandem.crm.models import Campaign, EventAttendee, MarketingEvent
from tandem.crm.queries.visibility import visible_deals, visible_leads
from tandem.crm.reports.attribution import attribution_report
from tandem.crm.schemas.attribution import (
    AttendeeIn,
    AttendeeOut,
    AttributionReportOut,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    EventFilters,
    EventIn,
    EventOut,
    EventPatch,
    ReportFilters,
)
from tandem.crm.services import attribution as services
from tandem.parties.models import Source
from tandem.parties.queries import visible_clients, visible_contacts

router = Router(tags=["crm"])



def _campaign_values(data: dict) -> dict:
    if "source_id" in data:
        data["source"] = resolve_visible(Source, data.pop("source_id"), "source_id")
    return data


def _event_values(data: dict) -> dict:
    refs = {"source_id": ("source", Source), "campaign_id": ("campaign", Campaign),
            "responsible_id": ("responsible", User)}
    for key, (name, model) in refs.items():
        if key in data:
            data[name] = resolve_visible(model, data.pop(key), key)
    return data


def _campaigns(request):
    require_permission(request, "crm.view_campaign")
    return Campaign.objects.select_related("source")


def _events(request):
    require_permission(request, "crm.view_marketingevent")
    return MarketingEvent.objects.select_related("source", "campaign", "responsible").annotate(
        attendee_count=Count("attendees"))


# --- Campaigns --------------------------------------------------------------------------------------

@router.get("/campaigns", response=Page[CampaignOut], summary="List campaigns")
def list_campaigns(request, pagination: Query[PageParams], archived: ArchivedFilter = "false"):
    return paginate(_campaigns(request).in_archive_state(archived).order_by("-starts_on", "name", "id"), pagination)


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign")
def create_campaign(request, payload: CampaignIn):
    require_permission(request, "crm.add_campaign")
    data = payload.dict()
    if data["cost"] is None:
        data.pop("cost")
    campaign = services.create_campaign(by=request.user, **_campaign_values(data))
    return _campaigns(request).get(pk=campaign.pk)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="Get a campaign")
def get_campaign(request, campaign_id: int):
    return resolve_visible(_campaigns(request), campaign_id)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="Change a campaign")
def update_campaign(request, campaign_id: int, payload: CampaignPatch):
    campaign = resolve_visible(_campaigns(request), campaign_id)
    require_permission(request, "crm.change_campaign")
    services.update_campaign(campaign, by=request.user, **_campaign_values(payload.dict(exclude_unset=True)))
    return _campaigns(request).get(pk=campaign.pk)


@router.post("/campaigns/{campaign_id}/archive", response=CampaignOut, summary="Archive a campaign")
def archive_campaign(request, campaign_id: int):
    campaign = resolve_visible(_campaigns(request), campaign_id)
    services.archive_campaign(campaign, by=request.user)
    return _campaigns(request).get(pk=campaign.pk)


@router.post("/campaigns/{campaign_id}/restore", response=CampaignOut, summary="Restore an archived campaign")
def restore_campaign(request, campaign_id: int):
    campaign = resolve_visible(_campaigns(request), campaign_id)
    services.restore_campaign(campaign, by=request.user)
    return _campaigns(request).get(pk=campaign.pk)


@router.delete("/campaigns/{campaign_id}", response={204: None},
               summary="Delete a campaign nothing refers to (409 naming the references otherwise)")
def delete_campaign(request, campaign_id: int):
    services.delete_campaign(resolve_visible(_campaigns(request), campaign_id), by=request.user)


# --- Events -----------------------------------------------------------------------------------------

@router.get("/events", response=Page[EventOut], summary="List marketing events")
def list_events(request, filters: Query[EventFilters], pagination: Query[PageParams]):
    qs = _events(request)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    return paginate(qs.order_by("-starts_on", "name", "id"), pagination)


@router.post("/events", response={201: EventOut}, summary="Create a marketing event")
def create_event(request, payload: EventIn):
    require_permission(request, "crm.add_marketingevent")
    data = payload.dict()
    if data["cost"] is None:
        data.pop("cost")
    event = services.create_event(by=request.user, **_event_values(data))
    return _events(request).get(pk=event.pk)


@router.get("/events/{event_id}", response=EventOut, summary="Get a marketing event")
def get_event(request, event_id: int):
    return resolve_visible(_events(request), event_id)


@router.patch("/events/{event_id}", response=EventOut, summary="Change a marketing event")
def update_event(request, event_id: int, payload: EventPatch):
    event = resolve_visible(_events(request), event_id)
    require_permission(request, "crm.change_marketingevent")
    data = payload.dict(exclude_unset=True)
    if "cost" in data and data["cost"] is None:
        data["cost"] = "0"
    services.update_event(event, by=request.user, **_event_values(data))
    return _events(request).get(pk=event.pk)


# --- Attendees --------------------------------------------------------------------------------------

def _attendees(request, event):
    """Attendees the caller may see: clients and leads under their record rules."""
    clients = visible_clients(request.user).values("pk")
    leads = visible_leads(request.user).values("pk")
    return (EventAttendee.objects.filter(event=event).select_related("client", "lead", "contact")
            .filter(client__in=clients) | EventAttendee.objects.filter(event=event, lead__in=leads)
            .select_related("client", "lead", "contact")).order_by("created_at", "id")


@router.get("/events/{event_id}/attendees", response=Page[AttendeeOut], summary="List attendees")
def list_attendees(request, event_id: int, pagination: Query[PageParams]):
    event = resolve_visible(_events(request), event_id)
    return paginate(_attendees(request, event), pagination)


@router.post("/events/{event_id}/attendees", response={201: AttendeeOut}, summary="Add an attendee "
             "(a client or a lead)")
def add_attendee(request, event_id: int, payload: AttendeeIn):
    event = resolve_visible(_events(request), event_id)
    require_permission(request, "crm.add_eventattendee")
    client = resolve_visible(visible_clients(request.user), payload.client_id, "client_id")
    lead = resolve_visible(visible_leads(request.user), payload.lead_id, "lead_id")
    contact = resolve_visible(visible_contacts(request.user), payload.contact_id, "contact_id")
    attendee = services.add_attendee(event, by=request.user, client=client, lead=lead, contact=contact)
    return attendee


@router.delete("/events/{event_id}/attendees/{attendee_id}", response={204: None}, summary="Remove an attendee")
def remove_attendee(request, event_id: int, attendee_id: int):
    event = resolve_visible(_events(request), event_id)
    attendee = resolve_visible(_attendees(request, event), attendee_id)
    require_permission(request, "crm.delete_eventattendee")
    services.remove_attendee(attendee, by=request.user)


# --- Report -----------------------------------------------------------------------------------------

@router.get("/reports/attribution", response=AttributionReportOut, by_alias=True,
            summary="Leads, deals, won deals, won amount and cost per source, campaign or event")
def report_attribution(request, filters: Query[ReportFilters]):
    require_permission(request, "crm.view_campaign")
    rows = attribution_report(filters.group, date_from=filters.date_from, date_to=filters.date_to,
                              leads=visible_leads(request.user), deals=visible_deals(request.user))
    return {"group": filters.group, "date_from": filters.date_from, "date_to": filters.date_to, "rows": rows}
