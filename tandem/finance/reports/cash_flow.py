"""The cash-flow statement, direct method: what came into and went out of the bank and cash accounts in a
range, by counter-account, in three activities — operating (customers, suppliers, taxes, income, expenses),
investing (fixed assets) and financing (equity, loans) — with the opening and closing cash.

The lines read are the counter-lines of entries that move cash in the range (one aggregate query); the opening
and closing cash come from AccountBalance like the trial balance. A transfer between two cash accounts moves
no cash and shows nowhere."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tandem.finance.models import Account, EntryLine
from tandem.finance.queries import _closing_balances, previous_range

ZERO = Decimal(0)
CASH_SUBTYPES = (Account.Subtype.BANK, Account.Subtype.CASH)
ACTIVITIES = (("operating", _("Operating activities")), ("investing", _("Investing activities")),
              ("financing", _("Financing activities")))


def activity_of(account: Account) -> str:
    if account.subtype == Account.Subtype.FIXED_ASSET:
        return "investing"
    if account.type == Account.Type.EQUITY or account.subtype == Account.Subtype.LOAN:
        return "financing"
    return "operating"


@dataclass
class CashFlowRow:
    account: Account
    amount: Decimal = ZERO  # cash in positive
    previous: Decimal | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.amount - self.previous


@dataclass
class CashFlowActivity:
    key: str
    title: str
    rows: list[CashFlowRow] = field(default_factory=list)
    compared: bool = False

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)

    @property
    def previous_total(self) -> Decimal | None:
        return sum((row.previous or ZERO for row in self.rows), ZERO) if self.compared else None


@dataclass
class CashFlow:
    company: object
    date_from: datetime.date
    date_to: datetime.date
    opening: Decimal = ZERO
    closing: Decimal = ZERO
    activities: list[CashFlowActivity] = field(default_factory=list)
    compare_from: datetime.date | None = None
    compare_to: datetime.date | None = None
    previous_opening: Decimal | None = None
    previous_closing: Decimal | None = None

    @property
    def currency(self) -> str:
        return self.company.base_currency

    @property
    def net_change(self) -> Decimal:
        return sum((activity.total for activity in self.activities), ZERO)

    @property
    def previous_net_change(self) -> Decimal | None:
        if self.compare_to is None:
            return None
        return sum((activity.previous_total or ZERO for activity in self.activities), ZERO)

    def activity(self, key: str) -> CashFlowActivity:
        return next(activity for activity in self.activities if activity.key == key)


def cash_account_ids(company) -> list[int]:
    return list(Account.objects.filter(company=company, subtype__in=CASH_SUBTYPES).values_list("pk", flat=True))


def _cash_movements(company, cash_ids, date_from, date_to) -> dict[int, Decimal]:
    """Cash in (positive) per counter-account: the counter-lines of entries with a cash line in the range."""
    if not cash_ids:
        return {}
    cash_entries = EntryLine.objects.filter(company=company, account_id__in=cash_ids,
                                            date__range=(date_from, date_to)).values("entry_id")
    rows = (EntryLine.objects.filter(company=company, entry_id__in=cash_entries, date__range=(date_from, date_to))
            .exclude(account_id__in=cash_ids).values("account_id").annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by())
    return {row["account_id"]: (row["c"] or ZERO) - (row["d"] or ZERO) for row in rows}


def _cash_at(company, cash_ids, day) -> Decimal:
    balances = _closing_balances(company, day)
    return sum((balances.get(pk, ZERO) for pk in cash_ids), ZERO)


def cash_flow(company, date_from: datetime.date, date_to: datetime.date, *, compare: str = "") -> CashFlow:
    report = CashFlow(company=company, date_from=date_from, date_to=date_to)
    cash_ids = cash_account_ids(company)
    one_day = datetime.timedelta(days=1)
    report.opening = _cash_at(company, cash_ids, date_from - one_day)
    report.closing = _cash_at(company, cash_ids, date_to)
    current = _cash_movements(company, cash_ids, date_from, date_to)
    previous = None
    span = previous_range(date_from, date_to, compare)
    if span:
        report.compare_from, report.compare_to = span
        previous = _cash_movements(company, cash_ids, *span)
        report.previous_opening = _cash_at(company, cash_ids, span[0] - one_day)
        report.previous_closing = _cash_at(company, cash_ids, span[1])
    report.activities = [CashFlowActivity(key=key, title=str(title), compared=previous is not None)
                         for key, title in ACTIVITIES]
    by_key = {activity.key: activity for activity in report.activities}
    ids = set(current) | set(previous or {})
    for account in Account.objects.filter(pk__in=ids).order_by("code"):
        row = CashFlowRow(account=account, amount=current.get(account.pk, ZERO),
                          previous=None if previous is None else previous.get(account.pk, ZERO))
        if row.amount or row.previous:
            by_key[activity_of(account)].rows.append(row)
    return report
