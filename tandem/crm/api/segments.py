"""REST endpoints: segments (CRUD, live members, static members) and the segment comparison report."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.money import quantize
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.schemas import MAX_ID, Id
from tandem.crm.models import Segment
from tandem.crm.reports.segments import compare_segments
from tandem.crm.schemas.segments import (
    MembersAddedOut,
    MembersIn,
    SegmentClientOut,
    SegmentComparisonOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)
from tandem.crm.segments import criteria_currency, segment_clients
from tandem.crm.services import segments as services
from tandem.parties.queries import get_visible_client

router = Router(tags=["segments"])



def _segment(request, segment_id: int) -> Segment:
    require_permission(request, "crm.view_segment")
    return get_object_or_404(Segment, pk=segment_id)


@router.get("/segments", response=Page[SegmentOut], summary="List segments")
def list_segments(request, pagination: Query[PageParams]):
    require_permission(request, "crm.view_segment")
    return paginate(Segment.objects.order_by("name", "id"), pagination)


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def create_segment(request, payload: SegmentIn):
    return services.create_segment(by=request.user, **payload.dict())


@router.get("/segments/{segment_id}", response=SegmentOut, summary="Get a segment")
def get_segment(request, segment_id: Id):
    return _segment(request, segment_id)


@router.patch("/segments/{segment_id}", response=SegmentOut, summary="Change a segment")
def update_segment(request, segment_id: Id, payload: SegmentPatch):
    segment = _segment(request, segment_id)
    values = payload.dict(exclude_unset=True)
    for key in ("name", "kind"):
        if key in values and values[key] is None:
            raise BusinessRuleError("required", _("%(field)s cannot be null.") % {"field": key}, field=key)
    return services.update_segment(segment, by=request.user, **values)


@router.delete("/segments/{segment_id}", response={204: None}, summary="Delete a segment")
def delete_segment(request, segment_id: Id):
    services.delete_segment(_segment(request, segment_id), by=request.user)
    return None


@router.get("/segments/{segment_id}/clients", response=Page[SegmentClientOut],
            summary="Clients in the segment (evaluated now, only those you may see)")
def segment_members(request, segment_id: Id, pagination: Query[PageParams]):
    segment = _segment(request, segment_id)
    currency = criteria_currency(segment.criteria)
    page = paginate(segment_clients(segment, request.user), pagination)
    page["items"] = [{
        "id": c.pk, "name": c.name, "status": c.status, "kind": c.kind, "owner_id": c.owner_id,
        "last_interaction_at": c.last_interaction_at, "won_deals": c.won_deals,
        "won_amount": str(quantize(c.won_amount, currency)), "currency": currency,
    } for c in page["items"]]
    return page


@router.post("/segments/{segment_id}/members", response={200: MembersAddedOut},
             summary="Add clients to a static group")
def add_members(request, segment_id: Id, payload: MembersIn):
    segment = _segment(request, segment_id)
    added = services.add_members(segment, payload.client_ids, by=request.user)
    return {"added": [c.pk for c in added]}


@router.delete("/segments/{segment_id}/members/{client_id}", response={204: None},
               summary="Remove a client from a static group")
def remove_member(request, segment_id: Id, client_id: Id):
    segment = _segment(request, segment_id)
    services.remove_member(segment, get_visible_client(request.user, client_id), by=request.user)
    return None


@router.get("/reports/segment-comparison", response=list[SegmentComparisonOut],
            summary="Segments side by side: clients, deals, won amount, average won deal, conversion rate")
def segment_comparison(request, ids: str):
    require_permission(request, "crm.view_segment")
    try:
        wanted = [int(part) for part in ids.split(",") if part.strip()]
        if any(not 1 <= pk <= MAX_ID for pk in wanted):
            raise ValueError
    except ValueError:
        raise BusinessRuleError("invalid", _("Give segment ids separated by commas, e.g. ids=1,2."),
                                field="ids") from None
    if not wanted:
        raise BusinessRuleError("required", _("Choose at least one segment."), field="ids")
    segments = {s.pk: s for s in Segment.objects.filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in segments]
    if missing:
        raise BusinessRuleError("unknown_reference", _("There is no segment #%(id)s.") % {"id": missing[0]},
                                field="ids")
    rows = compare_segments([segments[pk] for pk in dict.fromkeys(wanted)], request.user)
    return [{
        "segment_id": r.segment.pk, "name": r.segment.name, "clients": r.clients, "deals": r.deals,
        "won_deals": r.won_deals, "lost_deals": r.lost_deals,
        "conversion_rate": None if r.conversion_rate is None else str(r.conversion_rate),
        "by_currency": [{"currency": t.currency, "won_deals": t.won_deals, "won_amount": str(t.won_amount),
                         "average_won_deal": None if t.average_won_deal is None else str(t.average_won_deal)}
                        for t in r.by_currency],
        "won_base": r.won_base,
    } for r in rows]
