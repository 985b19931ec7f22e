"""Actual against budget per account and period. Budgets are per whole period, so the actuals are AccountBalance
rows (the year-end closing entry left out), never lines. Amounts in the account's natural sign."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from tandem.finance.models import Account, AccountBalance, Budget, BudgetLine, EntryLine, Period
from tandem.finance.reports.statements import natural

ZERO = Decimal(0)


@dataclass
class VarianceRow:
    account: Account
    period: Period | None  # None: the account's total over the periods shown
    budget: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def percent(self) -> Decimal | None:
        """Actual as a share of the budget, in percent (None without a budget)."""
        if not self.budget:
            return None
        return (self.actual * 100 / self.budget).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class BudgetReport:
    budget: Budget
    periods: list[Period]
    accounts: list[tuple[VarianceRow, list[VarianceRow]]] = field(default_factory=list)  # total, per period

    @property
    def currency(self) -> str:
        return self.budget.company.base_currency

    @property
    def rows(self) -> list[VarianceRow]:
        return [row for _total, periods in self.accounts for row in periods]

    @property
    def total(self) -> VarianceRow:
        return VarianceRow(account=None, period=None, budget=sum((t.budget for t, _p in self.accounts), ZERO),
                           actual=sum((t.actual for t, _p in self.accounts), ZERO))


def budget_periods(budget: Budget, date_from=None, date_to=None) -> list[Period]:
    qs = Period.objects.filter(fiscal_year_id=budget.fiscal_year_id).order_by("start_date")
    if date_from:
        qs = qs.filter(end_date__gte=date_from)
    if date_to:
        qs = qs.filter(start_date__lte=date_to)
    return list(qs)


def budget_vs_actual(budget: Budget, *, date_from=None, date_to=None) -> BudgetReport:
    periods = budget_periods(budget, date_from, date_to)
    report = BudgetReport(budget=budget, periods=periods)
    period_ids = [p.pk for p in periods]
    planned = {(row["account_id"], row["period_id"]): row["amount"] for row in
               BudgetLine.objects.filter(budget=budget, period_id__in=period_ids)
               .values("account_id", "period_id", "amount")}
    actual: dict[tuple, Decimal] = {}
    for row in (AccountBalance.objects.filter(company_id=budget.company_id, period_id__in=period_ids)
                .values("account_id", "period_id", "debit", "credit")):
        actual[(row["account_id"], row["period_id"])] = row["debit"] - row["credit"]
    closing = (EntryLine.objects.filter(company_id=budget.company_id, period_id__in=period_ids,
                                        entry__is_closing=True)
               .values("account_id", "period_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    for row in closing:
        key = (row["account_id"], row["period_id"])
        actual[key] = actual.get(key, ZERO) - (row["d"] or ZERO) + (row["c"] or ZERO)
    budgeted_accounts = {account_id for account_id, _p in planned}
    # Accounts with a budget, and income and expense accounts that moved without one.
    accounts = Account.objects.filter(company_id=budget.company_id).filter(
        pk__in=budgeted_accounts | {a for a, _p in actual if a}).order_by("code")
    for account in accounts:
        if account.pk not in budgeted_accounts and not account.is_profit_and_loss:
            continue
        rows = []
        for period in periods:
            rows.append(VarianceRow(account=account, period=period, budget=planned.get((account.pk, period.pk), ZERO),
                                    actual=natural(account.type, actual.get((account.pk, period.pk), ZERO))))
        total = VarianceRow(account=account, period=None, budget=sum((r.budget for r in rows), ZERO),
                            actual=sum((r.actual for r in rows), ZERO))
        if total.budget or total.actual or any(r.budget or r.actual for r in rows):
            report.accounts.append((total, rows))
    return report
