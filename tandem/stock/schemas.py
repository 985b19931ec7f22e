"""Shapes of the stock API: quantities as decimal strings, ids as integers, dates ISO 8601."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

from tandem.core import limits
from tandem.core.money import parse_decimal
from tandem.core.schemas import ArchivedFilter, ArchiveOut, DecimalString, Id, InputSchema


def _signed_in_range(value: Decimal | None) -> Decimal | None:
    if value is not None and limits.amount_problem(value, low=-limits.MAX_AMOUNT):
        raise ValueError(limits.amount_message())
    return value


SignedQuantity = Annotated[
    Decimal,
    BeforeValidator(parse_decimal),
    AfterValidator(_signed_in_range),
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["-2"],
                    "description": "Signed decimal as a string: + adds stock, − takes it away."}),
]
Quantity = Annotated[str, WithJsonSchema({"type": "string", "format": "decimal", "examples": ["12.5"]})]
MoveKind = Literal["receipt", "shipment", "transfer", "adjustment", "return", "cost_correction"]


# --- Warehouses and locations ------------------------------------------------------------------------------

class LocationOut(ArchiveOut):
    id: int
    warehouse_id: int
    code: str
    name: str
    kind: Literal["storage", "quarantine"]
    is_default: bool


class WarehouseOut(ArchiveOut):
    id: int
    company_id: int
    code: str
    name: str
    allow_negative: bool
    locations: list[LocationOut]


class WarehouseIn(InputSchema):
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=200)
    allow_negative: bool = False
    company_id: Id | None = Field(None, description="Our legal entity; the default one when left out.")


class WarehousePatch(InputSchema):
    code: str | None = Field(None, min_length=1, max_length=16)
    name: str | None = Field(None, min_length=1, max_length=200)
    allow_negative: bool | None = None


class LocationIn(InputSchema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field("", max_length=200)
    kind: Literal["storage", "quarantine"] = "storage"
    is_default: bool = False


class LocationPatch(InputSchema):
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, max_length=200)
    kind: Literal["storage", "quarantine"] | None = None
    is_default: bool | None = None


class WarehouseFilters(Schema):
    archived: ArchivedFilter = "false"


# --- Moves ------------------------------------------------------------------------------------------------

class MoveOriginOut(Schema):
    type: str = Field(description="The document's model, e.g. `sales.shipment`, `purchasing.purchaseorder`, "
                                  "`sales.customerreturn`, `production.productionorder`, `stock.stockcount`.")
    id: int
    label: str = Field(description="Its number (or a short label when it has none).")
    url: str | None = Field(description="Its page, when its module has one.")


class MoveOut(Schema):
    id: int
    kind: MoveKind
    product_id: int
    product_sku: str
    quantity: Quantity
    from_location_id: int | None
    to_location_id: int | None
    from_warehouse_id: int | None
    to_warehouse_id: int | None
    lot_id: int | None
    lot_code: str | None
    effective_date: datetime.date
    unit_cost: str | None
    reason: str
    created_at: datetime.datetime
    created_by_id: int | None
    origin: MoveOriginOut | None = Field(description="The document the move came from; null for manual moves "
                                                     "(receipts, transfers and adjustments entered by hand).")


class MoveFilters(Schema):
    product_id: Id | None = None
    warehouse_id: Id | None = None
    location_id: Id | None = None
    kind: MoveKind | None = None
    date_from: limits.Date | None = Field(None, description="Effective on or after this date.")
    date_to: limits.Date | None = Field(None, description="Effective on or before this date.")


class MoveLineIn(InputSchema):
    product_id: Id
    quantity: DecimalString = Field(description="Above zero, in the product's stock unit.")
    lot_id: Id | None = None
    lot_code: str | None = Field(None, max_length=64, description="A new or existing lot/serial of the product.")
    expiry_date: limits.Date | None = Field(None, description="Of a new lot.")
    unit_cost: DecimalString = Field(None, description="Receipts: cost per unit in the legal entity's currency.")


class ReceiptIn(InputSchema):
    to_location_id: Id
    effective_date: limits.Date | None = Field(None, description="Today when left out; may lie in the past.")
    reason: str = Field("", max_length=300)
    lines: list[MoveLineIn] = Field(min_length=1, max_length=500)


class TransferIn(InputSchema):
    from_location_id: Id
    to_location_id: Id
    effective_date: limits.Date | None = None
    reason: str = Field("", max_length=300)
    lines: list[MoveLineIn] = Field(min_length=1, max_length=500)


class AdjustmentIn(InputSchema):
    location_id: Id
    product_id: Id
    quantity: SignedQuantity = Field(description="+ found, − lost or broken.")
    lot_id: Id | None = None
    lot_code: str | None = Field(None, max_length=64)
    expiry_date: limits.Date | None = None
    reason: str = Field(min_length=1, max_length=300)
    effective_date: limits.Date | None = None


# --- Balances, lots, expected receipts ---------------------------------------------------------------------

class BalanceOut(Schema):
    product_id: int
    warehouse_id: int
    lot_id: int | None
    lot_code: str
    expiry_date: datetime.date | None
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    incoming: Quantity


class BalanceFilters(Schema):
    product_id: Id | None = None
    warehouse_id: Id | None = None
    by_lot: bool = Field(False, description="One row per lot (incoming is known per warehouse only).")


class LotOut(Schema):
    id: int
    product_id: int
    code: str
    expiry_date: datetime.date | None


class LotIn(InputSchema):
    product_id: Id
    code: str = Field(min_length=1, max_length=64)
    expiry_date: limits.Date | None = None


class LotFilters(Schema):
    product_id: Id | None = None
    q: str = Field("", max_length=64)


class ExpectedReceiptOut(Schema):
    id: int
    product_id: int
    warehouse_id: int
    expected_date: datetime.date
    quantity: Quantity
    note: str


class ExpectedReceiptIn(InputSchema):
    product_id: Id
    warehouse_id: Id
    expected_date: limits.Date
    quantity: DecimalString = Field(description="Above zero.")
    note: str = Field("", max_length=300)


class ClearIn(InputSchema):
    quantity: DecimalString = Field(None, description="What arrived or was called off; all when left out.")


# --- Counts -------------------------------------------------------------------------------------------------

class CountLineOut(Schema):
    id: int
    product_id: int
    product_sku: str
    location_id: int
    lot_id: int | None
    counted: Quantity
    on_hand: Quantity = Field(description="Now for a draft; at posting for a posted count.")
    variance: Quantity = Field(description="Counted − on hand.")


class CountOut(Schema):
    id: int
    warehouse_id: int
    count_date: datetime.date
    status: Literal["draft", "posted", "cancelled"]
    note: str
    actions: list[str]


class CountDetailOut(CountOut):
    lines: list[CountLineOut]


class CountIn(InputSchema):
    warehouse_id: Id
    count_date: limits.Date | None = None
    note: str = Field("", max_length=300)


class CountLineIn(InputSchema):
    product_id: Id
    location_id: Id
    lot_id: Id | None = None
    lot_code: str | None = Field(None, max_length=64)
    counted: DecimalString = Field(description="Zero or more.")


class CountFilters(Schema):
    warehouse_id: Id | None = None
    status: Literal["draft", "posted", "cancelled"] | None = None


class CountImportOut(Schema):
    lines: int


class StockHitOut(Schema):
    product_id: int
    sku: str
    name: str
    available: list[BalanceOut]
