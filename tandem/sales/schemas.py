"""API shapes of quotes and sales orders. Shape checks only: parties, prices, rights and steps are enforced by
sales.services. Amounts, quantities and prices travel as strings."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits
from tandem.core.schemas import DecimalString, Id, InputSchema, money_text
from tandem.sales.models import CustomerReturn, Order, Quote, Shipment


class Ref(Schema):
    id: int
    name: str


def _ref(obj, name_attr: str = "name") -> dict | None:
    return {"id": obj.pk, "name": str(getattr(obj, name_attr))} if obj is not None else None


def _number(value) -> str | None:
    # A whole number without its zeros in plain notation: normalize() alone turns 50.000000 into "5E+1".
    return None if value is None else (format(value.normalize(), "f") if value == value.to_integral() else str(value))


class LineOut(Schema):
    id: int
    position: int
    product: Ref
    description: str
    quantity: str = Field(description="Decimal as a string, in `unit`, rounded to the unit's step.")
    unit: str = Field(description="The unit's code.")
    unit_price: str = Field(description="Decimal as a string (up to 6 places).")
    list_price: str | None = Field(description="The price list's price when the line was priced; null: none.")
    price_explanation: str = Field(description='Which list and break gave the price, e.g. "list Wholesale EUR '
                                               '2026, break ≥ 100 pc, −5 %".')
    price_overridden: bool
    discount_percent: str
    tax_rate: str = Field(description="The tax rate (percent) used, from the product's tax category.")
    net_amount: str
    tax_amount: str
    gross_amount: str

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": str(obj.product)}

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_unit_price(obj):
        return _number(obj.unit_price)

    @staticmethod
    def resolve_list_price(obj):
        return _number(obj.list_price)

    @staticmethod
    def resolve_discount_percent(obj):
        return _number(obj.discount_percent)

    @staticmethod
    def resolve_tax_rate(obj):
        return _number(obj.tax_rate)

    @staticmethod
    def _money(obj, name):
        document = getattr(obj, "quote", None) or obj.order
        return money_text(getattr(obj, name), document.currency)

    @staticmethod
    def resolve_net_amount(obj):
        return LineOut._money(obj, "net_amount")

    @staticmethod
    def resolve_tax_amount(obj):
        return LineOut._money(obj, "tax_amount")

    @staticmethod
    def resolve_gross_amount(obj):
        return LineOut._money(obj, "gross_amount")


class OrderLineOut(LineOut):
    reserved_quantity: str = Field(description="Reserved in the order's warehouse (stock unit) at confirmation.")
    short_quantity: str = Field(description="Missing at confirmation (stock unit); 0 when all was reserved.")
    expected_date: datetime.date | None = Field(description="When the missing quantity is expected, if known.")
    shipped_quantity: str

    @staticmethod
    def resolve_reserved_quantity(obj):
        return _number(obj.reserved_quantity)

    @staticmethod
    def resolve_short_quantity(obj):
        return _number(obj.short_quantity)

    @staticmethod
    def resolve_shipped_quantity(obj):
        return _number(obj.shipped_quantity)


class _DocumentOut(Schema):
    id: int
    number: str
    status: str
    company: Ref = Field(description="Our legal entity that makes the offer or sells.")
    client: Ref
    counterparty: Ref
    contact: Ref | None
    deal: Ref | None
    owner: Ref
    currency: str
    tax_rounding: str = Field(description="`line`: tax rounded per line; `document`: once per rate.")
    net_total: str
    tax_total: str
    total: str
    note: str
    created_at: datetime.datetime
    version: int = Field(description="Counts changes; send it back (or the ETag in If-Match) when changing the "
                                     "document, and a change someone saved since is refused with 409 `stale`.")
    actions: list[str] = Field(description="The steps the document can take now (from its can_<action>()).")

    @staticmethod
    def resolve_company(obj):
        return _ref(obj.company)

    @staticmethod
    def resolve_client(obj):
        return _ref(obj.client)

    @staticmethod
    def resolve_counterparty(obj):
        return _ref(obj.counterparty, "legal_name")

    @staticmethod
    def resolve_contact(obj):
        return _ref(obj.contact, "__str__") if obj.contact_id else None

    @staticmethod
    def resolve_deal(obj):
        return _ref(obj.deal, "title") if obj.deal_id else None

    @staticmethod
    def resolve_owner(obj):
        return {"id": obj.owner_id, "name": obj.owner.display_name}

    @staticmethod
    def resolve_net_total(obj):
        return money_text(obj.net_total, obj.currency)

    @staticmethod
    def resolve_tax_total(obj):
        return money_text(obj.tax_total, obj.currency)

    @staticmethod
    def resolve_total(obj):
        return money_text(obj.total, obj.currency)


QUOTE_ACTIONS = ("edit", "send", "accept", "reject", "expire")
ORDER_ACTIONS = ("edit", "confirm", "cancel", "close")


class QuoteOut(_DocumentOut):
    status: Quote.Status
    quote_date: datetime.date
    valid_until: datetime.date | None
    order_id: int | None = Field(description="The sales order made when the quote was accepted.")
    lines: list[LineOut]

    @staticmethod
    def resolve_order_id(obj):
        order = getattr(obj, "order", None) if obj.status == Quote.Status.ACCEPTED else None
        return order.pk if order else None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_actions(obj):
        return [name for name in QUOTE_ACTIONS if getattr(obj, f"can_{name}")()]


class QuoteSummaryOut(_DocumentOut):
    status: Quote.Status
    quote_date: datetime.date
    valid_until: datetime.date | None

    @staticmethod
    def resolve_actions(obj):
        return [name for name in QUOTE_ACTIONS if getattr(obj, f"can_{name}")()]


class OrderOut(_DocumentOut):
    status: Order.Status
    order_date: datetime.date
    requested_date: datetime.date | None
    warehouse: Ref | None
    quote_id: int | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_warehouse(obj):
        return _ref(obj.warehouse) if obj.warehouse_id else None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_actions(obj):
        return [name for name in ORDER_ACTIONS if getattr(obj, f"can_{name}")()]


class OrderSummaryOut(_DocumentOut):
    status: Order.Status
    order_date: datetime.date
    warehouse: Ref | None
    quote_id: int | None

    @staticmethod
    def resolve_warehouse(obj):
        return _ref(obj.warehouse) if obj.warehouse_id else None

    @staticmethod
    def resolve_actions(obj):
        return [name for name in ORDER_ACTIONS if getattr(obj, f"can_{name}")()]


# --- Input ------------------------------------------------------------------------------------------------

class LineIn(InputSchema):
    product_id: Id
    quantity: DecimalString = Field(..., description="Decimal as a string, in `unit_id` (default: the product's "
                                                     "stock unit); rounded to the unit's step.")
    unit_id: Id | None = None
    unit_price: DecimalString = Field(None, description="Omitted: the price list's. A different price needs "
                                                        "the permission to override prices (sales managers).")
    discount_percent: DecimalString = Field(None, description="0–100; omitted: the price list's. A different "
                                                              "discount needs the permission to override prices.")
    description: str | None = Field(None, max_length=300)


class LinePatch(InputSchema):
    product_id: Id | None = None
    quantity: DecimalString = None
    unit_id: Id | None = None
    unit_price: DecimalString = None
    discount_percent: DecimalString = None
    description: str | None = Field(None, max_length=300)
    version: int | None = Field(None, ge=1, description="The document's version you saw; omitted: no check.")


class _HeaderFields(InputSchema):
    company_id: Id | None = Field(None, description="Our legal entity; omitted: the default one.")
    counterparty_id: Id | None = Field(None, description="One of the client's counterparties valid on the date; "
                                                         "omitted: the deal's, or the client's only valid one.")
    contact_id: Id | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    note: str | None = Field(None, max_length=5000)


class QuoteIn(_HeaderFields):
    client_id: Id | None = Field(None, description="Required unless `deal_id` is given.")
    deal_id: Id | None = Field(None, description="Client, counterparty, contact and currency are taken from it.")
    quote_date: limits.Date | None = Field(None, description="Omitted: today.")
    valid_until: limits.Date | None = None
    lines: list[LineIn] = Field([], max_length=500)


class QuotePatch(_HeaderFields):
    quote_date: limits.Date | None = None
    valid_until: limits.Date | None = None
    version: int | None = Field(None, ge=1, description="The version you saw (as in GET); omitted: no check.")


class OrderIn(_HeaderFields):
    client_id: Id
    deal_id: Id | None = None
    order_date: limits.Date | None = Field(None, description="Omitted: today.")
    requested_date: limits.Date | None = None
    warehouse_id: Id | None = Field(None, description="Omitted: the legal entity's first warehouse.")
    lines: list[LineIn] = Field([], max_length=500)


class OrderPatch(_HeaderFields):
    order_date: limits.Date | None = None
    requested_date: limits.Date | None = None
    warehouse_id: Id | None = None
    version: int | None = Field(None, ge=1, description="The version you saw (as in GET); omitted: no check.")


class StepIn(InputSchema):
    version: int | None = Field(None, ge=1, description="The version you saw; omitted: no check.")


class _Filters(Schema):
    client_id: Id | None = None
    deal_id: Id | None = None
    q: str | None = Field(None, max_length=50, description="Part of the number.")


class QuoteFilters(_Filters):
    status: Quote.Status | None = None


class OrderFilters(_Filters):
    status: Order.Status | None = None


class ClientPricingIn(InputSchema):
    price_group_id: Id | None = Field(..., description="The client's price group; null: general lists only.")


class ClientPricingOut(Schema):
    client_id: int
    price_group: Ref | None


# --- Shipments and customer returns (issue #13.5) --------------------------------------------------------------
# Quantities are in the product's stock unit (`unit`), as decimal strings.

SHIPMENT_ACTIONS = ("pick", "pack", "ship", "deliver", "cancel")
RETURN_ACTIONS = ("receive", "cancel")


class ShipmentLineOut(Schema):
    id: int
    order_line_id: int
    product: Ref
    quantity: str = Field(description="Decimal as a string, in the product's stock unit.")
    unit: str = Field(description="The product's stock unit (code).")
    location: Ref = Field(description="Where the goods are taken from (a location of the shipment's warehouse).")
    lot: Ref | None = Field(description="Lot or serial number; lot-tracked products always have one.")
    stock_move_id: int | None = Field(description="The SHIPMENT stock move, once shipped.")
    unit_cost: str | None = Field(description="The stock move's unit cost when valuation has set it.")

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": str(obj.product)}

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_unit(obj):
        return obj.product.unit.code

    @staticmethod
    def resolve_location(obj):
        return {"id": obj.location_id, "name": obj.location.code}

    @staticmethod
    def resolve_lot(obj):
        return {"id": obj.lot_id, "name": obj.lot.code} if obj.lot_id else None

    @staticmethod
    def resolve_unit_cost(obj):
        return _number(obj.stock_move.unit_cost) if obj.stock_move_id and obj.stock_move.unit_cost is not None \
            else None


class ShipmentSummaryOut(Schema):
    id: int
    number: str
    status: str = Field(description="draft (to pick) → picked → packed → shipped → delivered; or cancelled.")
    order: Ref
    client: Ref
    warehouse: Ref
    shipment_date: datetime.date
    delivered_date: datetime.date | None
    carrier: str
    tracking_number: str
    version: int
    actions: list[str] = Field(description="The steps the shipment can take now (from its can_<action>()).")

    @staticmethod
    def resolve_order(obj):
        return {"id": obj.order_id, "name": obj.order.number}

    @staticmethod
    def resolve_client(obj):
        return _ref(obj.client)

    @staticmethod
    def resolve_warehouse(obj):
        return {"id": obj.warehouse_id, "name": obj.warehouse.code}

    @staticmethod
    def resolve_actions(obj):
        return [name for name in SHIPMENT_ACTIONS if getattr(obj, f"can_{name}")()]


class ShipmentOut(ShipmentSummaryOut):
    note: str
    lines: list[ShipmentLineOut]


class LeftToShipOut(Schema):
    order_line_id: int
    product: Ref
    unit: str
    ordered: str = Field(description="The line's quantity in the product's stock unit.")
    shipped: str
    in_open_shipments: str = Field(description="In shipments not shipped yet (and not cancelled).")
    left: str = Field(description="What a new shipment may still take.")
    reserved: str = Field(description="Still reserved for the line (the backorder's reservation).")
    returned: str


class ShipmentLineIn(InputSchema):
    order_line_id: Id
    quantity: DecimalString = Field(..., description="In the product's stock unit; at most what is left to ship.")
    location_id: Id | None = Field(None, description="A location of the order's warehouse; omitted: its default "
                                                     "storage location.")
    lot_id: Id | None = Field(None, description="Required for lot-tracked products unless one can be suggested "
                                                "(the lot reserved for the line, else the earliest expiring).")


class ShipmentIn(InputSchema):
    order_id: Id
    shipment_date: limits.Date | None = Field(None, description="Omitted: today.")
    carrier: str | None = Field(None, max_length=100)
    tracking_number: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=5000)
    lines: list[ShipmentLineIn] = Field([], max_length=500, description="Omitted or empty: everything left to "
                                                                        "ship on the order.")


class ShipmentPatch(InputSchema):
    shipment_date: limits.Date | None = None
    carrier: str | None = Field(None, max_length=100)
    tracking_number: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, ge=1, description="The version you saw (as in GET); omitted: no check.")


class ShipIn(StepIn):
    carrier: str | None = Field(None, max_length=100)
    tracking_number: str | None = Field(None, max_length=100)


class DeliverIn(StepIn):
    delivered_date: limits.Date | None = Field(None, description="Omitted: today.")


class ShipmentFilters(Schema):
    status: Shipment.Status | None = None
    client_id: Id | None = None
    order_id: Id | None = None
    deal_id: Id | None = None
    q: str | None = Field(None, max_length=50, description="Part of the number, order number or tracking number.")


class ReturnLineOut(Schema):
    id: int
    order_line_id: int
    product: Ref
    quantity: str
    unit: str
    lot: Ref | None
    unit_cost: str | None = Field(description="The cost the goods left with (from the shipment's stock move).")
    stock_move_id: int | None = Field(description="The RETURN stock move, once received.")

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": str(obj.product)}

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_unit(obj):
        return obj.product.unit.code

    @staticmethod
    def resolve_lot(obj):
        return {"id": obj.lot_id, "name": obj.lot.code} if obj.lot_id else None

    @staticmethod
    def resolve_unit_cost(obj):
        return _number(obj.unit_cost)


class ReturnSummaryOut(Schema):
    id: int
    number: str
    status: str = Field(description="draft → received; or cancelled.")
    order: Ref
    client: Ref
    complaint_id: int | None
    location: Ref = Field(description="Where the goods went (a storage or quarantine location).")
    return_date: datetime.date
    reason: str
    version: int
    actions: list[str]

    @staticmethod
    def resolve_order(obj):
        return {"id": obj.order_id, "name": obj.order.number}

    @staticmethod
    def resolve_client(obj):
        return _ref(obj.client)

    @staticmethod
    def resolve_location(obj):
        return {"id": obj.location_id, "name": str(obj.location)}

    @staticmethod
    def resolve_actions(obj):
        return [name for name in RETURN_ACTIONS if getattr(obj, f"can_{name}")()]


class ReturnOut(ReturnSummaryOut):
    lines: list[ReturnLineOut]


class ReturnLineIn(InputSchema):
    order_line_id: Id
    quantity: DecimalString = Field(..., description="In the product's stock unit; at most shipped − returned.")
    lot_id: Id | None = Field(None, description="Lot-tracked products: one of the lots shipped (omitted: the only "
                                                "one shipped).")


class ReturnIn(InputSchema):
    order_id: Id
    location_id: Id | None = Field(None, description="Omitted: the quarantine location of the order's warehouse, "
                                                     "else its default location.")
    complaint_id: Id | None = Field(None, description="The client's complaint the return answers.")
    return_date: limits.Date | None = Field(None, description="Omitted: today.")
    reason: str | None = Field(None, max_length=300)
    receive: bool = Field(False, description="Receive at once (posts the RETURN moves; needs the warehouse's "
                                             "permission).")
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=500)


class ReturnFilters(Schema):
    status: CustomerReturn.Status | None = None
    client_id: Id | None = None
    order_id: Id | None = None
    complaint_id: Id | None = None
