"""Profit and loss and the balance sheet, from AccountBalance plus the lines of the periods a range cuts
(finance.queries._movements, like the trial balance): a handful of queries whatever the number of lines.

Signs: a statement shows amounts in the account's natural sign — income, liabilities and equity as credit minus
debit, expenses and assets as debit minus credit — so every amount a reader expects positive is positive. The
year-end closing entry (income and expenses carried to retained earnings) is left out of profit and loss, so a
closed year still shows its result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tandem.finance.models import Account, EntryLine, FiscalYear
from tandem.finance.queries import _closing_balances, _movements, previous_range

ZERO = Decimal(0)
CREDIT_NATURE = (Account.Type.INCOME, Account.Type.LIABILITY, Account.Type.EQUITY)


def natural(account_type: str, debit_minus_credit: Decimal) -> Decimal:
    """An amount (debit positive) in the account type's natural sign."""
    return -debit_minus_credit if account_type in CREDIT_NATURE else debit_minus_credit


@dataclass
class StatementLine:
    account: Account | None
    label: str
    amount: Decimal = ZERO
    previous: Decimal | None = None
    link_from: datetime.date | None = None  # the account ledger's range for the drill-down
    link_to: datetime.date | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous


@dataclass
class StatementGroup:
    title: str
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def previous_total(self) -> Decimal | None:
        if not self.lines or self.lines[0].previous is None:
            return None
        return sum((line.previous or ZERO for line in self.lines), ZERO)

    @property
    def difference(self) -> Decimal | None:
        previous = self.previous_total
        return None if previous is None else self.total - previous


