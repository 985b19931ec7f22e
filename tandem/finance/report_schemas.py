"""API shapes of the financial reports and budgets. Amounts are decimal strings in the base currency."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema

from tandem.core.limits import Date
from tandem.core.schemas import DecimalString, Id, InputSchema


class ReportRangeQuery(Schema):
    date_from: Date
    date_to: Date
    compare: Literal["", "previous", "year"] = Field("", description="`previous`: the range just before, as "
                                                                     "long; `year`: the same dates a year earlier.")
    company_id: Id | None = None


class LinesExportQuery(Schema):
    date_from: Date
    date_to: Date
    account_id: Id | None = None
    company_id: Id | None = None


class FinancialStatementLineOut(Schema):
    account_id: int | None = Field(description="None for the year's unclosed result on the balance sheet.")
    code: str
    name: str
    amount: str
    previous: str | None
    difference: str | None
    ledger_from: datetime.date | None = Field(description="Drill-down: the account ledger's range.")
    ledger_to: datetime.date | None


class StatementGroupOut(Schema):
    title: str
    total: str
    previous_total: str | None
    lines: list[FinancialStatementLineOut]


class StatementSectionOut(Schema):
    key: str
    title: str
    total: str
    previous_total: str | None
    groups: list[StatementGroupOut]


class FinancialStatementOut(Schema):
    kind: str
    company_id: int
    currency: str
    date_from: datetime.date
    date_to: datetime.date
    compare_from: datetime.date | None
    compare_to: datetime.date | None
    sections: list[StatementSectionOut]
    totals: dict[str, str]
    previous_totals: dict[str, str]


class CashFlowRowOut(Schema):
    account_id: int
    code: str
    name: str
    amount: str
    previous: str | None


class CashFlowActivityOut(Schema):
    key: str
    title: str
    total: str
    previous_total: str | None
    rows: list[CashFlowRowOut]


class CashFlowOut(Schema):
    company_id: int
    currency: str
    date_from: datetime.date
    date_to: datetime.date
    compare_from: datetime.date | None
    compare_to: datetime.date | None
    opening: str
    closing: str
    net_change: str
    previous_opening: str | None
    previous_closing: str | None
    previous_net_change: str | None
    activities: list[CashFlowActivityOut]


class BudgetReportQuery(Schema):
    budget_id: Id


class VarianceOut(Schema):
    period_id: int | None
    period_start: datetime.date | None
    budget: str
    actual: str
    variance: str
    percent: str | None = Field(description="Actual in percent of the budget; null without a budget.")


class BudgetAccountOut(Schema):
    account_id: int
    code: str
    name: str
    total: VarianceOut
    periods: list[VarianceOut]


class BudgetReportOut(Schema):
    budget_id: int
    currency: str
    accounts: list[BudgetAccountOut]
    total: VarianceOut


class ForecastQuery(Schema):
    weeks: int = Field(13, ge=1, le=104)
    company_id: Id | None = None


class ForecastWeekOut(Schema):
    start: datetime.date
    end: datetime.date
    incoming: str
    outgoing: str
    net: str
    balance: str
    by_source: dict[str, str]


class ForecastOut(Schema):
    company_id: int
    currency: str
    today: datetime.date
    opening: str
    closing: str
    sources: dict[str, str] = Field(description="Source key → label: receivables, payables, and upper modules'.")
    weeks: list[ForecastWeekOut]


class BudgetLineOut(Schema):
    account_id: int
    period_id: int
    amount: str


class BudgetOut(Schema):
    id: int
    company_id: int
    fiscal_year_id: int
    name: str
    version: int
    lines: list[BudgetLineOut]


class BudgetSummaryOut(Schema):
    id: int
    company_id: int
    fiscal_year_id: int
    name: str
    version: int


class BudgetIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    fiscal_year_id: Id


class BudgetPatch(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    version: int | None = None


class BudgetLineIn(InputSchema):
    account_id: Id
    period_id: Id
    amount: DecimalString = Field(description="Zero removes the cell.")


class BudgetLinesIn(InputSchema):
    lines: list[BudgetLineIn] = Field(max_length=5000)
    version: int | None = None


class TaxReportRowOut(Schema):
    side: Literal["output", "input"]
    code: str = Field(description="The tax rate's code; empty for lines with a percentage and no rate row.")
    name: str
    kind: str = Field(description="standard, reduced, zero, exempt or reverse_charge.")
    percent: str
    base: str = Field(description="Taxable base, documents minus credit notes, base currency.")
    tax: str
    credited_base: str = Field(description="The credit notes' part of the base (already subtracted).")
    credited_tax: str
    documents: int
    previous_base: str | None
    previous_tax: str | None


class TaxReportAccountOut(Schema):
    account_id: int
    code: str
    name: str
    debit: str
    credit: str
    movement: str = Field(description="Credit − debit in the range.")


class TaxReportLineOut(Schema):
    entry_id: int
    entry: str
    date: datetime.date
    account_code: str
    memo: str
    debit: str
    credit: str


class TaxReportOut(Schema):
    company_id: int
    currency: str
    date_from: datetime.date
    date_to: datetime.date
    compare_from: datetime.date | None
    compare_to: datetime.date | None
    rows: list[TaxReportRowOut]
    totals: dict[str, str] = Field(description="output_base, output_tax, input_base, input_tax, net_payable, "
                                               "ledger_movement, difference.")
    previous_totals: dict[str, str] | None
    accounts: list[TaxReportAccountOut]
    unexplained_lines: list[TaxReportLineOut] = Field(description="Lines on tax accounts in the range that no "
                                                                  "reported document posted (at most 200).")
    unexplained_count: int
