"""Schemas of the production order API (names prefixed ProductionOrder… so the OpenAPI document keeps them apart)."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema

from tandem.core.schemas import DecimalString, Id, InputSchema
from tandem.production.models import ProductionOrder

ORDER_ACTIONS = ("confirm", "unconfirm", "start", "finish", "cancel")


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class ProductionOrderRef(Schema):
    id: int
    name: str


class ProductionOrderComponentOut(Schema):
    id: int
    product: ProductionOrderRef
    required_quantity: str
    consumed_quantity: str
    consumed_value: str
    standard_unit_cost: str

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_required_quantity(obj):
        return _number(obj.required_quantity)

    @staticmethod
    def resolve_consumed_quantity(obj):
        return _number(obj.consumed_quantity)

    @staticmethod
    def resolve_consumed_value(obj):
        return _number(obj.consumed_value)

    @staticmethod
    def resolve_standard_unit_cost(obj):
        return _number(obj.standard_unit_cost)


class ProductionOrderOperationOut(Schema):
    id: int
    sequence: int
    name: str
    work_centre: ProductionOrderRef
    planned_minutes: str
    actual_minutes: str
    hourly_cost: str

    @staticmethod
    def resolve_work_centre(obj):
        return {"id": obj.work_centre_id, "name": f"{obj.work_centre.code} {obj.work_centre.name}"}

    @staticmethod
    def resolve_planned_minutes(obj):
        return _number(obj.planned_minutes)

    @staticmethod
    def resolve_actual_minutes(obj):
        return _number(obj.actual_minutes)

    @staticmethod
    def resolve_hourly_cost(obj):
        return _number(obj.hourly_cost)


class ProductionOrderOutputOut(Schema):
    id: int
    kind: str
    product_id: int
    quantity: str
    lot: str | None
    unit_cost: str
    value: str
    effective_date: datetime.date

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_lot(obj):
        return obj.lot.code if obj.lot_id else None

    @staticmethod
    def resolve_unit_cost(obj):
        return _number(obj.unit_cost)

    @staticmethod
    def resolve_value(obj):
        return _number(obj.value)


class ProductionOrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    product: ProductionOrderRef
    warehouse_id: int
    bom_id: int
    quantity: str
    produced_quantity: str
    planned_start: datetime.date
    planned_end: datetime.date | None
    version: int

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_produced_quantity(obj):
        return _number(obj.produced_quantity)


class ProductionOrderOut(ProductionOrderSummaryOut):
    scrapped_quantity: str
    standard_cost: str
    material_cost: str
    operation_cost: str
    actual_cost: str
    output_value: str
    written_off: str
    work_in_progress: str
    variance: str
    note: str
    actions: list[str] = Field(description="What the order's status allows next.")
    components: list[ProductionOrderComponentOut]
    operations: list[ProductionOrderOperationOut]
    outputs: list[ProductionOrderOutputOut]

    @staticmethod
    def resolve_scrapped_quantity(obj):
        return _number(obj.scrapped_quantity)

    @staticmethod
    def resolve_standard_cost(obj):
        return _number(obj.standard_cost)

    @staticmethod
    def resolve_material_cost(obj):
        return _number(obj.material_cost)

    @staticmethod
    def resolve_operation_cost(obj):
        return _number(obj.operation_cost)

    @staticmethod
    def resolve_actual_cost(obj):
        return _number(obj.actual_cost)

    @staticmethod
    def resolve_output_value(obj):
        return _number(obj.output_value)

    @staticmethod
    def resolve_written_off(obj):
        return _number(obj.written_off)

    @staticmethod
    def resolve_work_in_progress(obj):
        return _number(obj.work_in_progress)

    @staticmethod
    def resolve_variance(obj):
        return _number(obj.variance)

    @staticmethod
    def resolve_actions(obj):
        return [name for name in ORDER_ACTIONS if getattr(obj, f"can_{name}")()]

    @staticmethod
    def resolve_components(obj):
        return list(obj.components.select_related("product").order_by("position", "id"))

    @staticmethod
    def resolve_operations(obj):
        return list(obj.operations.select_related("work_centre").order_by("sequence", "id"))

    @staticmethod
    def resolve_outputs(obj):
        return list(obj.outputs.select_related("lot").order_by("id"))


class ProductionOrderIn(InputSchema):
    product_id: Id
    quantity: DecimalString
    planned_start: datetime.date | None = None
    planned_end: datetime.date | None = None
    bom_id: Id | None = Field(None, description="Default: the product's BOM in force on the planned start.")
    warehouse_id: Id | None = Field(None, description="Default: the first warehouse.")
    note: str = Field("", max_length=5000)


class ProductionOrderStepIn(InputSchema):
    version: int | None = Field(None, ge=1, description="The version you saw; omitted: no check.")
    date: datetime.date | None = Field(None, description="Effective date of stock moves and postings (today).")


class ProductionOrderConsumeLineIn(InputSchema):
    component_id: Id
    quantity: DecimalString
    lot_id: Id | None = Field(None, description="Required for lot- and serial-tracked components.")
    serial_ids: list[Id] = Field(default_factory=list, max_length=500,
                                 description="Serial-tracked components: several serials (lots) at once, as many "
                                             "as the quantity, one unit each (instead of `lot_id`).")
    location_id: Id | None = Field(None, description="Default: the warehouse's default location.")


class ProductionOrderConsumeIn(ProductionOrderStepIn):
    lines: list[ProductionOrderConsumeLineIn] = Field(..., min_length=1, max_length=500)


class ProductionOrderTimeIn(ProductionOrderStepIn):
    operation_id: Id
    minutes: DecimalString


class ProductionOrderByProductIn(InputSchema):
    product_id: Id
    quantity: DecimalString
    unit_cost: DecimalString | None = None
    lot_code: str = Field("", max_length=64)


class ProductionOrderProduceIn(ProductionOrderStepIn):
    quantity: DecimalString
    scrap: DecimalString | None = None
    lot_code: str = Field("", max_length=64, description="New lot of a lot-tracked product (default: generated).")
    serials: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=1000,
                               description="Serial-tracked product: one new serial number per unit produced, as many "
                                           "as the quantity, none repeated or existing (default: generated).")
    location_id: Id | None = None
    by_products: list[ProductionOrderByProductIn] = Field(default_factory=list, max_length=50)


class ProductionOrderFilters(Schema):
    status: ProductionOrder.Status | None = None
    product_id: Id | None = None


class ProductionLoadCellOut(Schema):
    week: str
    hours: str
    over: bool


class ProductionLoadRowOut(Schema):
    work_centre: ProductionOrderRef
    capacity_hours_per_week: str
    weeks: list[ProductionLoadCellOut]
