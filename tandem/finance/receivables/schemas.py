"""API shapes of receivables. Amounts are decimal strings rounded to their currency."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.limits import Date
from tandem.core.schemas import DecimalString, Id, InputSchema
from tandem.finance.models import CreditPolicy

Side = Literal["receivable", "payable"]
Group = Literal["client", "counterparty"]


class AgingQuery(Schema):
    company_id: Id | None = None
    date: Date | None = Field(None, description="The day the buckets are counted at; today when left out.")
    side: Side = "receivable"
    group: Group = "client"
    client_id: Id | None = None
    currency: str = Field("", max_length=3, description="Only invoices in this currency.")


class BucketsOut(Schema):
    not_due: str
    days_1_30: str
    days_31_60: str
    days_61_90: str
    over_90: str
    total: str


class AgingCurrencyOut(BucketsOut):
    currency: str


class AgingRowOut(Schema):
    id: int | None
    name: str
    count: int
    base: BucketsOut
    by_currency: list[AgingCurrencyOut]


class AgingOut(Schema):
    company_id: int
    date: datetime.date
    side: str
    group: str
    currency: str
    rows: list[AgingRowOut]
    totals: BucketsOut
    totals_by_currency: list[AgingCurrencyOut]


class ExposureQuery(Schema):
    company_id: Id | None = None
    date: Date | None = Field(None, description="Overdue counted at this day; today when left out.")


class OverdueQuery(Schema):
    company_id: Id | None = None
    date: Date | None = None
    client_id: Id | None = None
    owner_id: Id | None = None
    min_days: int = Field(1, ge=1, le=36500, description="At least this many days past the due date.")


class OverdueOut(Schema):
    id: int
    number: str
    client_id: int
    client: str
    owner_id: int | None
    invoice_date: datetime.date
    due_date: datetime.date
    days_overdue: int
    currency: str
    total: str
    amount_due: str
    last_reminder: str


class PaymentHistoryQuery(Schema):
    company_id: Id | None = None
    client_id: Id | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class PaymentHistoryOut(Schema):
    month: datetime.date
    account_id: int
    account: str
    direction: str
    currency: str
    amount: str
    count: int


class CreditLimitIn(InputSchema):
    amount: DecimalString | None = Field(..., description="The limit; null removes it.")
    currency: str = Field(min_length=3, max_length=3)
    max_overdue: DecimalString | None = None
    max_days_overdue: int | None = Field(None, ge=0, le=36500)
    note: str = Field("", max_length=300)
    version: int | None = Field(None, description="The version you read; a stale one is refused (409).")


class CreditLimitOut(Schema):
    client_id: int
    amount: str | None
    currency: str | None
    max_overdue: str | None
    max_days_overdue: int | None
    note: str
    version: int | None


class ExposureOut(Schema):
    client_id: int
    date: datetime.date
    currency: str
    open_amount: str
    unallocated: str
    balance: str
    overdue: str
    max_days_overdue: int
    limit: str | None
    max_overdue: str | None
    available: str | None
    over_limit: bool
    by_currency: dict[str, str]


class CreditPolicyIn(InputSchema):
    company_id: Id | None = None
    mode: Literal[tuple(CreditPolicy.Mode.values)]


class CreditPolicyOut(Schema):
    company_id: int
    mode: str


class DunningLevelIn(InputSchema):
    company_id: Id | None = None
    days_overdue: int = Field(ge=1, le=36500)
    name: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=5000)
    fee: DecimalString | None = None
    fee_currency: str = Field("", max_length=3)


class DunningLevelPatch(InputSchema):
    days_overdue: int | None = Field(None, ge=1, le=36500)
    name: str | None = Field(None, min_length=1, max_length=100)
    text: str | None = Field(None, min_length=1, max_length=5000)
    fee: DecimalString | None = None
    fee_currency: str | None = Field(None, max_length=3)
    is_active: bool | None = None


class DunningLevelOut(Schema):
    id: int
    company_id: int
    days_overdue: int
    name: str
    text: str
    fee: str | None
    fee_currency: str
    is_active: bool


class DunningRunIn(InputSchema):
    company_id: Id | None = None
    date: Date | None = None
    send: bool = Field(False, description="Send at once (else the reminders are proposed, to send later).")


class SendIn(InputSchema):
    reminder_ids: list[Id] = Field(max_length=1000)


class ReminderOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str
    client_id: int
    level: str
    run_date: datetime.date
    days_overdue: int
    amount_due: str
    currency: str
    fee: str
    text: str
    status: str


class ReminderQuery(Schema):
    company_id: Id | None = None
    client_id: Id | None = None
    status: Literal["", "proposed", "sent"] = ""
