"""Schemas of the landed-cost API (/api/v1/purchasing/landed-costs)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core.schemas import DecimalString, Id, InputSchema
from tandem.purchasing.models import LandedCost

LANDED_COST_ACTIONS = ("edit", "allocate", "cancel")


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class LandedCostReceiptOut(Schema):
    move_id: int
    order_id: int | None = None
    order_number: str | None = None
    product_id: int
    sku: str
    date: datetime.date
    quantity: str
    receipt_value: str | None = Field(None, description="The receipt's value now, in our base currency.")
    basis: str | None = Field(None, description="What the share was allocated by (value, quantity or weight).")
    amount: str | None = Field(None, description="The share, in the landed cost's currency.")
    base_amount: str | None = Field(None, description="The share, in our base currency.")
    unit_cost_before: str | None = None
    unit_cost_after: str | None = None


class LandedCostSummaryOut(Schema):
    id: int
    number: str
    company_id: int
    status: str
    kind: str
    date: datetime.date
    amount: str
    currency: str
    exchange_rate: str
    base_amount: str
    base_currency: str
    supplier_id: int | None
    method: str
    reference: str
    note: str
    version: int


class LandedCostOut(LandedCostSummaryOut):
    actions: list[str] = Field(description="What the landed cost's status allows next.")
    receipts: list[LandedCostReceiptOut]


class LandedCostIn(InputSchema):
    company_id: Id | None = Field(None, description="Default: our default legal entity.")
    kind: LandedCost.Kind = LandedCost.Kind.FREIGHT
    date: datetime.date | None = Field(None, description="Default: today. The exchange rate is the date's.")
    amount: DecimalString = Field(..., description="Above zero, in `currency`.")
    currency: str = Field("", max_length=3, description="Default: the supplier's, else our base currency.")
    supplier_id: Id | None = Field(None, description="The service supplier billing it (carrier, broker).")
    method: LandedCost.Method = LandedCost.Method.VALUE
    reference: str = Field("", max_length=100)
    note: str = Field("", max_length=5000)
    order_ids: list[Id] = Field(default_factory=list, max_length=200, description="All receipts of these orders.")
    receipt_ids: list[Id] = Field(default_factory=list, max_length=500, description="Receipt stock moves.")


class LandedCostPatch(InputSchema):
    kind: LandedCost.Kind | None = None
    date: datetime.date | None = None
    amount: DecimalString | None = None
    currency: str | None = Field(None, max_length=3)
    supplier_id: Id | None = None
    method: LandedCost.Method | None = None
    reference: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=5000)
    order_ids: list[Id] | None = Field(None, max_length=200, description="Adds the receipts of these orders.")
    receipt_ids: list[Id] | None = Field(None, max_length=500,
                                         description="Replaces the receipts named one by one.")
    version: int | None = Field(None, ge=1, description="The version you saw (or send If-Match).")


class LandedCostStepIn(InputSchema):
    version: int | None = Field(None, ge=1, description="The version you saw; omitted: no check.")


class LandedCostFilters(Schema):
    status: LandedCost.Status | None = None
    order_id: Id | None = Field(None, description="Landed costs concerning receipts of this purchase order.")
