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
    category: str
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


class ComplaintIn(InputSchema):
    client_id: Id
    category: Complaint.Category
    severity: Complaint.Severity = Complaint.Severity.MEDIUM
    description: str
    deal_id: Id | None = None
    assignee_id: Id | None = Field(None, description="Defaults to the caller.")
    deadline: limits.DateTime | None = Field(None, description="Defaults to the severity's deadline.")


class ComplaintPatch(InputSchema):
    category: Complaint.Category | None = None
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
    overdue: bool = False
