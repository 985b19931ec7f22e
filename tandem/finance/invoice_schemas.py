"""API shapes of invoices, credit notes and tax rates. Amounts are decimal strings in the invoice currency."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.limits import Date
from tandem.core.schemas import ArchiveOut, DecimalString, Id, InputSchema, money_text
from tandem.finance.models import Invoice, TaxRate

TaxKind = Literal[tuple(TaxRate.Kind.values)]
TaxRounding = Literal[tuple(Invoice.TaxRounding.values)]
INVOICE_ACTIONS = ("edit", "issue", "cancel", "credit")


def _number(value) -> str:
    return format(value.normalize(), "f") if value is not None else None


class TaxRateOut(ArchiveOut):
    id: int
    country: str
    tax_category_id: int | None
    code: str
    name: str
    kind: str
    rate: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    legal_note: str
    version: int

    @staticmethod
    def resolve_rate(obj):
        return _number(obj.rate)


class TaxRateIn(InputSchema):
    country: str = Field(max_length=100, description="ISO 3166 alpha-2 code (checked by the service).")
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    kind: TaxKind = "standard"
    rate: DecimalString = Field(description="Percent, 0 to 100.")
    valid_from: Date
    valid_to: Date | None = None
    legal_note: str = Field("", max_length=300)
    tax_category_id: Id | None = None


class TaxRatePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: TaxKind | None = None
    rate: DecimalString = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    legal_note: str | None = Field(None, max_length=300)
    tax_category_id: Id | None = None
    version: int | None = None


class TaxRateFilters(Schema):
    country: str = Field("", max_length=2)
    on: Date | None = Field(None, description="Only rates in force on this date.")


class InvoiceLineIn(InputSchema):
    product_id: Id | None = None
    description: str = Field("", max_length=300)
    quantity: DecimalString = Field(description="More than 0.")
    unit_price: DecimalString = Field(description="Per unit, without tax (or with it when the invoice's prices "
                                                  "include tax).")
    discount_percent: DecimalString = None
    tax_rate_id: Id | None = Field(None, description="A tax rate row: its percentage and kind are used.")
    tax_percent: DecimalString = Field(None, description="Without a tax rate row: the percentage (0 to 100).")
    tax_kind: TaxKind | None = None
    account_id: Id | None = Field(None, description="Revenue account; the sales account when left out.")


class InvoiceLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: str
    unit: str | None
    unit_price: str
    discount_percent: str
    tax_rate_id: int | None
    tax_percent: str
    tax_kind: str
    account_id: int | None
    net_amount: str
    tax_amount: str
    gross_amount: str

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_quantity(obj):
        return _number(obj.quantity)

    @staticmethod
    def resolve_unit_price(obj):
        return _number(obj.unit_price)

    @staticmethod
    def resolve_discount_percent(obj):
        return _number(obj.discount_percent)

    @staticmethod
    def resolve_tax_percent(obj):
        return _number(obj.tax_percent)

    @staticmethod
    def resolve_net_amount(obj):
        return money_text(obj.net_amount, obj.invoice.currency)

    @staticmethod
    def resolve_tax_amount(obj):
        return money_text(obj.tax_amount, obj.invoice.currency)

    @staticmethod
    def resolve_gross_amount(obj):
        return money_text(obj.gross_amount, obj.invoice.currency)


class InvoiceSummaryOut(Schema):
    id: int
    kind: str
    status: str
    number: str
    company_id: int
    client_id: int
    client_name: str
    counterparty_id: int | None
    invoice_date: datetime.date
    due_date: datetime.date
    currency: str
    rate: str
    net_total: str
    tax_total: str
    total: str
    amount_due: str
    credited_invoice_id: int | None
    entry_id: int | None
    version: int

    @staticmethod
    def resolve_client_name(obj):
        return obj.client.name

    @staticmethod
    def resolve_rate(obj):
        return _number(obj.rate)

    @staticmethod
    def resolve_net_total(obj):
        return money_text(obj.net_total, obj.currency)

    @staticmethod
    def resolve_tax_total(obj):
        return money_text(obj.tax_total, obj.currency)

    @staticmethod
    def resolve_total(obj):
        return money_text(obj.total, obj.currency)

    @staticmethod
    def resolve_amount_due(obj):
        return money_text(obj.amount_due, obj.currency)


class InvoiceOut(InvoiceSummaryOut):
    prices_include_tax: bool
    tax_rounding: str
    payment_terms: str
    notes: str
    origin_type: str | None = Field(description="The document it was made from (app_label.model), if any.")
    origin_id: int | None
    lines: list[InvoiceLineOut]
    actions: list[str] = Field(description="What the user may do now: edit, issue, cancel, credit.")

    @staticmethod
    def resolve_origin_type(obj):
        return f"{obj.origin_type.app_label}.{obj.origin_type.model}" if obj.origin_type_id else None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("unit", "invoice"))


class InvoiceIn(InputSchema):
    kind: Literal["customer_invoice"] = "customer_invoice"
    client_id: Id
    counterparty_id: Id | None = None
    company_id: Id | None = None
    invoice_date: Date | None = None
    due_date: Date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    rate: DecimalString = Field(None, description="Base currency per unit; the exchange rate of the invoice date "
                                                  "when left out.")
    prices_include_tax: bool = False
    tax_rounding: TaxRounding | None = None
    payment_terms: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    lines: list[InvoiceLineIn] = Field(default_factory=list, max_length=500)


class InvoicePatch(InputSchema):
    counterparty_id: Id | None = None
    invoice_date: Date | None = None
    due_date: Date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    rate: DecimalString = None
    prices_include_tax: bool | None = None
    tax_rounding: TaxRounding | None = None
    payment_terms: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=5000)
    lines: list[InvoiceLineIn] | None = Field(None, max_length=500, description="Replaces every line when sent.")
    version: int | None = None


class InvoiceFilters(Schema):
    client_id: Id | None = None
    status: Literal[tuple(Invoice.Status.values)] | None = None
    kind: Literal[tuple(Invoice.Kind.values)] | None = None
    overdue: bool = False
    date_from: Date | None = None
    date_to: Date | None = None
    q: str = Field("", max_length=100)


class CreditLineIn(InputSchema):
    line_id: Id
    quantity: DecimalString = Field(description="At most what is not credited yet.")


class CreditIn(InputSchema):
    lines: list[CreditLineIn] | None = Field(None, max_length=500,
                                             description="The lines and quantities; every line left when omitted.")
    invoice_date: Date | None = None
    notes: str = Field("", max_length=5000)


class VersionIn(InputSchema):
    version: int | None = None


class CreditApplyIn(InputSchema):
    invoice_id: Id = Field(description="An open invoice of the credit note's client in its currency (a supplier "
                                       "bill for a supplier credit note).")
    amount: DecimalString = Field(description="In the credit note's currency; at most its credit left and the "
                                              "invoice's amount due (409 `over_allocation`, field `amount`).")
    date: Date | None = None