@dataclass
class StatementSection:
    key: str
    title: str
    groups: list[StatementGroup] = field(default_factory=list)
    compared: bool = False

    @property
    def lines(self) -> list[StatementLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def total(self) -> Decimal:
        return sum((group.total for group in self.groups), ZERO)

    @property
    def previous_total(self) -> Decimal | None:
        return sum((line.previous or ZERO for line in self.lines), ZERO) if self.compared else None

    @property
    def difference(self) -> Decimal | None:
        previous = self.previous_total
        return None if previous is None else self.total - previous


@dataclass
class Statement:
    kind: str  # "profit-and-loss" | "balance-sheet"
    company: object
    date_from: datetime.date
    date_to: datetime.date
    sections: list[StatementSection] = field(default_factory=list)
    compare_from: datetime.date | None = None
    compare_to: datetime.date | None = None
    # Named totals: P&L "net_result"; balance sheet "assets", "liabilities_and_equity", "current_result".
    totals: dict[str, Decimal] = field(default_factory=dict)
    previous_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.company.base_currency

    def section(self, key: str) -> StatementSection:
        return next(section for section in self.sections if section.key == key)


def _closing_entry_sums(company, date_from, date_to) -> dict[int, Decimal]:
    """Debit minus credit of year-end closing entries in the range per account (a few lines a year)."""
    rows = (EntryLine.objects.filter(company=company, entry__is_closing=True, date__range=(date_from, date_to))
            .values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    return {row["account_id"]: (row["d"] or ZERO) - (row["c"] or ZERO) for row in rows}


def _profit_and_loss_balances(company, date_from, date_to) -> dict[int, Decimal]:
    """Debit minus credit per account moved in the range, closing entries left out."""
    closing = _closing_entry_sums(company, date_from, date_to)
    return {pk: d - c - closing.get(pk, ZERO) for pk, (d, c) in _movements(company, date_from, date_to).items()}


def _group_title(account: Account) -> str:
    if account.parent_id:
        return str(account.parent)
    return str(account.get_subtype_display() if account.subtype else account.get_type_display())


def _sections(company, types_titles, current: dict[int, Decimal], previous: dict[int, Decimal] | None,
              link_from, link_to) -> list[StatementSection]:
    ids = set(current) | set(previous or {})
    accounts = (Account.objects.filter(company=company, pk__in=ids, type__in=[t for t, _t in types_titles])
                .select_related("parent").order_by("code"))
    sections = {t: StatementSection(key=t, title=str(title), compared=previous is not None) for t, title in
                types_titles}
    groups: dict[tuple, StatementGroup] = {}
    for account in accounts:
        amount = natural(account.type, current.get(account.pk, ZERO))
        before = None if previous is None else natural(account.type, previous.get(account.pk, ZERO))
        if not amount and not before:
            continue
        key = (account.type, account.parent_id or account.subtype)
        if key not in groups:
            groups[key] = StatementGroup(title=_group_title(account))
            sections[account.type].groups.append(groups[key])
        groups[key].lines.append(StatementLine(account=account, label=str(account), amount=amount, previous=before,
                                               link_from=link_from, link_to=link_to))
    return list(sections.values())


def profit_and_loss(company, date_from: datetime.date, date_to: datetime.date, *, compare: str = "") -> Statement:
    report = Statement(kind="profit-and-loss", company=company, date_from=date_from, date_to=date_to)
    current = _profit_and_loss_balances(company, date_from, date_to)
    previous = None
    span = previous_range(date_from, date_to, compare)
    if span:
        report.compare_from, report.compare_to = span
        previous = _profit_and_loss_balances(company, *span)
    report.sections = _sections(company, [(Account.Type.INCOME, _("Income")), (Account.Type.EXPENSE, _("Expenses"))],
                                current, previous, date_from, date_to)
    income, expenses = report.section(Account.Type.INCOME), report.section(Account.Type.EXPENSE)
    report.totals = {"income": income.total, "expenses": expenses.total, "net_result": income.total - expenses.total}
    if span:
        report.previous_totals = {"income": income.previous_total, "expenses": expenses.previous_total,
                                  "net_result": income.previous_total - expenses.previous_total}
    return report


def _fiscal_year_start(company, day: datetime.date) -> datetime.date:
    year = FiscalYear.objects.filter(company=company, start_date__lte=day, end_date__gte=day).first()
    return year.start_date if year else day.replace(month=1, day=1)


def balance_sheet(company, date_from: datetime.date, date_to: datetime.date, *, compare: str = "") -> Statement:
    """Balances at `date_to` (the range's end; the compared range's end for the compare column). Equity holds the
    result not yet closed into retained earnings (income and expense balances since the last closing), so assets
    equal liabilities plus equity."""
    report = Statement(kind="balance-sheet", company=company, date_from=date_from, date_to=date_to)
    current = _closing_balances(company, date_to)
    previous = None
    span = previous_range(date_from, date_to, compare)
    if span:
        report.compare_from, report.compare_to = span
        previous = _closing_balances(company, span[1])
    year_start = _fiscal_year_start(company, date_to)
    report.sections = _sections(company, [(Account.Type.ASSET, _("Assets")),
                                          (Account.Type.LIABILITY, _("Liabilities")),
                                          (Account.Type.EQUITY, _("Equity"))], current, previous, year_start, date_to)
    pl_ids = set(Account.objects.filter(company=company, type__in=Account.PROFIT_AND_LOSS).values_list("pk", flat=True))

    def unclosed(balances):  # credit positive: a profit
        return -sum((value for pk, value in balances.items() if pk in pl_ids), ZERO)

    equity = report.section(Account.Type.EQUITY)
    result_line = StatementLine(account=None, label=str(_("Result of the year not yet closed")),
                                amount=unclosed(current), previous=unclosed(previous) if span else None)
    if result_line.amount or result_line.previous:
        equity.groups.append(StatementGroup(title=str(_("Current year's result")), lines=[result_line]))
    report.totals = _balance_totals(report, "total")
    if span:
        report.previous_totals = _balance_totals(report, "previous_total")
    report.totals["current_result"] = result_line.amount
    if span:
        report.previous_totals["current_result"] = result_line.previous
    return report


def _balance_totals(report: Statement, name: str) -> dict[str, Decimal]:
    values = {key: getattr(report.section(key), name) or ZERO for key in ("asset", "liability", "equity")}
    return {"assets": values["asset"], "liabilities": values["liability"], "equity": values["equity"],
            "liabilities_and_equity": values["liability"] + values["equity"]}
