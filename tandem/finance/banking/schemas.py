"""API shapes of payments and bank statements. Amounts are decimal strings in the payment's currency."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.limits import Date
from tandem.core.schemas import ArchivedFilter, ArchiveOut, DecimalString, Id, InputSchema, money_text
from tandem.finance.models import BankStatementLine, Payment, PaymentAccount

Direction = Literal[tuple(Payment.Direction.values)]


class PaymentAccountOut(ArchiveOut):
    id: int
    company_id: int
    name: str
    kind: str
    currency: str
    iban: str
    account_id: int
    journal_id: int


class PaymentAccountIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[tuple(PaymentAccount.Kind.values)] = PaymentAccount.Kind.BANK
    currency: str | None = Field(None, min_length=3, max_length=3, description="The base currency when left out.")
    iban: str = Field("", max_length=42)
    account_id: Id | None = Field(None, description="Ledger account of subtype bank/cash; the chart's first one "
                                                    "when left out.")
    journal_id: Id | None = Field(None, description="Bank or cash journal; BNK/CSH when left out.")
    company_id: Id | None = None


class PaymentAccountPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    currency: str | None = Field(None, min_length=3, max_length=3)
    iban: str | None = Field(None, max_length=42)
    account_id: Id | None = None
    journal_id: Id | None = None


class PaymentAccountFilters(Schema):
    company_id: Id | None = None
    archived: ArchivedFilter = "false"


class AllocationIn(InputSchema):
    invoice_id: Id
    amount: DecimalString = Field(description="In the invoice's currency (the payment's).")


class PaymentIn(InputSchema):
    direction: Direction = Field(description="`in`: received from a client; `out`: paid to a supplier.")
    payment_account_id: Id
    date: Date
    amount: DecimalString
    client_id: Id
    counterparty_id: Id | None = None
    currency: str | None = Field(None, min_length=3, max_length=3, description="The account's currency.")
    rate: DecimalString = Field(None, description="Base currency per unit; the exchange rate of the date when "
                                                  "left out.")
    reference: str = Field("", max_length=200)
    memo: str = Field("", max_length=300)
    allocations: list[AllocationIn] = Field([], max_length=200)


class AllocateIn(InputSchema):
    invoice_id: Id
    amount: DecimalString
    date: Date | None = None


class PaymentReverseIn(InputSchema):
    date: Date | None = Field(None, description="Date of the reversing entries; the payment's own when left out.")
    memo: str = Field("", max_length=300)


class AllocationOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str = Field(alias="invoice.number")
    date: datetime.date
    amount: str
    exchange_difference: str = Field(description="Realised gain (positive) or loss in the base currency.")
    entry_id: int | None
    is_reversed: bool

    @staticmethod
    def resolve_amount(obj) -> str:
        return money_text(obj.amount, obj.invoice.currency)

    @staticmethod
    def resolve_exchange_difference(obj) -> str:
        return money_text(obj.exchange_difference, obj.payment.company.base_currency)


class PaymentOut(Schema):
    id: int
    company_id: int
    number: str
    direction: str
    status: str
    payment_account_id: int
    payment_account_name: str = Field(alias="payment_account.name")
    date: datetime.date
    amount: str
    currency: str
    rate: str
    client_id: int
    client_name: str = Field(alias="client.name")
    counterparty_id: int | None
    reference: str
    memo: str
    unallocated_amount: str
    entry_id: int | None
    allocations: list[AllocationOut]
    actions: list[str] = Field(description="What may be done now: `allocate`, `reverse`.")

    @staticmethod
    def resolve_amount(obj) -> str:
        return money_text(obj.amount, obj.currency)

    @staticmethod
    def resolve_unallocated_amount(obj) -> str:
        return money_text(obj.unallocated_amount, obj.currency)

    @staticmethod
    def resolve_rate(obj) -> str:
        return str(obj.rate.normalize())

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.select_related("invoice", "payment__company").order_by("id"))

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        if obj.status != Payment.Status.POSTED:
            return []
        return (["allocate"] if obj.unallocated_amount > 0 else []) + ["reverse"]


class PaymentFilters(Schema):
    company_id: Id | None = None
    client_id: Id | None = None
    payment_account_id: Id | None = None
    direction: Direction | None = None
    status: Literal[tuple(Payment.Status.values)] | None = None
    date_from: Date | None = None
    date_to: Date | None = None
    unallocated: bool = Field(False, description="Only posted payments with an unallocated amount (credits).")


class ExchangeRevaluationIn(InputSchema):
    date: Date = Field(description="Usually a period's last day; the reversal is dated the next day.")
    company_id: Id | None = None


class ExchangeRevaluationOut(Schema):
    entry_id: int | None
    reversal_id: int | None


class StatementOut(Schema):
    id: int
    payment_account_id: int
    format: str
    reference: str
    date_from: datetime.date
    date_to: datetime.date
    opening_balance: str | None
    closing_balance: str | None
    file_name: str
    line_count: int
    open_lines: int | None = None

    @staticmethod
    def resolve_opening_balance(obj) -> str | None:
        return money_text(obj.opening_balance, obj.payment_account.currency)

    @staticmethod
    def resolve_closing_balance(obj) -> str | None:
        return money_text(obj.closing_balance, obj.payment_account.currency)


class StatementImportOut(Schema):
    statement: StatementOut | None
    created: int
    skipped: int
    already_imported: bool
    message: str


class SuggestionOut(Schema):
    invoice_id: int
    invoice_number: str = Field(alias="invoice.number")
    client_name: str = Field(alias="invoice.client.name")
    amount_due: str
    score: int

    @staticmethod
    def resolve_amount_due(obj) -> str:
        return money_text(obj.invoice.amount_due, obj.invoice.currency)


class StatementLineOut(Schema):
    id: int
    statement_id: int
    date: datetime.date
    amount: str = Field(description="Signed: money in positive.")
    currency: str
    counterparty_name: str
    iban: str
    reference: str
    transaction_id: str
    status: Literal[tuple(BankStatementLine.Status.values)]
    payment_id: int | None
    suggestions: list[SuggestionOut]

    @staticmethod
    def resolve_amount(obj) -> str:
        return money_text(obj.amount, obj.currency)

    @staticmethod
    def resolve_suggestions(obj) -> list:
        return list(obj.suggestions.all())


class StatementLineFilters(Schema):
    status: Literal[tuple(BankStatementLine.Status.values)] | None = None


class ConfirmIn(InputSchema):
    invoice_ids: list[Id] | None = Field(None, max_length=50, description="Spread the amount over these invoices "
                                                                           "in this order; the best suggestion when "
                                                                           "left out.")
    allocations: list[AllocationIn] | None = Field(None, max_length=50, description="Or exact amounts per invoice.")
    client_id: Id | None = Field(None, description="With no invoice: whose credit the money is.")
    date: Date | None = None
