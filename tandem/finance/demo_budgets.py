"""Demo budgets: one budget ("Plan") for the demo legal entity's current fiscal year, with monthly amounts for
sales, rent, wages, office supplies and bank charges. Deterministic, a few dozen cells; nothing happens when the
year has a budget already or there is no fiscal year."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from tandem.core.models import User
from tandem.core.services import default_legal_entity
from tandem.finance import budgets
from tandem.finance.models import Account, Budget, FiscalYear, Period

# account code → monthly amount (natural sign)
PLAN = {"4000": Decimal("1500.00"), "4100": Decimal("2500.00"), "6000": Decimal("0"), "6100": Decimal("1800.00"),
        "6200": Decimal("100.00"), "7000": Decimal("10.00")}


def build_budget_demo(today=None) -> list[str]:
    admin = User.objects.filter(username="admin").first()
    company = default_legal_entity()
    today = today or timezone.localdate()
    year = FiscalYear.objects.filter(company=company, start_date__lte=today, end_date__gte=today).first()
    if admin is None or year is None or Budget.objects.filter(fiscal_year=year).exists():
        return []
    budget = budgets.create_budget(company, by=admin, fiscal_year=year, name="Plan")
    accounts = {a.code: a for a in Account.objects.filter(company=company, code__in=PLAN)}
    periods = list(Period.objects.filter(fiscal_year=year).order_by("start_date"))
    budgets.set_budget_amounts(budget, by=admin, amounts=[
        {"account": accounts[code], "period": period,
         "amount": amount * (1 + Decimal(index % 3) / 10)}  # a little seasonality
        for code, amount in PLAN.items() if amount and code in accounts for index, period in enumerate(periods)])
    return [f"Finance: budget {budget} with {budget.lines.count()} monthly amounts."]
