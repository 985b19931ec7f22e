"""The client timeline: interactions, deals, complaints, tasks and audit entries in one chronological list.

Each source is read with one query (newest first, at most `limit + 1` rows before the cursor), then the rows
are merged; the number of queries is fixed whatever the number of items. Paging goes back in time: the
`before` cursor of the next page is the time of the last item shown. Record rules apply to every source
(a representative sees only own deals and tasks, etc.)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tandem.core.audit import history_for, visible_entries
from tandem.core.models import AuditEntry
from tandem.crm.models import Complaint, Deal, Interaction, Lead, Task
from tandem.crm.queries import visibility
from tandem.crm.services.interactions import kinds_for
from tandem.parties.models import Client

DEFAULT_LIMIT = 30
MAX_LIMIT = 200

# Filter choices of the timeline: the value of ?type= and its label ("" shows everything).
TYPES = {
    "interaction": _("All interactions"),
    "call": _("Calls"),
    "meeting": _("Meetings"),
    "sms": _("SMS"),
    "email": _("Emails"),
    "note": _("Notes"),
    "deal": _("Deals"),
    "complaint": _("Complaints"),
    "task": _("Tasks"),
    "audit": _("Changes"),
}
INTERACTION_TYPES = {"interaction", "call", "meeting", "sms", "email", "note"}

# Audit events already shown by an item of their own (so they are not listed twice).
SHOWN_AS_ITEMS = {
    Interaction: None,  # every event of an interaction
    Deal: ("crm.deal.created", "crm.deal.won", "crm.deal.lost"),
    Complaint: ("crm.complaint.created", "crm.complaint.resolved", "crm.complaint.rejected"),
    Task: ("crm.task.created", "crm.task.done"),
}


@dataclass
class TimelineItem:
    kind: str  # interaction | deal | complaint | task | audit
    event: str  # interaction kind, or opened/won/lost, registered/resolved/rejected, planned/done/cancelled, audit
    at: datetime.datetime
    obj: object = field(repr=False)

    @property
    def sort_key(self):
        return (self.at, self.kind, getattr(self.obj, "pk", 0))

    @property
    def template(self) -> str:
        return f"crm/partials/_timeline_{self.kind}.html"


@dataclass
class Timeline:
    items: list[TimelineItem]
    older: datetime.datetime | None  # cursor for the next (older) page, None when there is none
    type: str


def parse_type(value: str | None) -> str:
    return value if value in TYPES else ""


def _wants(type_: str, kind: str) -> bool:
    if not type_:
        return True
    if kind == "interaction":
        return type_ in INTERACTION_TYPES
    return type_ == kind


def _before(qs, field_name: str, before: datetime.datetime | None):
    return qs.filter(**{f"{field_name}__lt": before}) if before else qs


def _audit_exclusions() -> Q:
    cond = Q(pk__in=[])
    for model, actions in SHOWN_AS_ITEMS.items():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        cond |= Q(content_type=ct) if actions is None else Q(content_type=ct, action__in=actions)
    return cond


def _hide_invisible_deals(user, rows) -> None:
    """A row linked to a deal the user may not open (a colleague's) does not show that deal's title."""
    deal_ids = {row.deal_id for row in rows if row.deal_id}
    visible = set(visibility.visible_deals(user).filter(pk__in=deal_ids).values_list("pk", flat=True))
    for row in rows:
        row.deal_hidden = bool(row.deal_id) and row.deal_id not in visible


def _client_history(client: Client, user):
    """Audit entries filed under the client and those of the leads it was qualified from (a lead's history
    is filed under the lead: it comes to the client with the qualification)."""
    lead_ids = [str(pk) for pk in Lead.objects.filter(client=client).values_list("pk", flat=True)]
    if not lead_ids:
        return history_for(client, user=user)
    lead_type = ContentType.objects.get_for_model(Lead, for_concrete_model=False)
    leads = AuditEntry.objects.filter(root_content_type=lead_type, root_object_id__in=lead_ids)
    return visible_entries((history_for(client) | leads).select_related("actor"), user)


def build_timeline(
    user,
    client: Client,
    *,
    type: str = "",  # noqa: A002 - the name of the filter in the UI and API
    before: datetime.datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Timeline:
    """One page of the client's timeline as `user` may see it, newest first."""
    type_ = parse_type(type)
    limit = max(1, min(int(limit), MAX_LIMIT))
    take = limit + 1
    streams: list[list[TimelineItem]] = []

    if _wants(type_, "interaction"):
        qs = visibility.visible_interactions(user).filter(client=client)
        if type_ and type_ != "interaction":
            qs = qs.filter(kind__in=kinds_for(type_))
        qs = _before(qs, "occurred_at", before).select_related(
            "created_by", "contact", "counterparty", "deal", "source").order_by("-occurred_at", "-id")
        interactions = list(qs[:take])
        _hide_invisible_deals(user, interactions)
        streams.append([TimelineItem("interaction", i.kind, i.occurred_at, i) for i in interactions])

    if _wants(type_, "deal"):
        deals = visibility.visible_deals(user).filter(client=client).select_related("owner", "stage")
        opened = _before(deals, "created_at", before).order_by("-created_at", "-id")[:take]
        closed = _before(deals.filter(status__in=(Deal.Status.WON, Deal.Status.LOST), closed_at__isnull=False),
                         "closed_at", before).order_by("-closed_at", "-id")[:take]
        streams.append([TimelineItem("deal", "opened", d.created_at, d) for d in opened])
        streams.append([TimelineItem("deal", d.status, d.closed_at, d) for d in closed])

    if _wants(type_, "complaint"):
        complaints = visibility.visible_complaints(user).filter(client=client).select_related("assignee")
        registered = _before(complaints, "created_at", before).order_by("-created_at", "-id")[:take]
        closed = _before(complaints.filter(status__in=(Complaint.Status.RESOLVED, Complaint.Status.REJECTED),
                                           closed_at__isnull=False),
                         "closed_at", before).order_by("-closed_at", "-id")[:take]
        streams.append([TimelineItem("complaint", "registered", c.created_at, c) for c in registered])
        streams.append([TimelineItem("complaint", c.status, c.closed_at, c) for c in closed])

    if _wants(type_, "task"):
        tasks = visibility.visible_tasks(user).filter(client=client).annotate(
            timeline_at=Coalesce("completed_at", "due_at")).select_related("assignee")
        tasks = _before(tasks, "timeline_at", before).order_by("-timeline_at", "-id")[:take]
        streams.append([TimelineItem("task", t.status, t.timeline_at, t) for t in tasks])

    if _wants(type_, "audit"):
        entries = _before(_client_history(client, user).exclude(_audit_exclusions()), "created_at", before)
        streams.append([TimelineItem("audit", e.event, e.created_at, e) for e in entries[:take]])

    merged = sorted((item for stream in streams for item in stream), key=lambda item: item.sort_key, reverse=True)
    items = merged[:limit]
    older = items[-1].at if len(merged) > limit else None
    return Timeline(items=items, older=older, type=type_)
