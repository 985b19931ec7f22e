"""django-ninja shapes of planning (names prefixed Planning: the OpenAPI document needs them unique)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core.schemas import DecimalString, Id, InputSchema


def _plain(value) -> str:
    """A quantity without trailing zeros and never in exponent notation: "10", "2.5"."""
    return f"{value.normalize():f}"


class PlanningRef(Schema):
    id: int
    name: str


class PlanningPeggingOut(Schema):
    kind: str
    quantity: str
    need_date: datetime.date
    sales_order_line: int | None = None
    sales_order: str | None = None
    production_order: str | None = None
    parent_proposal: int | None = None

    @staticmethod
    def resolve_quantity(obj):
        return _plain(obj.quantity)

    @staticmethod
    def resolve_sales_order_line(obj):
        return obj.sales_line_id

    @staticmethod
    def resolve_sales_order(obj):
        return obj.sales_line.order.number if obj.sales_line_id else None

    @staticmethod
    def resolve_production_order(obj):
        return obj.production_order.number if obj.production_order_id else None

    @staticmethod
    def resolve_parent_proposal(obj):
        return obj.parent_id


class PlanningProposalOut(Schema):
    id: int
    run: int
    kind: str
    status: str
    product: PlanningRef
    warehouse: PlanningRef
    level: int
    quantity: str
    net_quantity: str
    need_date: datetime.date
    start_date: datetime.date
    is_late: bool
    supplier: PlanningRef | None = None
    currency: str
    unit_price: str | None = None
    purchase_order: PlanningRef | None = None
    production_order: PlanningRef | None = None
    pegging: list[PlanningPeggingOut]

    @staticmethod
    def resolve_run(obj):
        return obj.run_id

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_warehouse(obj):
        return {"id": obj.warehouse_id, "name": obj.warehouse.code}

    @staticmethod
    def resolve_quantity(obj):
        return _plain(obj.quantity)

    @staticmethod
    def resolve_net_quantity(obj):
        return _plain(obj.net_quantity)

    @staticmethod
    def resolve_supplier(obj):
        return {"id": obj.supplier_id, "name": obj.supplier.counterparty.legal_name} if obj.supplier_id else None

    @staticmethod
    def resolve_unit_price(obj):
        return _plain(obj.unit_price) if obj.unit_price is not None else None

    @staticmethod
    def resolve_purchase_order(obj):
        order = obj.purchase_order
        return {"id": order.pk, "name": order.number} if order else None

    @staticmethod
    def resolve_production_order(obj):
        order = obj.production_order
        return {"id": order.pk, "name": order.number} if order else None

    @staticmethod
    def resolve_pegging(obj):
        return list(obj.pegging.all())


class PlanningRunOut(Schema):
    id: int
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    plan_date: datetime.date
    products: int
    demands: int
    proposals: int
    duration_ms: int


class PlanningProposalFilters(Schema):
    kind: str | None = Field(None, pattern="^(purchase|make)$")
    status: str | None = Field("open", pattern="^(open|confirmed)$")
    supplier: Id | None = None
    product: Id | None = None
    sales_order_id: Id | None = Field(None, description="Proposals serving this sales order: pegged to its lines, "
                                                        "and the components of proposed production for them.")


class PlanningConfirmIn(InputSchema):
    proposals: list[Id] = Field(..., min_length=1, max_length=1000)


class PlanningConfirmOut(Schema):
    purchase_orders: list[PlanningRef]
    production_orders: list[PlanningRef]


class PlanningParameterIn(InputSchema):
    product: Id
    warehouse: Id
    source: str = Field("auto", pattern="^(auto|buy|make)$")
    minimum_stock: DecimalString = None
    safety_stock: DecimalString = None
    make_lead_time_days: int = Field(1, ge=0, le=3650)


class PlanningParameterFilters(Schema):
    product: Id | None = None
    warehouse: Id | None = None


class PlanningParameterOut(Schema):
    id: int
    product: int
    warehouse: int
    source: str
    minimum_stock: str
    safety_stock: str
    make_lead_time_days: int
    version: int

    @staticmethod
    def resolve_product(obj):
        return obj.product_id

    @staticmethod
    def resolve_warehouse(obj):
        return obj.warehouse_id

    @staticmethod
    def resolve_minimum_stock(obj):
        return _plain(obj.minimum_stock)

    @staticmethod
    def resolve_safety_stock(obj):
        return _plain(obj.safety_stock)


class PlanningSupplyOut(Schema):
    """A part of a sales order line still to come: its quantity, the date it is needed by (the proposal's) or
    expected (stock's, without planning), the order it became and the proposal, if planned."""
    quantity: str
    date: datetime.date | None = None
    purchase_order: PlanningRef | None = None
    production_order: PlanningRef | None = None
    proposal: int | None = None
    proposal_status: str | None = None


class PlanningLineAvailabilityOut(Schema):
    line: int
    position: int
    product: PlanningRef
    ordered: str
    ordered_unit: str
    unit: str = Field(description="The stock unit of the quantities below.")
    shipped: str
    reserved: str
    available_now: str = Field(description="Reserved for the line and not shipped: on the shelf for it now.")
    incoming: list[PlanningSupplyOut]
    to_be_made: list[PlanningSupplyOut]
    short: str = Field(description="Short with neither an expected date nor a planning proposal.")


class PlanningOrderAvailabilityOut(Schema):
    order: PlanningRef
    status: str
    warehouse: PlanningRef | None = None
    lines: list[PlanningLineAvailabilityOut]
