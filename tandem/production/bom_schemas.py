"""Schemas of the BOM and work-centre API (names prefixed: WorkCentre…, Bom…)."""

from __future__ import annotations

import datetime
from decimal import ROUND_UP, Decimal

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import DecimalString, Id, InputSchema


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class BomProductRef(Schema):
    id: int
    sku: str
    name: str
    unit: str


def _product_ref(product) -> dict:
    return {"id": product.pk, "sku": product.sku, "name": product.name, "unit": product.unit.code}


class WorkCentreOut(Schema):
    id: int
    code: str
    name: str
    hourly_cost: str
    capacity_hours_per_week: str
    is_archived: bool
    version: int

    @staticmethod
    def resolve_hourly_cost(obj):
        return _number(obj.hourly_cost)

    @staticmethod
    def resolve_capacity_hours_per_week(obj):
        return _number(obj.capacity_hours_per_week)


class WorkCentreIn(InputSchema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=200)
    hourly_cost: DecimalString = Field(None, description="Per hour, in the base currency. Default 0.")
    capacity_hours_per_week: DecimalString = Field(None, description="Default 40.")


class WorkCentrePatch(InputSchema):
    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=200)
    hourly_cost: DecimalString = None
    capacity_hours_per_week: DecimalString = None
    version: int | None = Field(None, ge=1, description="The version you saw (or If-Match).")


class BomLineOut(Schema):
    id: int
    position: int
    component: BomProductRef
    quantity: str
    scrap_percent: str
    gross_quantity: str
    note: str

    @staticmethod
    def resolve_component(obj):
        return _product_ref(obj.component)

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_scrap_percent(obj):
        return _number(obj.scrap_percent)

    @staticmethod
    def resolve_gross_quantity(obj):
        return _number(obj.gross_quantity.quantize(Decimal("0.000001"), rounding=ROUND_UP))


class BomOperationOut(Schema):
    id: int
    sequence: int
    name: str
    work_centre: WorkCentreOut
    minutes_per_unit: str
    setup_minutes: str

    @staticmethod
    def resolve_minutes_per_unit(obj):
        return _number(obj.minutes_per_unit)

    @staticmethod
    def resolve_setup_minutes(obj):
        return _number(obj.setup_minutes)


class BomSummaryOut(Schema):
    id: int
    product: BomProductRef
    code: str
    quantity: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    is_archived: bool
    version: int

    @staticmethod
    def resolve_product(obj):
        return _product_ref(obj.product)

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)


class BomOut(BomSummaryOut):
    note: str
    editable: bool
    lines: list[BomLineOut]
    operations: list[BomOperationOut]

    @staticmethod
    def resolve_editable(obj):
        from tandem.production.bom_services import is_editable

        return is_editable(obj)

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("component__unit").order_by("position", "id"))

    @staticmethod
    def resolve_operations(obj):
        return list(obj.operations.select_related("work_centre").order_by("sequence", "id"))


class BomLineIn(InputSchema):
    component_id: Id
    quantity: DecimalString = Field(..., description="Per the BOM's quantity made; above zero.")
    scrap_percent: DecimalString = Field(None, description="0 to below 100; default 0.")
    note: str = Field("", max_length=300)
    position: int | None = Field(None, ge=1, le=2**31 - 1)


class BomLinePatch(InputSchema):
    component_id: Id | None = None
    quantity: DecimalString = None
    scrap_percent: DecimalString = None
    note: str | None = Field(None, max_length=300)
    position: int | None = Field(None, ge=1, le=2**31 - 1)
    version: int | None = Field(None, ge=1)


class BomOperationIn(InputSchema):
    name: str = Field(..., max_length=200)
    work_centre_id: Id
    minutes_per_unit: DecimalString = None
    setup_minutes: DecimalString = None
    sequence: int | None = Field(None, ge=1, le=2**31 - 1)


class BomOperationPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    work_centre_id: Id | None = None
    minutes_per_unit: DecimalString = None
    setup_minutes: DecimalString = None
    sequence: int | None = Field(None, ge=1, le=2**31 - 1)
    version: int | None = Field(None, ge=1)


class BomIn(InputSchema):
    product_id: Id
    code: str = Field(..., max_length=32)
    quantity: DecimalString = Field(None, description="Quantity one run makes; default 1.")
    valid_from: limits.Date
    valid_to: limits.Date | None = None
    note: str = Field("", max_length=2000)
    copy_from_id: Id | None = Field(None, description="Start from this version's lines and operations.")
    lines: list[BomLineIn] = Field(default_factory=list, max_length=500)
    operations: list[BomOperationIn] = Field(default_factory=list, max_length=200)


class BomPatch(InputSchema):
    code: str | None = Field(None, max_length=32)
    quantity: DecimalString = None
    valid_from: limits.Date | None = None
    valid_to: limits.Date | None = None
    note: str | None = Field(None, max_length=2000)
    version: int | None = Field(None, ge=1)


class BomExplosionRowOut(Schema):
    level: int
    path: list[int]
    product: BomProductRef
    bom_id: int | None = Field(None, description="The component's own BOM in force (made); null: bought.")
    line_quantity: str
    scrap_percent: str
    quantity: str = Field(..., description="For the whole quantity, scrap of every level included (4 places, "
                                           "rounded up).")
    unit_cost: str | None
    cost: str | None


class BomExplosionOperationOut(Schema):
    level: int
    product: BomProductRef
    name: str
    work_centre: str
    minutes: str
    cost: str | None


class BomExplosionOut(Schema):
    product: BomProductRef
    bom_id: int | None
    quantity: str
    date: datetime.date
    currency: str
    levels: int
    material_cost: str | None
    operation_cost: str | None
    total_cost: str | None
    unit_cost: str | None
    missing_costs: list[BomProductRef]
    rows: list[BomExplosionRowOut]
    operations: list[BomExplosionOperationOut]


class BomWhereUsedOut(Schema):
    level: int
    bom: BomSummaryOut
    via: BomProductRef
    quantity: str

    @staticmethod
    def resolve_via(obj):
        return _product_ref(obj.via)

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.line.quantity)
