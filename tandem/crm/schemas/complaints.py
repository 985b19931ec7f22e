"""API shapes for complaints (shape only; rules in crm.services.complaints)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import Id, InputSchema
from tandem.crm.models import Complaint


class ComplaintOut(Schema):
    id: int
    client_id: int
    deal_id: int | None
    category: int = Field(description="The complaint category's id (see /crm/complaint-categories).")
    category_name: str
    severity: str
    description: str
    assignee_id: int
    deadline: datetime.datetime
    status: str
    resolution: str
    closed_at: datetime.datetime | None
    overdue: bool
    actions: list[str] = Field(description="What may be done next: start, resolve, reject, reopen.")
    created_at: datetime.datetime
    created_by_id: int | None

    @staticmethod
    def resolve_category(obj) -> int:
        return obj.category_id

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name


class ComplaintIn(InputSchema):
    client_id: Id
    category: Id | str = Field(description="A complaint category's id, or its code (e.g. \"quality\").")
    severity: Complaint.Severity = Complaint.Severity.MEDIUM
    description: str
    deal_id: Id | None = None
    assignee_id: Id | None = Field(None, description="Defaults to the caller.")
    deadline: limits.DateTime | None = Field(None, description="Defaults to the severity's deadline.")


class ComplaintPatch(InputSchema):
    category: Id | str | None = Field(None, description="A complaint category's id, or its code.")
    severity: Complaint.Severity | None = None
    description: str | None = None
    deal_id: Id | None = Field(None, description="null unlinks the deal.")
    assignee_id: Id | None = None
    deadline: limits.DateTime | None = None


class ResolutionIn(InputSchema):
    resolution: str = ""


class ComplaintFilters(Schema):
    status: Complaint.Status | None = None
    severity: Complaint.Severity | None = None
    assignee_id: Id | None = None
    client_id: Id | None = None
    category_id: Id | None = None
    overdue: bool = False
