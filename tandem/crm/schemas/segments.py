"""API shapes for segments and the segment comparison report. Criteria are an object checked by
crm.segments.validate_criteria (unknown keys and bad values refused as ``criteria.<key>``)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from tandem.core.schemas import BaseTotalOut, Id, InputSchema
from tandem.crm.models import Segment

CRITERIA_HELP = (
    "See crm.segments for the keys. Relative criteria are kept as numbers and counted back from the moment the "
    "segment is used: `no_interaction_days` and `created_within_days` (1..36500), `won_within_months` (1..1200)."
)


class SegmentIn(InputSchema):
    name: str = Field(..., max_length=200)
    kind: Segment.Kind = Segment.Kind.RULE
    criteria: dict[str, Any] = Field(default_factory=dict, description=CRITERIA_HELP)
    description: str = ""


class SegmentPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    kind: Segment.Kind | None = None
    criteria: dict[str, Any] | None = Field(None, description=CRITERIA_HELP)
    description: str | None = None


class SegmentOut(Schema):
    id: int
    name: str
    kind: str
    criteria: dict[str, Any]
    description: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class MembersIn(InputSchema):
    client_ids: list[Id] = Field(..., min_length=1, max_length=1000)


class MembersAddedOut(Schema):
    added: list[int]


class SegmentClientOut(Schema):
    id: int
    name: str
    status: str
    kind: str
    owner_id: int
    last_interaction_at: datetime.datetime | None
    won_deals: int
    won_amount: str = Field(..., description="Sum of won deals in `currency`, as a decimal string.")
    currency: str


class CurrencyTotalsOut(Schema):
    currency: str
    won_deals: int
    won_amount: str
    average_won_deal: str | None


class SegmentComparisonOut(Schema):
    segment_id: int
    name: str
    clients: int
    deals: int
    won_deals: int
    lost_deals: int
    conversion_rate: str | None = Field(..., description="Won / closed (won + lost) deals, percent, 2 places.")
    by_currency: list[CurrencyTotalsOut]
    won_base: BaseTotalOut
