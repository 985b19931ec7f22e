"""Reads of leads shared by the web UI and the API: filters over the record rule (crm.queries.visibility)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tandem.crm.models import Lead
from tandem.crm.queries.visibility import visible_leads
from tandem.parties.phones import phone_digits


def filter_leads(
    qs: QuerySet[Lead],
    *,
    q: str = "",
    status: str = "",
    owner_id: int | None = None,
    source_id: int | None = None,
    campaign_id: int | None = None,
    event_id: int | None = None,
) -> QuerySet[Lead]:
    q = (q or "").strip()
    if q:
        cond = Q(name__icontains=q) | Q(company_name__icontains=q) | Q(email__iexact=q)
        digits = phone_digits(q)
        if len(digits) >= 5:
            cond |= Q(phone__contains=digits)
        qs = qs.filter(cond)
    if status:
        qs = qs.filter(status=status)
    for field, value in (("owner_id", owner_id), ("source_id", source_id), ("campaign_id", campaign_id),
                         ("event_id", event_id)):
        if value:
            qs = qs.filter(**{field: value})
    return qs.select_related("owner", "source", "campaign", "event", "client", "deal__contact").order_by(
        "-created_at", "-id")


def visible_lead_list(user, **filters) -> QuerySet[Lead]:
    return filter_leads(visible_leads(user), **filters)
