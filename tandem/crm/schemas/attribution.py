"""API shapes for campaigns, marketing events, attendees and the attribution report (shape checks only;
rules live in crm.services.attribution). Amounts travel as strings."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import (
    ArchiveOut,
    BaseTotalOut,
    DecimalString,
    Id,
    InputSchema,
    MoneyOut,
    money_list,
    money_text,
)
from tandem.crm.models import MarketingEvent


class Ref(Schema):
    id: int
    name: str


def ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


# --- Campaigns --------------------------------------------------------------------------------------

class CampaignOut(ArchiveOut):
    id: int
    name: str
    source: Ref | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    cost: str = Field(description="Decimal as a string.")
    currency: str
    is_active: bool

    @staticmethod
    def resolve_source(obj):
        return ref(obj.source)

    @staticmethod
    def resolve_cost(obj):
        return money_text(obj.cost, obj.currency)


class _CampaignFields(InputSchema):
    source_id: Id | None = None
    starts_on: limits.Date | None = None
    ends_on: limits.Date | None = None
    cost: DecimalString = None
    currency: str | None = Field(None, min_length=3, max_length=3)


class CampaignIn(_CampaignFields):
    name: str = Field(min_length=1, max_length=200)


class CampaignPatch(_CampaignFields):
    name: str | None = Field(None, min_length=1, max_length=200)


# --- Events -----------------------------------------------------------------------------------------

class AttendeeOut(Schema):
    id: int
    client: Ref | None
    lead: Ref | None
    contact: Ref | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_client(obj):
        return ref(obj.client)

    @staticmethod
    def resolve_lead(obj):
        return ref(obj.lead)

    @staticmethod
    def resolve_contact(obj):
        return None if obj.contact is None else {"id": obj.contact.pk, "name": obj.contact.full_name}


class EventOut(Schema):
    id: int
    name: str
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    location: str
    cost: str
    currency: str
    responsible: Ref | None
    campaign: Ref | None
    source: Ref | None
    attendee_count: int

    @staticmethod
    def resolve_cost(obj):
        return money_text(obj.cost, obj.currency)

    @staticmethod
    def resolve_responsible(obj):
        return None if obj.responsible is None else {"id": obj.responsible.pk, "name": obj.responsible.display_name}

    @staticmethod
    def resolve_campaign(obj):
        return ref(obj.campaign)

    @staticmethod
    def resolve_source(obj):
        return ref(obj.source)

    @staticmethod
    def resolve_attendee_count(obj):
        count = getattr(obj, "attendee_count", None)
        return obj.attendees.count() if count is None else count


class _EventFields(InputSchema):
    kind: MarketingEvent.Kind = MarketingEvent.Kind.EXHIBITION
    ends_on: limits.Date | None = None
    location: str = Field("", max_length=200)
    cost: DecimalString = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    responsible_id: Id | None = None
    campaign_id: Id | None = None
    source_id: Id | None = None


class EventIn(_EventFields):
    name: str = Field(min_length=1, max_length=200)
    starts_on: limits.Date


class EventPatch(_EventFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    starts_on: limits.Date | None = None


class EventFilters(Schema):
    q: str = ""
    kind: MarketingEvent.Kind | None = None
    campaign_id: Id | None = None


class AttendeeIn(InputSchema):
    client_id: Id | None = None
    lead_id: Id | None = None
    contact_id: Id | None = None


# --- Report -----------------------------------------------------------------------------------------

class AttributionFilters(Schema):
    group: Literal["source", "campaign", "event"] = "source"
    date_from: limits.Date | None = Field(None, alias="from")
    date_to: limits.Date | None = Field(None, alias="to")


class AttributionRowOut(Schema):
    id: int | None = Field(description="The source, campaign or event; null for leads and deals without one.")
    name: str
    leads: int
    deals: int
    won_deals: int
    won_amount: list[MoneyOut]
    won_base: BaseTotalOut
    cost: list[MoneyOut]
    cost_base: BaseTotalOut = Field(description="The cost in the base currency.")
    cost_per_lead: list[MoneyOut]
    cost_per_won_deal: list[MoneyOut]

    @staticmethod
    def resolve_id(obj):
        return obj.key

    @staticmethod
    def resolve_won_amount(obj):
        return money_list(obj.won_amounts)

    @staticmethod
    def resolve_cost(obj):
        return money_list(obj.costs)

    @staticmethod
    def resolve_cost_base(obj):
        return obj.costs_base

    @staticmethod
    def resolve_cost_per_lead(obj):
        return money_list(obj.cost_per_lead)

    @staticmethod
    def resolve_cost_per_won_deal(obj):
        return money_list(obj.cost_per_won_deal)


class AttributionReportOut(Schema):
    group: str
    date_from: datetime.date | None = Field(serialization_alias="from")
    date_to: datetime.date | None = Field(serialization_alias="to")
    rows: list[AttributionRowOut]
