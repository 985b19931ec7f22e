"""API shapes of stock valuation (amounts and quantities are decimal strings)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import DecimalString, Id, InputSchema, money_text


class ValuationFilters(Schema):
    warehouse: Id = Field(description="The warehouse whose stock is valued.")
    date: limits.Date | None = Field(None, description="End of this day; default: today.")
    product: Id | None = Field(None, description="Only this product.")


class ProductRef(Schema):
    id: int
    sku: str
    name: str


class ValuationLineOut(Schema):
    product: ProductRef
    quantity: str
    value: str = Field(description="In the legal entity's base currency, rounded to its minor unit.")
    unit_cost: str = Field(description="Moving average (or, under FIFO, the last receipt's unit cost), 6 places.")


class ValuationOut(Schema):
    warehouse: ProductRef = Field(description="id, code (as sku) and name of the warehouse.")
    date: datetime.date
    currency: str
    method: str = Field(description="average or fifo, the legal entity's valuation method.")
    total_value: str
    items: list[ValuationLineOut]


class RevaluationFilters(Schema):
    warehouse: Id | None = None
    date_from: limits.Date | None = Field(None, alias="from")
    date_to: limits.Date | None = Field(None, alias="to")


class RevaluationOut(Schema):
    id: int
    move_id: int
    kind: str
    product_id: int
    warehouse_id: int
    company_id: int
    effective_date: datetime.date = Field(description="The period the difference belongs to.")
    old_value: str
    new_value: str
    difference: str
    cause_move_id: int | None
    cause_correction_id: int | None
    currency: str = Field(description="The legal entity's base currency, which the values are in.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_currency(obj) -> str:
        return obj.company.base_currency

    @staticmethod
    def resolve_old_value(obj) -> str:
        return money_text(obj.old_value, obj.company.base_currency)

    @staticmethod
    def resolve_new_value(obj) -> str:
        return money_text(obj.new_value, obj.company.base_currency)

    @staticmethod
    def resolve_difference(obj) -> str:
        return money_text(obj.difference, obj.company.base_currency)


class CostCorrectionIn(InputSchema):
    move_id: Id = Field(description="The receipt (or positive adjustment) whose unit cost was wrong.")
    unit_cost: DecimalString = Field(..., description="The right cost per unit, in the legal entity's currency.")
    effective_date: limits.Date | None = Field(None, description="Of the correction; today when left out.")
    reason: str = Field("", max_length=300, description="Why, e.g. the supplier's invoice number.")


class CostCorrectionOut(Schema):
    id: int
    move_id: int
    effective_date: datetime.date
    old_unit_cost: str
    new_unit_cost: str
    reason: str
