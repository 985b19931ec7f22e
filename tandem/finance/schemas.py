"""API shapes of the ledger. Amounts are decimal strings in the legal entity's base currency."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.limits import Date
from tandem.core.schemas import ArchivedFilter, ArchiveOut, DecimalString, Id, InputSchema, money_text
from tandem.finance.models import Account, Entry, Journal

AccountType = Literal[tuple(Account.Type.values)]
AccountSubtype = Literal[tuple(Account.Subtype.values)]
JournalKind = Literal[tuple(Journal.Kind.values)]


class AccountOut(ArchiveOut):
    id: int
    company_id: int
    code: str
    name: str
    type: str
    subtype: str
    parent_id: int | None
    version: int


class AccountIn(InputSchema):
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=200)
    type: AccountType
    subtype: AccountSubtype = ""
    parent_id: Id | None = None
    company_id: Id | None = Field(None, description="Our legal entity; the default one when left out.")


class AccountPatch(InputSchema):
    code: str | None = Field(None, min_length=1, max_length=16)
    name: str | None = Field(None, min_length=1, max_length=200)
    type: AccountType | None = None
    subtype: AccountSubtype | None = None
    parent_id: Id | None = None
    version: int | None = None


class AccountFilters(Schema):
    company_id: Id | None = None
    q: str = Field("", max_length=100)
    type: AccountType | None = None
    archived: ArchivedFilter = "false"


class JournalOut(ArchiveOut):
    id: int
    company_id: int
    code: str
    name: str
    kind: str


class JournalIn(InputSchema):
    code: str = Field(min_length=1, max_length=200, description="Up to 8 characters, stored in capitals.")
    name: str = Field(min_length=1, max_length=200)
    kind: JournalKind
    company_id: Id | None = None


class PeriodOut(Schema):
    id: int
    fiscal_year_id: int
    number: int
    start_date: datetime.date
    end_date: datetime.date
    status: str


class FiscalYearOut(Schema):
    id: int
    company_id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date
    status: str
    periods: list[PeriodOut]

    @staticmethod
    def resolve_periods(obj) -> list:
        return sorted(obj.periods.all(), key=lambda p: p.number)


class FiscalYearIn(InputSchema):
    start_date: Date = Field(description="The first day of a month; the year has twelve monthly periods.")
    company_id: Id | None = None


class ReopenIn(InputSchema):
    reason: str = Field("", max_length=300)


class EntryLineIn(InputSchema):
    account_id: Id
    debit: DecimalString = None
    credit: DecimalString = None
    currency: str | None = Field(None, min_length=3, max_length=3, description="ISO 4217; the base currency when "
                                                                               "left out.")
    amount_currency: DecimalString = Field(None, description="Amount in `currency` (positive, same side).")
    rate: DecimalString = Field(None, description="Base currency per unit; computed when left out.")
    memo: str = Field("", max_length=300)
    client_id: Id | None = None
    counterparty_id: Id | None = None


class EntryIn(InputSchema):
    journal_id: Id
    date: Date
    memo: str = Field("", max_length=300)
    lines: list[EntryLineIn] = Field(max_length=500, description="At least two lines.")


class ReverseIn(InputSchema):
    date: Date | None = Field(None, description="Date of the reversing entry; the entry's own when left out.")
    memo: str = Field("", max_length=300)


class EntryLineOut(Schema):
    id: int
    account_id: int
    account_code: str = Field(alias="account.code")
    account_name: str = Field(alias="account.name")
    debit: str = Field(description="In the legal entity's base currency.")
    credit: str = Field(description="In the legal entity's base currency.")
    currency: str
    amount_currency: str = Field(description="Signed (debit positive), in `currency`.")
    rate: str
    memo: str
    client_id: int | None
    counterparty_id: int | None

    @staticmethod
    def resolve_debit(obj) -> str:
        return money_text(obj.debit, obj.company.base_currency)

    @staticmethod
    def resolve_credit(obj) -> str:
        return money_text(obj.credit, obj.company.base_currency)

    @staticmethod
    def resolve_amount_currency(obj) -> str:
        return money_text(obj.amount_currency, obj.currency)

    @staticmethod
    def resolve_rate(obj) -> str:
        return str(obj.rate.normalize())


class EntryOut(Schema):
    id: int
    company_id: int
    journal_id: int
    reference: str
    number: int | None
    date: datetime.date
    memo: str
    status: Literal[tuple(Entry.Status.values)]
    is_closing: bool
    reversal_of_id: int | None
    origin_type: str | None = Field(None, description="app_label.model of the document the entry comes from.")
    origin_id: int | None
    lines: list[EntryLineOut]
    actions: list[str] = Field(description="What may be done with the entry now: `reverse`.")

    @staticmethod
    def resolve_origin_type(obj) -> str | None:
        return f"{obj.origin_type.app_label}.{obj.origin_type.model}" if obj.origin_type_id else None

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        return ["reverse"] if obj.can_reverse() else []


class EntryFilters(Schema):
    company_id: Id | None = None
    journal_id: Id | None = None
    account_id: Id | None = None
    status: Literal[tuple(Entry.Status.values)] | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class TrialBalanceQuery(Schema):
    date_from: Date
    date_to: Date
    compare: Literal["", "previous", "year"] = Field("", description="`previous`: the range just before, as "
                                                                     "long; `year`: the same dates a year earlier.")
    company_id: Id | None = None


class TrialBalanceRowOut(Schema):
    account_id: int
    code: str
    name: str
    type: str
    opening: str
    debit: str
    credit: str
    closing: str
    previous_closing: str | None


class TrialBalanceOut(Schema):
    company_id: int
    currency: str
    date_from: datetime.date
    date_to: datetime.date
    compare_from: datetime.date | None
    compare_to: datetime.date | None
    rows: list[TrialBalanceRowOut]
    totals: TrialBalanceRowOut
