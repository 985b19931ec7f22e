"""API shapes of monthly sales targets and of the sales dashboard (amounts as decimal strings)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core.schemas import BaseTotalOut, InputSchema, MoneyOut, money_list


class UserRef(Schema):
    id: int
    name: str


class SalesTargetOut(Schema):
    user: UserRef
    month: str = Field(description="YYYY-MM")
    amount: str | None = Field(description="Decimal as a string; null while no target is set.")
    currency: str


class SalesTargetIn(InputSchema):
    # Checked by crm.services.targets (after the permission check), not here: a decimal string or an integer.
    amount: str | int | None = Field(description='The month\'s target in the company\'s base currency as a decimal '
                                     'string, e.g. "25000.00".', examples=["25000.00"])


class DashboardTotalOut(BaseTotalOut):
    """Amounts in several currencies added up in the base currency at the day's rates, as the deal board adds
    them; `by_currency` keeps each currency's own (unconverted) amount."""

    by_currency: list[MoneyOut] = Field(description="Each currency's amount before conversion.")

    @staticmethod
    def resolve_by_currency(obj) -> list[dict]:
        return money_list(obj.by_currency)


class DashboardPipelineOut(Schema):
    count: int
    value: DashboardTotalOut = Field(description="Open amounts in the base currency (the deal board's total).")
    weighted: DashboardTotalOut = Field(
        description="Weighted forecast in the base currency: each stage's converted total × its probability, as "
                    "on the deal board; `by_currency`: amount × probability per currency, unconverted.")


class DashboardRepOut(Schema):
    user: UserRef
    won_this_month: DashboardTotalOut
    won_last_month: DashboardTotalOut
    won_count_this_month: int
    won_count_last_month: int
    target: MoneyOut | None = Field(description="The month's target in the base currency; null while none is "
                                    "set, amount null when it is in a currency without a rate.")
    target_percent: int | None = Field(description="Won this month (base currency) as a whole percentage of the "
                                       "target; null without a target.")
    calls: int
    meetings: int
    deals_moved: int
    tasks_overdue: int


class DashboardMyDayOut(Schema):
    overdue_tasks: int
    today_tasks: int


class DashboardOut(Schema):
    view: str = Field(description='"manager" (the team) or "representative" (your own numbers).')
    currency: str = Field(description="The company's base currency: every total and target is in it.")
    rates_date: datetime.date = Field(description="The day whose exchange rates converted the amounts (today).")
    missing_rates: list[str] = Field(description="Currencies without an exchange rate by that day: their amounts "
                                     "are in no total (each total lists its own in `missing`).")
    month: str
    week_start: str
    pipeline: DashboardPipelineOut
    representatives: list[DashboardRepOut] | None = None
    my_day: DashboardMyDayOut | None = None
    won_this_month: DashboardTotalOut | None = None
    won_count_this_month: int | None = None
    target: MoneyOut | None = None
    target_percent: int | None = None
