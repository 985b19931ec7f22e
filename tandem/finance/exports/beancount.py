"""The posted ledger of one legal entity in beancount's plain-text format (https://beancount.github.io/docs/).

- one `open` directive per account, named `<Root>:<code>-<Name>` (asset → Assets, liability → Liabilities,
  equity → Equity, income → Income, expense → Expenses; the name folded to letters, digits and dashes);
- one transaction per posted entry (reversed ones and their reversals included: both were posted), dated the
  entry's date, its reference (GEN/2026/0007) as payee and its memo as narration, tagged #reversal / #closing;
- each line's amount in the base currency; a line in another currency is written in that currency with its total
  base value as price (`-100.00 USD @@ 92.00 EUR`), so the transaction still balances in the base currency;
- with a start date, one "Opening balances" transaction carries every account's balance before it (the ledger
  balances, so these add up to zero).

Lines are read with `.iterator()` in entry order and written as they come: a ledger of millions of lines never
sits in memory."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby
from typing import TextIO

from django.db.models import Min, Sum

from tandem.core.money import quantize
from tandem.finance.models import Account, Entry, EntryLine

ROOTS = {
    Account.Type.ASSET: "Assets", Account.Type.LIABILITY: "Liabilities", Account.Type.EQUITY: "Equity",
    Account.Type.INCOME: "Income", Account.Type.EXPENSE: "Expenses",
}
POSTED = (Entry.Status.POSTED, Entry.Status.REVERSED)
CHUNK = 2000
ZERO = Decimal(0)


def account_name(account: Account) -> str:
    """`Assets:1010-Bank-account`: the type's root, then code and name folded to ASCII letters, digits and dashes
    (a beancount account component starts with a capital letter or a digit)."""
    text = unicodedata.normalize("NFKD", f"{account.code} {account.name}").encode("ascii", "ignore").decode()
    component = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or f"Account-{account.pk}"
    component = component[0].upper() + component[1:]
    if not component[0].isalnum():
        component = f"A{component}"
    return f"{ROOTS[account.type]}:{component}"


def _text(value: str) -> str:
    """A beancount string: one line, quotes and backslashes escaped."""
    value = " ".join((value or "").split())
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _commodity(code: str) -> str:
    return code.upper()


def _amount(value: Decimal, currency: str) -> str:
    return f"{quantize(value, currency):f}"


class BeancountWriter:
    def __init__(self, company, *, date_from: datetime.date | None = None, date_to: datetime.date | None = None):
        self.company = company
        self.base = _commodity(company.base_currency)
        self.date_from, self.date_to = date_from, date_to
        self.names = {account.pk: account_name(account)
                      for account in Account.objects.filter(company=company).order_by("code")}

    def _lines(self):
        qs = EntryLine.objects.filter(company=self.company, entry__status__in=POSTED)
        if self.date_from:
            qs = qs.filter(date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(date__lte=self.date_to)
        return qs

    def _open_date(self) -> datetime.date:
        first = EntryLine.objects.filter(company=self.company, entry__status__in=POSTED).aggregate(
            first=Min("date"))["first"]
        candidates = [day for day in (first, self.date_from) if day]
        return min(candidates) if candidates else (self.date_to or datetime.date.today())

    def header(self) -> Iterator[str]:
        yield f";; {self.company.name}: general ledger exported by Tandem\n"
        yield f'option "title" {_text(self.company.name)}\n'
        yield f'option "operating_currency" "{self.base}"\n\n'
        opened = self._open_date().isoformat()
        accounts = Account.objects.filter(company=self.company).order_by("code").only("pk", "code", "name", "type")
        for account in accounts:
            yield f'{opened} open {self.names[account.pk]}\n'
        yield "\n"

    def opening_balances(self) -> Iterator[str]:
        """Every account's balance before `date_from` (in the base currency), as one transaction."""
        if not self.date_from:
            return
        sums = (EntryLine.objects.filter(company=self.company, entry__status__in=POSTED, date__lt=self.date_from)
                .values("account_id").annotate(debit=Sum("debit"), credit=Sum("credit")).order_by("account__code"))
        rows = [(row["account_id"], (row["debit"] or ZERO) - (row["credit"] or ZERO)) for row in sums]
        rows = [(account_id, balance) for account_id, balance in rows if balance]
        if not rows:
            return
        yield f'{self.date_from.isoformat()} * "Opening balances" "Balances before {self.date_from.isoformat()}"\n'
        for account_id, balance in rows:
            yield f"  {self.names[account_id]}  {_amount(balance, self.base)} {self.base}\n"
        yield "\n"

    def _posting(self, line: EntryLine) -> str:
        base_amount = line.debit - line.credit
        name = self.names[line.account_id]
        currency = _commodity(line.currency)
        if currency != self.base and line.amount_currency:
            units = line.amount_currency  # signed: debit positive
            if base_amount and (units > 0) != (base_amount > 0):
                units = -units  # the foreign amount follows the side of the line
            return (f"  {name}  {_amount(units, currency)} {currency} @@ "
                    f"{_amount(abs(base_amount), self.base)} {self.base}")
        return f"  {name}  {_amount(base_amount, self.base)} {self.base}"

    def transactions(self) -> Iterator[str]:
        qs = (self._lines().select_related("entry__journal", "entry__fiscal_year", "entry__reversal_of__journal",
                                           "entry__reversal_of__fiscal_year")
              .order_by("date", "entry_id", "id"))
        for _entry_id, group in groupby(qs.iterator(chunk_size=CHUNK), key=lambda line: line.entry_id):
            lines = list(group)
            entry = lines[0].entry
            tags = (" #reversal" if entry.reversal_of_id else "") + (" #closing" if entry.is_closing else "")
            yield f"{entry.date.isoformat()} * {_text(entry.reference)} {_text(entry.memo)}{tags}\n"
            yield f"  entry-id: {entry.pk}\n"
            if entry.reversal_of_id:
                yield f"  reverses: {_text(entry.reversal_of.reference)}\n"
            for line in lines:
                yield self._posting(line) + "\n"
            yield "\n"

    def write(self, stream: TextIO) -> int:
        """Write the whole file; returns the number of transactions."""
        for chunk in self.header():
            stream.write(chunk)
        for chunk in self.opening_balances():
            stream.write(chunk)
        count = 0
        for chunk in self.transactions():
            if chunk.startswith(tuple("0123456789")):
                count += 1
            stream.write(chunk)
        return count


def export_beancount(company, stream: TextIO, *, date_from=None, date_to=None) -> int:
    return BeancountWriter(company, date_from=date_from, date_to=date_to).write(stream)
