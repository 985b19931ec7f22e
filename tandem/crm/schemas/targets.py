"""API shapes of monthly sales targets and of the sales dashboard (amounts as decimal strings)."""

from __future__ import annotations

from ninja import Field, Schema

from tandem.core.schemas import InputSchema, MoneyOut


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


class DashboardPipelineOut(Schema):
    count: int
    value: list[MoneyOut]
    weighted: list[MoneyOut] = Field(description="Open amounts × stage probability, per currency (not converted).")


class DashboardRepOut(Schema):
    user: UserRef
    won_this_month: list[MoneyOut]
    won_last_month: list[MoneyOut]
    won_count_this_month: int
    won_count_last_month: int
    target: MoneyOut | None
    target_percent: int | None
    calls: int
    meetings: int
    deals_moved: int
    tasks_overdue: int


class DashboardMyDayOut(Schema):
    overdue_tasks: int
    today_tasks: int


class DashboardOut(Schema):
    view: str = Field(description='"manager" (the team) or "representative" (your own numbers).')
    currency: str = Field(description="The company's base currency (targets are in it).")
    month: str
    week_start: str
    pipeline: DashboardPipelineOut
    representatives: list[DashboardRepOut] | None = None
    my_day: DashboardMyDayOut | None = None
    won_this_month: list[MoneyOut] | None = None
    won_count_this_month: int | None = None
    target: MoneyOut | None = None
    target_percent: int | None = None
