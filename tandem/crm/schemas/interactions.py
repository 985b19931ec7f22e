"""API shapes for interactions and the client timeline (shape only; rules in crm.services.interactions)."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import Id, InputSchema
from tandem.crm.models import Interaction
from tandem.crm.queries.timeline import DEFAULT_LIMIT, MAX_LIMIT, TYPES

TimelineType = Literal[tuple(TYPES)]  # type: ignore[valid-type]
KindFilter = Literal[(*Interaction.Kind.values, "call")]  # type: ignore[valid-type]


class Ref(Schema):
    id: int
    name: str


class InteractionOut(Schema):
    id: int
    client_id: int
    kind: str
    occurred_at: datetime.datetime
    subject: str
    text: str
    contact_id: int | None
    counterparty_id: int | None
    deal_id: int | None
    duration_minutes: int | None
    outcome: str
    place: str
    attendees: str
    source_id: int | None
    author_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_author_id(obj) -> int | None:
        return obj.created_by_id


class InteractionIn(InputSchema):
    client_id: Id
    kind: Interaction.Kind
    occurred_at: limits.DateTime | None = None
    subject: str = ""
    text: str = ""
    contact_id: Id | None = None
    counterparty_id: Id | None = None
    deal_id: Id | None = None
    duration_minutes: limits.DurationMinutes | None = None
    outcome: Interaction.Outcome | Literal[""] = ""
    place: str = Field("", description="Meetings only: where.")
    attendees: str = Field("", description="Meetings only: who took part.")
    source_id: Id | None = None


class InteractionPatch(InputSchema):
    kind: Interaction.Kind | None = None
    occurred_at: limits.DateTime | None = None
    subject: str | None = None
    text: str | None = None
    contact_id: Id | None = None
    counterparty_id: Id | None = None
    deal_id: Id | None = None
    duration_minutes: limits.DurationMinutes | None = None
    outcome: Interaction.Outcome | Literal[""] | None = None
    place: str | None = Field(None, description="Meetings only: where.")
    attendees: str | None = Field(None, description="Meetings only: who took part.")
    source_id: Id | None = None


class InteractionFilters(Schema):
    client_id: Id | None = None
    deal_id: Id | None = Field(None, description="Logged about this deal.")
    kind: KindFilter | None = Field(None, description="An interaction type, or 'call' for both call types.")
    created_by_id: Id | None = Field(None, description="Logged by this user.")
    occurred_from: datetime.date | None = Field(None, description="On or after this day.")
    occurred_to: datetime.date | None = Field(None, description="On or before this day.")


class TimelineParams(Schema):
    type: TimelineType | None = Field(None, description="Show only this type of item.")
    before: limits.DateTime | None = Field(None, description="Items older than this (the `older` cursor).")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class TimelineItemOut(Schema):
    kind: str
    event: str
    at: datetime.datetime
    object_id: int
    title: str
    text: str
    actor: str | None


class TimelineOut(Schema):
    items: list[TimelineItemOut]
    older: datetime.datetime | None = Field(None, description="Pass as `before` for the next, older page.")
