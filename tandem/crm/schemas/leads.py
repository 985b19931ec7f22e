"""API shapes for leads (shape checks only; rules live in crm.services.leads)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import DecimalString, Id, InputSchema
from tandem.crm.models import Lead
from tandem.crm.schemas.attribution import Ref, ref


class LeadOut(Schema):
    id: int
    name: str
    company_name: str
    email: str
    phone: str
    status: str
    owner: Ref
    source: Ref | None
    campaign: Ref | None
    event: Ref | None
    notes: str
    disqualify_reason: str
    client: Ref | None
    deal: Ref | None
    actions: list[str] = Field(description="What the caller may do now: qualify, disqualify, reopen.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj):
        return {"id": obj.owner_id, "name": obj.owner.display_name}

    @staticmethod
    def resolve_source(obj):
        return ref(obj.source)

    @staticmethod
    def resolve_campaign(obj):
        return ref(obj.campaign)

    @staticmethod
    def resolve_event(obj):
        return ref(obj.event)

    @staticmethod
    def resolve_client(obj):
        return ref(obj.client)

    @staticmethod
    def resolve_deal(obj):
        return ref(obj.deal)

    @staticmethod
    def resolve_actions(obj):
        actions = []
        if obj.can_qualify():
            actions.append("qualify")
        if obj.can_disqualify():
            actions.append("disqualify")
        if Lead.Status.NEW in Lead.TRANSITIONS[obj.status]:
            actions.append("reopen")
        return actions


class LeadFilters(Schema):
    q: str = Field("", description="Name, company, email or phone contains.")
    status: Lead.Status | None = None
    owner_id: Id | None = None
    source_id: Id | None = None
    campaign_id: Id | None = None
    event_id: Id | None = None


class _LeadFields(InputSchema):
    company_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    owner_id: Id | None = None
    source_id: Id | None = None
    campaign_id: Id | None = None
    event_id: Id | None = None
    notes: str = ""


class LeadIn(_LeadFields):
    name: str = Field(min_length=1, max_length=200)


class LeadPatch(_LeadFields):
    name: str | None = Field(None, min_length=1, max_length=200)


class QualifyIn(InputSchema):
    client_id: Id | None = Field(None, description="Link this existing client.")
    create_client: bool = Field(False, description="Create a new client even if similar clients exist.")
    deal_title: str | None = Field(None, max_length=200)
    amount: DecimalString = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    pipeline_id: Id | None = None
    expected_close_date: limits.Date | None = None


class DisqualifyIn(InputSchema):
    reason: str = Field(max_length=2000)
