"""Schemas of the supplier bill endpoints of purchasing (names prefixed SupplierBill…: unique in the OpenAPI)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ObjectDoesNotExist
from ninja import Field, Schema

from tandem.core.schemas import DecimalString, Id, InputSchema, money_text
from tandem.finance.models import Invoice
from tandem.purchasing.models import BillMatch


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class SupplierBillFromOrderIn(InputSchema):
    supplier_reference: str = Field(..., min_length=1, max_length=64, description="The supplier's invoice number.")
    invoice_date: datetime.date | None = Field(None, description="The supplier's bill date; default today.")
    due_date: datetime.date | None = Field(None, description="Default: the bill date plus the payment terms.")
    rate: DecimalString | None = Field(None, description="Base currency per unit of the order currency; default: "
                                                         "the exchange rate of the bill date.")
    version: int | None = Field(None, ge=1, description="The order's version you saw; omitted: no check.")


class SupplierBillLinePatch(InputSchema):
    position: int = Field(..., ge=1, le=10000, description="The bill line's position.")
    quantity: DecimalString | None = Field(None, description="Billed quantity.")
    unit_price: DecimalString | None = Field(None, description="Unit price as billed (bill currency).")


class SupplierBillPatch(InputSchema):
    supplier_reference: str | None = Field(None, min_length=1, max_length=64)
    invoice_date: datetime.date | None = None
    due_date: datetime.date | None = None
    lines: list[SupplierBillLinePatch] | None = Field(None, max_length=500)
    version: int | None = Field(None, ge=1, description="The bill's version you saw; omitted: no check.")


class SupplierBillAcceptIn(InputSchema):
    note: str = Field("", max_length=300, description="Why the difference is right.")
    version: int | None = Field(None, ge=1)


class SupplierBillStepIn(InputSchema):
    version: int | None = Field(None, ge=1)


class SupplierBillFilters(Schema):
    supplier_id: Id | None = None
    status: Invoice.Status | None = None
    match: BillMatch.Status | None = None
    q: str | None = Field(None, max_length=50, description="Part of our number or of the supplier's.")


class SupplierBillMatchLineOut(Schema):
    position: int
    description: str
    order_line_id: int | None
    ordered: str
    received: str
    billed_before: str
    billed: str
    order_price: str | None
    bill_price: str
    verdict: str
    problems: list[str]


class SupplierBillSummaryOut(Schema):
    id: int
    number: str
    supplier_reference: str
    status: str
    match: str | None
    supplier_id: int | None
    supplier_name: str
    purchase_order_id: int | None
    invoice_date: datetime.date
    due_date: datetime.date
    currency: str
    total: str
    amount_due: str
    version: int


class SupplierBillOut(SupplierBillSummaryOut):
    rate: str
    net_total: str
    tax_total: str
    entry_id: int | None
    accepted_by: str | None
    accepted_at: datetime.datetime | None
    accept_note: str
    lines: list[SupplierBillMatchLineOut]


def _related(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def bill_summary(bill) -> dict:
    match = _related(bill, "bill_match")
    supplier = _related(bill.counterparty, "supplier_profile") if bill.counterparty_id else None
    return {
        "id": bill.pk, "number": bill.number, "supplier_reference": bill.supplier_reference, "status": bill.status,
        "match": match.status if match else None, "supplier_id": supplier.pk if supplier else None,
        "supplier_name": bill.counterparty.legal_name if bill.counterparty_id else bill.client.name,
        "purchase_order_id": match.order_id if match else None, "invoice_date": bill.invoice_date,
        "due_date": bill.due_date, "currency": bill.currency, "total": money_text(bill.total, bill.currency),
        "amount_due": money_text(bill.amount_due, bill.currency), "version": bill.version,
    }


def bill_detail(bill, matches, status: str) -> dict:
    match = bill.bill_match
    return {
        **bill_summary(bill), "match": status, "rate": _number(bill.rate),
        "net_total": money_text(bill.net_total, bill.currency), "tax_total": money_text(bill.tax_total, bill.currency),
        "entry_id": bill.entry_id,
        "accepted_by": match.accepted_by.display_name if match.accepted_by_id else None,
        "accepted_at": match.accepted_at, "accept_note": match.accept_note,
        "lines": [{"position": m.position, "description": m.description, "order_line_id": m.order_line,
                   "ordered": _number(m.ordered), "received": _number(m.received),
                   "billed_before": _number(m.billed_before), "billed": _number(m.billed),
                   "order_price": _number(m.order_price), "bill_price": _number(m.bill_price), "verdict": m.verdict,
                   "problems": m.problems} for m in matches],
    }
