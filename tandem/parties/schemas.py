"""API shapes for clients, counterparties, contacts, sources and tags. Shape checks only: business
rules (duplicates, periods, phone numbers, owners) are enforced by parties.services."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.audit_render import action_text, change_rows, render_entry
from tandem.core.schemas import ArchivedFilter, ArchiveOut, Id, InputSchema
from tandem.parties.models import Client, Source
from tandem.parties.queries import CLIENT_SORTS

ClientSort = Literal[tuple(CLIENT_SORTS)]  # type: ignore[valid-type]



class UserRef(Schema):
    id: int
    name: str


class SourceRef(Schema):
    id: int
    name: str


# --- Sources and tags -------------------------------------------------------------------------------

class SourceOut(ArchiveOut):
    id: int
    name: str
    channel: str
    is_active: bool = Field(description="Offered for new records: the opposite of is_archived.")


class SourceIn(InputSchema):
    name: str
    channel: Source.Channel = Source.Channel.OTHER


class SourcePatch(InputSchema):
    name: str | None = None
    channel: Source.Channel | None = None


class TagOut(Schema):
    id: int
    name: str


class TagPatch(InputSchema):
    name: str


# --- Counterparties ---------------------------------------------------------------------------------

class CounterpartySummary(Schema):
    id: int
    legal_name: str
    tax_id: str
    valid_from: datetime.date
    valid_to: datetime.date | None


class BankAccountOut(Schema):
    id: int
    bank_name: str
    account_number: str
    bic: str
    currency: str


class BankAccountIn(InputSchema):
    bank_name: str
    account_number: str
    bic: str = ""
    currency: str = "EUR"


class CounterpartyOut(ArchiveOut):
    id: int
    client_id: int
    legal_name: str
    tax_id: str
    registration_number: str
    legal_address: str
    postal_address: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    is_current: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_is_current(obj) -> bool:
        return obj.is_current()


class CounterpartyIn(InputSchema):
    legal_name: str
    valid_from: limits.Date
    valid_to: limits.Date | None = None
    tax_id: str = ""
    registration_number: str = ""
    legal_address: str = ""
    postal_address: str = ""
    allow_duplicates: bool = False


class CounterpartyPatch(InputSchema):
    legal_name: str | None = None
    valid_from: limits.Date | None = None
    valid_to: limits.Date | None = None
    tax_id: str | None = None
    registration_number: str | None = None
    legal_address: str | None = None
    postal_address: str | None = None
    allow_duplicates: bool = False


# --- Contacts ---------------------------------------------------------------------------------------

class ContactOut(ArchiveOut):
    id: int
    client_id: int
    client_name: str
    full_name: str
    first_name: str
    last_name: str
    position: str
    email: str
    alternate_email: str
    phone: str
    mobile_phone: str
    messengers: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_client_name(obj) -> str:
        return obj.client.name


class ContactIn(InputSchema):
    first_name: str
    last_name: str = ""
    position: str = ""
    email: str = ""
    alternate_email: str = ""
    phone: str = ""
    mobile_phone: str = ""
    messengers: str = ""
    allow_duplicates: bool = False


class ContactPatch(InputSchema):
    first_name: str | None = None
    last_name: str | None = None
    position: str | None = None
    email: str | None = None
    alternate_email: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    messengers: str | None = None
    allow_duplicates: bool = False


class ContactFilters(Schema):
    q: str = ""
    client_id: Id | None = None
    archived: ArchivedFilter = "false"


# --- Clients ----------------------------------------------------------------------------------------

class ClientOut(ArchiveOut):
    id: int
    name: str
    kind: str
    status: str
    owner: UserRef
    tags: list[str]
    first_source: SourceRef | None
    current_counterparty: CounterpartySummary | None
    email: str
    phone: str
    website: str
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Counts changes; send it back (or the ETag in If-Match) when changing the "
                                     "client, and a change someone saved since is refused with 409 `stale`.")

    @staticmethod
    def resolve_owner(obj) -> dict:
        return {"id": obj.owner_id, "name": obj.owner.display_name}

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return sorted(t.name for t in obj.tags.all())

    @staticmethod
    def resolve_current_counterparty(obj):
        # Lists prefetch today's counterparties into `current_counterparties` (see parties.api).
        prefetched = getattr(obj, "current_counterparties", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return obj.current_counterparty()


class ClientIn(InputSchema):
    name: str
    kind: Client.Kind = Client.Kind.B2B
    status: Client.Status = Client.Status.PROSPECT
    owner_id: Id | None = Field(None, description="Defaults to the current user.")
    first_source_id: Id | None = None
    email: str = ""
    phone: str = Field("", description="International format, e.g. +49 30 123456, or local to the default legal "
                       "entity's country; stored as E.164.")
    website: str = ""
    notes: str = ""
    tags: list[str] = []
    allow_duplicates: bool = Field(False, description="Save even if the email or phone is already on file.")


class ClientPatch(InputSchema):
    name: str | None = None
    kind: Client.Kind | None = None
    status: Client.Status | None = None
    owner_id: Id | None = None
    first_source_id: Id | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    allow_duplicates: bool = False
    version: int | None = Field(None, ge=1, description="The version you saw (as in GET); omitted: no check.")


class ClientFilters(Schema):
    q: str = ""
    status: Client.Status | None = None
    kind: Client.Kind | None = None
    owner_id: Id | None = None
    tag: str = ""
    source_id: Id | None = None
    sort: ClientSort = "name"
    archived: ArchivedFilter = Field("false", description='"true": archived clients only; "all": both.')


# --- History and search -----------------------------------------------------------------------------

class ChangeOut(Schema):
    field: str
    label: str
    old: str | None = Field(description="The value before, in words; null when the entry records a value.")
    new: str


class HistoryEntryOut(Schema):
    id: int
    created_at: datetime.datetime
    actor: UserRef | None
    action: str
    event: str
    object_repr: str
    changes: dict = Field(description="Raw data: {field: [old, new]} for changes, {field: value} for snapshots.")
    action_label: str = Field(description="The action in words, in the request's language.")
    summary: str = Field(description='Who did what, e.g. "Anna Smith changed the client".')
    changes_display: list[ChangeOut] = Field(description="The changes in words: labels and formatted values.")

    @staticmethod
    def resolve_actor(obj):
        return {"id": obj.actor_id, "name": obj.actor.display_name} if obj.actor_id else None

    @staticmethod
    def resolve_action_label(obj):
        return action_text(obj.action)

    @staticmethod
    def resolve_summary(obj):
        return render_entry(obj).summary

    @staticmethod
    def resolve_changes_display(obj):
        return [{"field": r.key, "label": r.label, "old": r.old, "new": r.new} for r in change_rows(obj)]


class SearchHitOut(Schema):
    kind: Literal["client", "counterparty", "contact"]
    id: int
    client_id: int
    title: str
    detail: str
