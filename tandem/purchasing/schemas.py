"""Schemas of the purchasing API: suppliers, supplier prices, purchase orders and receipts."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core.schemas import DecimalString, Id, InputSchema, money_text
from tandem.purchasing.models import PurchaseOrder

ORDER_ACTIONS = ("edit", "convert", "submit", "approve", "return_to_draft", "send", "receive", "cancel", "close")


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class PurchasingRef(Schema):
    id: int
    name: str


class SupplierOut(Schema):
    id: int
    counterparty: PurchasingRef
    currency: str
    payment_terms_days: int
    lead_time_days: int
    is_active: bool
    note: str

    @staticmethod
    def resolve_counterparty(obj):
        return {"id": obj.counterparty_id, "name": obj.counterparty.legal_name}


class SupplierIn(InputSchema):
    counterparty_id: Id
    currency: str = Field("", max_length=3, description="Default: our base currency.")
    payment_terms_days: int = Field(30, ge=0, le=3650)
    lead_time_days: int = Field(7, ge=0, le=3650)
    note: str = Field("", max_length=2000)


class SupplierPatch(InputSchema):
    currency: str | None = Field(None, max_length=3)
    payment_terms_days: int | None = Field(None, ge=0, le=3650)
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    is_active: bool | None = None
    note: str | None = Field(None, max_length=2000)


class SupplierPriceOut(Schema):
    id: int
    supplier: PurchasingRef
    product: PurchasingRef
    supplier_sku: str
    currency: str
    unit_price: str
    min_quantity: str
    pack_size: str
    lead_time_days: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    is_preferred: bool

    @staticmethod
    def resolve_supplier(obj):
        return {"id": obj.supplier_id, "name": obj.supplier.counterparty.legal_name}

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_unit_price(obj):
        return _number(obj.unit_price)

    @staticmethod
    def resolve_min_quantity(obj):
        return _number(obj.min_quantity)

    @staticmethod
    def resolve_pack_size(obj):
        return _number(obj.pack_size)


class SupplierPriceIn(InputSchema):
    supplier_id: Id
    product_id: Id
    unit_price: DecimalString = Field(..., description="Per the product's stock unit, up to 6 decimals.")
    currency: str = Field("", max_length=3, description="Default: the supplier's currency.")
    min_quantity: DecimalString = Field(None, description="Default 0.")
    pack_size: DecimalString = Field(None, description="Default 1.")
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    is_preferred: bool = False
    supplier_sku: str = Field("", max_length=64)


class SupplierPricePatch(InputSchema):
    unit_price: DecimalString = None
    currency: str | None = Field(None, max_length=3)
    min_quantity: DecimalString = None
    pack_size: DecimalString = None
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    is_preferred: bool | None = None
    supplier_sku: str | None = Field(None, max_length=64)


class PurchaseLineOut(Schema):
    id: int
    position: int
    product: PurchasingRef
    description: str
    quantity: str
    unit_price: str
    price_overridden: bool
    tax_rate: str
    net_amount: str
    tax_amount: str
    expected_date: datetime.date | None
    received_quantity: str
    awaiting_price: bool = Field(description="A line of a request for quotation without a price yet.")

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_unit_price(obj):
        return _number(obj.unit_price)

    @staticmethod
    def resolve_tax_rate(obj):
        return _number(obj.tax_rate)

    @staticmethod
    def resolve_net_amount(obj):
        return _number(obj.net_amount)

    @staticmethod
    def resolve_tax_amount(obj):
        return _number(obj.tax_amount)

    @staticmethod
    def resolve_received_quantity(obj):
        return _number(obj.received_quantity)


class PurchaseOrderSummaryOut(Schema):
    id: int
    number: str
    status: PurchaseOrder.Status
    supplier: PurchasingRef
    warehouse: PurchasingRef
    order_date: datetime.date
    expected_date: datetime.date | None
    currency: str
    total: str
    version: int

    @staticmethod
    def resolve_supplier(obj):
        return {"id": obj.supplier_id, "name": obj.supplier.counterparty.legal_name}

    @staticmethod
    def resolve_warehouse(obj):
        return {"id": obj.warehouse_id, "name": obj.warehouse.name}

    @staticmethod
    def resolve_total(obj):
        return _number(obj.total)


class PurchaseOrderOut(PurchaseOrderSummaryOut):
    exchange_rate: str
    net_total: str
    tax_total: str
    note: str
    approved_by: PurchasingRef | None
    actions: list[str] = Field(description="What the order's status allows next.")
    lines: list[PurchaseLineOut]

    @staticmethod
    def resolve_exchange_rate(obj):
        return _number(obj.exchange_rate)

    @staticmethod
    def resolve_net_total(obj):
        return _number(obj.net_total)

    @staticmethod
    def resolve_tax_total(obj):
        return _number(obj.tax_total)

    @staticmethod
    def resolve_approved_by(obj):
        return {"id": obj.approved_by_id, "name": obj.approved_by.display_name} if obj.approved_by_id else None

    @staticmethod
    def resolve_actions(obj):
        return [name for name in ORDER_ACTIONS if getattr(obj, f"can_{name}")()]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("product").order_by("position", "pk"))


class PurchaseLineIn(InputSchema):
    product_id: Id
    quantity: DecimalString = Field(..., description="In the product's stock unit.")
    unit_price: DecimalString = Field(None, description="Omitted: the supplier's price (best_supplier_price).")
    tax_rate: DecimalString = Field(None, description="0–100, default 0.")
    expected_date: datetime.date | None = Field(None, description="Default: the order's expected date.")
    description: str = Field("", max_length=300)


class PurchaseLinePatch(InputSchema):
    quantity: DecimalString = None
    unit_price: DecimalString = None
    tax_rate: DecimalString = None
    expected_date: datetime.date | None = None
    description: str | None = Field(None, max_length=300)
    version: int | None = Field(None, ge=1)


class PurchaseOrderIn(InputSchema):
    supplier_id: Id
    company_id: Id | None = None
    warehouse_id: Id | None = None
    order_date: datetime.date | None = None
    expected_date: datetime.date | None = None
    currency: str = Field("", max_length=3, description="Default: the supplier's currency.")
    note: str = Field("", max_length=5000)
    lines: list[PurchaseLineIn] = Field(default_factory=list, max_length=500)
    as_rfq: bool = Field(False, description="A request for quotation: lines may wait for the supplier's price.")


class PurchaseOrderPatch(InputSchema):
    warehouse_id: Id | None = None
    order_date: datetime.date | None = None
    expected_date: datetime.date | None = None
    currency: str | None = Field(None, max_length=3)
    note: str | None = Field(None, max_length=5000)
    version: int | None = Field(None, ge=1)


class PurchaseStepIn(InputSchema):
    version: int | None = Field(None, ge=1, description="The version you saw; omitted: no check.")


class PurchaseQuoteLineIn(InputSchema):
    line_id: Id
    unit_price: DecimalString = Field(..., description="The supplier's quoted price, in the order's currency.")


class PurchaseQuoteIn(InputSchema):
    lines: list[PurchaseQuoteLineIn] = Field(..., min_length=1, max_length=500)
    version: int | None = Field(None, ge=1)


class PurchaseConvertIn(InputSchema):
    save_prices: bool = Field(False, description="Also write the quoted prices to the supplier's price list.")
    version: int | None = Field(None, ge=1)


class PurchaseReceiptLineIn(InputSchema):
    line_id: Id
    quantity: DecimalString = Field(..., description="Received now, in the product's stock unit.")
    lot: str = Field("", max_length=64, description="Lot or serial number (required for tracked products).")
    location_id: Id | None = Field(None, description="Default: the warehouse's default location.")


class PurchaseReceiptIn(InputSchema):
    date: datetime.date | None = None
    lines: list[PurchaseReceiptLineIn] = Field(..., min_length=1, max_length=500)
    version: int | None = Field(None, ge=1)


class PurchaseOrderFilters(Schema):
    status: PurchaseOrder.Status | None = None
    supplier_id: Id | None = None
    q: str | None = Field(None, max_length=50, description="Part of the number.")


class PurchasingReceiptOut(Schema):
    id: int
    effective_date: datetime.date
    product: PurchasingRef
    quantity: str
    lot: str
    location: str
    order: PurchasingRef | None
    expected_date: datetime.date | None = Field(description="The order line's expected date.")
    on_time: bool | None

    @staticmethod
    def resolve_product(obj):
        return {"id": obj.product_id, "name": f"{obj.product.sku} {obj.product.name}"}

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_lot(obj):
        return obj.lot.code if obj.lot_id else ""

    @staticmethod
    def resolve_location(obj):
        return str(obj.to_location) if obj.to_location_id else ""

    @staticmethod
    def resolve_order(obj):
        return {"id": obj.order_id, "name": obj.order_number} if obj.order_id else None

    @staticmethod
    def resolve_expected_date(obj):
        return obj.line_due

    @staticmethod
    def resolve_on_time(obj):
        return None if obj.line_due is None else obj.effective_date <= obj.line_due


class PurchasingOnTimeOut(Schema):
    since: datetime.date
    until: datetime.date
    received: str = Field(description="Quantity received against the supplier's order lines in the window.")
    on_time: str = Field(description="Of that, received on or before the line's expected date.")
    deliveries: int
    on_time_deliveries: int
    rate: str | None = Field(description="on_time / received (0–1, 4 decimals); null when nothing was received.")

    @staticmethod
    def resolve_received(obj):
        return _number(obj.received)

    @staticmethod
    def resolve_on_time(obj):
        return _number(obj.on_time)

    @staticmethod
    def resolve_rate(obj):
        return _number(obj.rate)


class PurchasingBillOut(Schema):
    id: int
    kind: str
    number: str
    supplier_reference: str
    status: str
    invoice_date: datetime.date
    due_date: datetime.date
    currency: str
    total: str
    amount_due: str

    @staticmethod
    def resolve_total(obj):
        return _number(obj.total)

    @staticmethod
    def resolve_amount_due(obj):
        return _number(obj.amount_due)


class PurchasingBalanceOut(Schema):
    currency: str
    owed: str
    overdue: str
    bills: int

    @staticmethod
    def resolve_owed(obj):
        return _number(obj.owed)

    @staticmethod
    def resolve_overdue(obj):
        return _number(obj.overdue)


class PurchasingSupplierCardOut(Schema):
    supplier: SupplierOut
    open_orders: int
    order_counts: dict[str, int] = Field(description="Orders per status.")
    orders: list[PurchaseOrderSummaryOut] = Field(description="The 10 most recent.")
    receipts: list[PurchasingReceiptOut] = Field(description="The 20 most recent receipt moves of its orders.")
    on_time: PurchasingOnTimeOut
    bills: list[PurchasingBillOut] | None = Field(description="The 10 most recent; null without finance.view_invoice.")
    balance: list[PurchasingBalanceOut] | None = Field(
        description="Open amount due of its bills less open credit notes, per currency; null without "
                    "finance.view_invoice.")


# --- Purchasing settings of a legal entity ----------------------------------------------------------------------

_THRESHOLD = ("A purchase order whose total (in the legal entity's base currency) reaches this amount waits for "
              "a manager's approval.")
_RECEIPT = "How much more than ordered may be received, in percent of the ordered quantity (0 to 100)."
_BILL_PRICE = ("How far a supplier bill's unit price may exceed the order's, in percent (0 to 100), before a "
               "person must accept the difference.")
_BILL_QUANTITY = ("How far the billed quantity may exceed the received quantity, in percent (0 to 100), before a "
                  "person must accept the difference.")


class PurchasingSettingsOut(Schema):
    legal_entity: PurchasingRef
    base_currency: str
    approval_threshold: str = Field(description=_THRESHOLD)
    receipt_tolerance_percent: str = Field(description=_RECEIPT)
    bill_price_tolerance_percent: str = Field(description=_BILL_PRICE)
    bill_quantity_tolerance_percent: str = Field(description=_BILL_QUANTITY)

    @staticmethod
    def resolve_legal_entity(obj):
        return {"id": obj.company.pk, "name": obj.company.name}

    @staticmethod
    def resolve_base_currency(obj):
        return obj.company.base_currency

    @staticmethod
    def resolve_approval_threshold(obj):
        return money_text(obj.approval_threshold, obj.company.base_currency)

    @staticmethod
    def resolve_receipt_tolerance_percent(obj):
        return _number(obj.receipt_tolerance_percent)

    @staticmethod
    def resolve_bill_price_tolerance_percent(obj):
        return _number(obj.bill_price_tolerance_percent)

    @staticmethod
    def resolve_bill_quantity_tolerance_percent(obj):
        return _number(obj.bill_quantity_tolerance_percent)


class PurchasingSettingsPatch(InputSchema):
    approval_threshold: DecimalString = Field(None, description=_THRESHOLD + " At most as many decimals as the "
                                                                             "currency has.")
    receipt_tolerance_percent: DecimalString = Field(None, description=_RECEIPT)
    bill_price_tolerance_percent: DecimalString = Field(None, description=_BILL_PRICE)
    bill_quantity_tolerance_percent: DecimalString = Field(None, description=_BILL_QUANTITY)
