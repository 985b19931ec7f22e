"""API shapes for CRM reference lists: lost reasons (changes) and complaint categories."""

from __future__ import annotations

from ninja import Field

from tandem.core.schemas import ArchiveOut, InputSchema


class LostReasonPatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class ComplaintCategoryOut(ArchiveOut):
    id: int
    name: str
    code: str = Field(description="The former fixed value (quality, delivery, …) or empty; accepted as input.")
    position: int


class ComplaintCategoryIn(InputSchema):
    name: str = Field(..., max_length=100)
    position: int | None = Field(None, ge=0, le=32767, description="Defaults to last.")


class ComplaintCategoryPatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    position: int | None = Field(None, ge=0, le=32767)
