"""REST endpoints: interactions and the client timeline (thin: look up with the record rules of
crm.queries.visibility, call one service or the timeline builder, return the schema)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.audit_render import changes_text, render_entry
from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.crm.queries import timeline as timelines
from tandem.crm.queries.visibility import visible_deals, visible_interactions
from tandem.crm.schemas.interactions import (
    InteractionFilters,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    TimelineOut,
    TimelineParams,
)
from tandem.crm.services import interactions as services
from tandem.parties import queries as parties
from tandem.parties.models import Source

router = Router(tags=["interactions"])



def _values(request, data: dict) -> dict:
    """Schema fields -> service keyword arguments (ids resolved to rows the caller may see)."""
    user = request.user
    lookups = {
        "contact_id": ("contact", parties.visible_contacts(user)),
        "counterparty_id": ("counterparty", parties.visible_counterparties(user)),
        "deal_id": ("deal", visible_deals(user)),
        "source_id": ("source", Source.objects.all()),
    }
    for key, (name, qs) in lookups.items():
        if key in data:
            data[name] = resolve_visible(qs, data.pop(key), key)
    return data


def _get(request, interaction_id: int):
    return resolve_visible(visible_interactions(request.user).select_related("client"), interaction_id)


@router.get("/interactions", response=Page[InteractionOut], summary="List interactions")
def list_interactions(request, filters: Query[InteractionFilters], pagination: Query[PageParams]):
    require_permission(request, "crm.view_interaction")
    qs = services.filter_interactions(visible_interactions(request.user), client_id=filters.client_id,
                                      deal_id=filters.deal_id, kind=filters.kind or "",
                                      created_by_id=filters.created_by_id,
                                      occurred_from=filters.occurred_from, occurred_to=filters.occurred_to)
    return paginate(qs, pagination)


@router.post("/interactions", response={201: InteractionOut}, summary="Log an interaction")
def create_interaction(request, payload: InteractionIn):
    require_permission(request, "crm.add_interaction")
    data = payload.dict()
    client = parties.get_visible_client(request.user, data.pop("client_id"))
    return services.log_interaction(by=request.user, client=client, **_values(request, data))


@router.get("/interactions/{interaction_id}", response=InteractionOut, summary="Get an interaction")
def get_interaction(request, interaction_id: Id):
    return _get(request, interaction_id)


@router.patch("/interactions/{interaction_id}", response=InteractionOut, summary="Change an interaction")
def update_interaction(request, interaction_id: Id, payload: InteractionPatch):
    interaction = _get(request, interaction_id)
    data = payload.dict(exclude_unset=True)
    for name in ("outcome", "place", "attendees"):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("kind", "subject", "text"):
        if name in data and data[name] is None:
            raise BusinessRuleError("required", _("This value cannot be empty."), field=name)
    return services.update_interaction(interaction, by=request.user, **_values(request, data))


@router.delete("/interactions/{interaction_id}", response={204: None}, summary="Delete an interaction")
def delete_interaction(request, interaction_id: Id):
    services.delete_interaction(_get(request, interaction_id), by=request.user)



def _item_out(item: timelines.TimelineItem) -> dict:
    obj = item.obj
    if item.kind == "interaction":
        title, text, actor = obj.subject or obj.get_kind_display(), obj.text, obj.created_by
    elif item.kind == "deal":
        title, text, actor = obj.title, "", obj.owner
    elif item.kind == "complaint":
        text = obj.description if item.event == "registered" else obj.resolution
        title, actor = str(obj), obj.assignee
    elif item.kind == "task":
        title, text, actor = obj.title, obj.description, obj.assignee
    else:  # an audit entry: the renderer's sentence, then the record and the changes it does not say
        shown = render_entry(obj)
        title, actor = shown.summary, obj.actor
        text = "\n".join(part for part in (obj.object_repr, changes_text(shown.changes)) if part)
    return {"kind": item.kind, "event": item.event, "at": item.at, "object_id": int(obj.pk), "title": title,
            "text": text, "actor": actor.display_name if actor else None}


@router.get("/clients/{client_id}/timeline", response=TimelineOut, summary="A client's timeline")
def client_timeline(request, client_id: Id, params: Query[TimelineParams]):
    require_permission(request, "crm.view_interaction")
    client = parties.get_visible_client(request.user, client_id)
    timeline = timelines.build_timeline(request.user, client, type=params.type or "", before=params.before,
                                        limit=params.limit)
    return {"items": [_item_out(item) for item in timeline.items], "older": timeline.older}
