"""Reads of the ledger shared by pages and API: lists, the trial balance, the account ledger.

The trial balance adds AccountBalance rows (one per account and period, maintained by the postings) for the
periods wholly inside or before the asked range, and only the lines of a partly covered period at its edges:
its cost grows with accounts × periods, not with the number of lines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from tandem.core.models import LegalEntity
from tandem.core.services import default_legal_entity
from tandem.finance.models import Account, AccountBalance, Entry, EntryLine, FiscalYear, Journal, Period

ZERO = Decimal(0)


def company_for(company_id: int | None = None):
    """The legal entity a finance page or endpoint works on: the one asked for, else the default."""
    if company_id:
        return LegalEntity.objects.filter(pk=company_id).first()
    return default_legal_entity()


def accounts(company, *, archived: str | None = None, q: str = "", type: str = "") -> QuerySet[Account]:
    qs = Account.objects.filter(company=company).in_archive_state(archived).select_related("parent")
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name__icontains=q))
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("code")


def journals(company, *, archived: str | None = None) -> QuerySet[Journal]:
    return Journal.objects.filter(company=company).in_archive_state(archived).order_by("code")


def fiscal_years(company) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.filter(company=company).order_by("-start_date")


def periods(company, *, fiscal_year_id: int | None = None) -> QuerySet[Period]:
    qs = Period.objects.filter(company=company).select_related("fiscal_year")
    if fiscal_year_id:
        qs = qs.filter(fiscal_year_id=fiscal_year_id)
    return qs.order_by("-start_date")


def entries(company, *, journal_id=None, status: str = "", date_from=None, date_to=None,
            account_id=None) -> QuerySet[Entry]:
    qs = Entry.objects.filter(company=company).select_related("journal", "fiscal_year", "reversal_of__journal",
                                                              "reversal_of__fiscal_year")
    if journal_id:
        qs = qs.filter(journal_id=journal_id)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if account_id:
        qs = qs.filter(lines__account_id=account_id).distinct()
    return qs.order_by("-date", "-id")


def entry_with_lines(company, pk) -> Entry | None:
    return (Entry.objects.filter(company=company, pk=pk)
            .select_related("journal", "fiscal_year", "period", "posted_by", "reversal_of__journal",
                            "reversal_of__fiscal_year")
            .prefetch_related(lines_prefetch()).first())


def lines_prefetch() -> Prefetch:
    return Prefetch("lines", EntryLine.objects.select_related("account", "company", "client", "counterparty"))


def entry_total(entry: Entry) -> Decimal:
    return sum((line.debit for line in entry.lines.all()), ZERO)


# --- Trial balance ------------------------------------------------------------------------------------------

@dataclass
class TrialBalanceRow:
    account: Account
    opening: Decimal = ZERO  # debit positive
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    previous_closing: Decimal | None = None

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


@dataclass
class TrialBalance:
    company: object
    date_from: datetime.date
    date_to: datetime.date
    rows: list[TrialBalanceRow] = field(default_factory=list)
    compare_from: datetime.date | None = None
    compare_to: datetime.date | None = None

    @property
    def currency(self) -> str:
        return self.company.base_currency

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) or ZERO for row in self.rows), ZERO)

    @property
    def totals(self) -> dict:
        return {name: self.total(name) for name in ("opening", "debit", "credit", "closing", "previous_closing")}


def _sums(qs, fields=("debit", "credit")) -> dict[int, tuple[Decimal, Decimal]]:
    rows = qs.values("account_id").annotate(d=Sum(fields[0]), c=Sum(fields[1])).order_by()
    return {row["account_id"]: (row["d"] or ZERO, row["c"] or ZERO) for row in rows}


def _movements(company, date_from: datetime.date | None, date_to: datetime.date) -> dict[int, tuple]:
    """Posted debits and credits per account dated in [date_from, date_to] (date_from None: since ever).

    Periods wholly inside the range are summed from AccountBalance; at most two periods are cut by the range's
    edges, and only their lines are read (by period, through the entry_line_period_date index)."""
    touched = Period.objects.filter(company=company, start_date__lte=date_to)
    if date_from is not None:
        touched = touched.filter(end_date__gte=date_from)
    whole = Q(period__end_date__lte=date_to)
    if date_from is not None:
        whole &= Q(period__start_date__gte=date_from)
    cut = Q(end_date__gt=date_to)
    if date_from is not None:
        cut |= Q(start_date__lt=date_from)
    cut_ids = list(touched.filter(cut).values_list("pk", flat=True))
    sources = [_sums(AccountBalance.objects.filter(whole, company=company))]
    if cut_ids:
        lines = EntryLine.objects.filter(period_id__in=cut_ids, date__lte=date_to)
        if date_from is not None:
            lines = lines.filter(date__gte=date_from)
        sources.append(_sums(lines))
    result: dict[int, list[Decimal]] = {}
    for source in sources:
        for account_id, (debit, credit) in source.items():
            sums = result.setdefault(account_id, [ZERO, ZERO])
            sums[0] += debit
            sums[1] += credit
    return {k: tuple(v) for k, v in result.items()}


def _closing_balances(company, date_to: datetime.date) -> dict[int, Decimal]:
    return {k: d - c for k, (d, c) in _movements(company, None, date_to).items()}


def previous_range(date_from: datetime.date, date_to: datetime.date, compare: str) -> tuple | None:
    """The range to compare with: "previous" (as many months, or days, just before), "year" (a year earlier)."""
    if compare == "year":
        def back(day):
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)
        return back(date_from), back(date_to)
    if compare == "previous":
        if date_from.day == 1 and (date_to + datetime.timedelta(days=1)).day == 1:
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
            month = date_from.month - 1 - months
            start = datetime.date(date_from.year + month // 12, month % 12 + 1, 1)
            return start, date_from - datetime.timedelta(days=1)
        length = date_to - date_from
        end = date_from - datetime.timedelta(days=1)
        return end - length, end
    return None


def trial_balance(company, date_from: datetime.date, date_to: datetime.date, *, compare: str = "",
                  include_zero: bool = False) -> TrialBalance:
    """Opening (balance before date_from), debit, credit and closing per account, and with `compare` the
    closing of the compared range per account. Sums in SQL; a handful of queries whatever the line count."""
    report = TrialBalance(company=company, date_from=date_from, date_to=date_to)
    opening = _closing_balances(company, date_from - datetime.timedelta(days=1))
    moves = _movements(company, date_from, date_to)
    previous: dict[int, Decimal] = {}
    span = previous_range(date_from, date_to, compare)
    if span:
        report.compare_from, report.compare_to = span
        previous = _closing_balances(company, span[1])
    ids = set(opening) | set(moves) | set(previous)
    qs = Account.objects.filter(company=company)
    if not include_zero:
        qs = qs.filter(pk__in=ids)
    for account in qs.order_by("code"):
        debit, credit = moves.get(account.pk, (ZERO, ZERO))
        row = TrialBalanceRow(account=account, opening=opening.get(account.pk, ZERO), debit=debit, credit=credit,
                              previous_closing=previous.get(account.pk, ZERO) if span else None)
        if include_zero or row.opening or row.debit or row.credit or row.closing or row.previous_closing:
            report.rows.append(row)
    return report


# --- Account ledger (drill-down) ----------------------------------------------------------------------------

@dataclass
class AccountLedger:
    account: Account
    date_from: datetime.date
    date_to: datetime.date
    opening: Decimal
    lines: QuerySet
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def account_ledger(account: Account, date_from: datetime.date, date_to: datetime.date) -> AccountLedger:
    company = account.company
    opening = _closing_balances(company, date_from - datetime.timedelta(days=1)).get(account.pk, ZERO)
    debit, credit = _movements(company, date_from, date_to).get(account.pk, (ZERO, ZERO))
    lines = (EntryLine.objects.filter(account=account, date__gte=date_from, date__lte=date_to)
             .select_related("entry__journal", "entry__fiscal_year").order_by("date", "entry_id", "id"))
    return AccountLedger(account=account, date_from=date_from, date_to=date_to, opening=opening, lines=lines,
                         debit=debit, credit=credit)


def with_running_balance(ledger: AccountLedger, page_lines: list[EntryLine]) -> list[tuple[EntryLine, Decimal]]:
    """Lines of one page with the balance after each (one aggregate for the lines of earlier pages)."""
    if not page_lines:
        return []
    first = page_lines[0]
    before = ledger.lines.filter(Q(date__lt=first.date) | Q(date=first.date, entry_id__lt=first.entry_id)
                                 | Q(date=first.date, entry_id=first.entry_id, id__lt=first.id)
                                 ).aggregate(d=Sum("debit"), c=Sum("credit"))
    balance = ledger.opening + (before["d"] or ZERO) - (before["c"] or ZERO)
    out = []
    for line in page_lines:
        balance += line.debit - line.credit
        out.append((line, balance))
    return out


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The current month."""
    today = today or datetime.date.today()
    start = today.replace(day=1)
    next_month = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, next_month - datetime.timedelta(days=1)


def entry_totals(entry_ids: list[int]) -> dict[int, Decimal]:
    rows = EntryLine.objects.filter(entry_id__in=entry_ids).values("entry_id").annotate(t=Sum("debit")).order_by()
    return {row["entry_id"]: row["t"] for row in rows}
