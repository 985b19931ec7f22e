"""The cash-flow forecast by week: today's bank and cash balance, plus what open customer invoices bring in and
minus what open supplier bills take out, by due date (overdue ones in the first week), plus what upper apps
expect (the `cash_forecast_sources(company, date_from, date_to)` AppConfig hook, collected by
core.modules.collect: e.g. sales' confirmed orders not yet invoiced), with a running balance.

A source returns a list of dicts: {"date": date, "amount": Decimal (base currency, cash in positive),
"source": short key, "label": words}."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from tandem.core import modules
from tandem.core.money import quantize
from tandem.finance.models import Invoice
from tandem.finance.reports.cash_flow import _cash_at, cash_account_ids

ZERO = Decimal(0)
MAX_WEEKS = 104


@dataclass
class ForecastWeek:
    start: datetime.date
    end: datetime.date
    incoming: Decimal = ZERO
    outgoing: Decimal = ZERO  # positive
    balance: Decimal = ZERO  # after the week
    by_source: dict[str, Decimal] = field(default_factory=dict)  # signed

    @property
    def net(self) -> Decimal:
        return self.incoming - self.outgoing


@dataclass
class CashForecast:
    company: object
    today: datetime.date
    opening: Decimal
    weeks: list[ForecastWeek]
    sources: dict[str, str]  # key → label, in order of appearance

    @property
    def currency(self) -> str:
        return self.company.base_currency

    @property
    def closing(self) -> Decimal:
        return self.weeks[-1].balance if self.weeks else self.opening


def _invoice_rows(company, date_to) -> list[dict]:
    """Open invoices and bills with a due date up to date_to, in the base currency, grouped by due date."""
    signs = {Invoice.Kind.CUSTOMER_INVOICE: ("receivables", 1), Invoice.Kind.CUSTOMER_CREDIT_NOTE: ("receivables", -1),
             Invoice.Kind.SUPPLIER_BILL: ("payables", -1), Invoice.Kind.SUPPLIER_CREDIT_NOTE: ("payables", 1)}
    rows = (Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES, due_date__lte=date_to)
            .values("kind", "due_date").annotate(base=Sum(F("amount_due") * F("rate"))).order_by())
    out = []
    for row in rows:
        source, sign = signs.get(row["kind"], ("receivables", 1))
        out.append({"date": row["due_date"], "amount": sign * (row["base"] or ZERO), "source": source})
    return out


def cash_forecast(company, *, today: datetime.date, weeks: int = 13) -> CashForecast:
    weeks = max(1, min(int(weeks), MAX_WEEKS))
    start = today - datetime.timedelta(days=today.weekday())  # this week's Monday
    end = start + datetime.timedelta(days=7 * weeks - 1)
    labels = {"receivables": _("Customer invoices"), "payables": _("Supplier bills")}
    rows = _invoice_rows(company, end)
    for row in modules.collect("cash_forecast_sources", company, today, end):
        labels.setdefault(row["source"], str(row.get("label") or row["source"]))
        rows.append(row)
    opening = _cash_at(company, cash_account_ids(company), today)
    result = [ForecastWeek(start=start + datetime.timedelta(days=7 * i),
                           end=start + datetime.timedelta(days=7 * i + 6)) for i in range(weeks)]
    used: dict[str, str] = {}
    for row in rows:
        index = max(0, (row["date"] - start).days // 7)
        if index >= weeks:
            continue
        amount = quantize(row["amount"], company.base_currency)
        week = result[index]
        if amount >= 0:
            week.incoming += amount
        else:
            week.outgoing -= amount
        week.by_source[row["source"]] = week.by_source.get(row["source"], ZERO) + amount
        used.setdefault(row["source"], labels.get(row["source"], row["source"]))
    balance = opening
    for week in result:
        balance += week.net
        week.balance = balance
    ordered = {key: used[key] for key in labels if key in used}
    return CashForecast(company=company, today=today, opening=opening, weeks=result, sources=ordered)
