"""Reports as XLSX workbooks, written row by row in openpyxl's write-only mode (constant memory): each report
is turned into an iterator of rows, and `xlsx_response` writes them to a temporary file streamed back to the
client. `journal_lines_rows` walks the lines of a range with .iterator(chunk_size=…), so exporting a million
lines holds a few thousand in memory (bench/finance_xlsx_export.py)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tandem.finance.models import EntryLine
from tandem.finance.queries import TrialBalance

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000


def write_workbook(target, title: str, rows: Iterable[list]) -> None:
    """Rows appended one at a time to a write-only sheet; `target` is a path or a binary file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append(row)
    book.save(target)


def xlsx_response(filename: str, title: str, rows: Iterable[list]) -> FileResponse:
    """The workbook written to a temporary file (on disk, not in memory) and streamed back."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    write_workbook(handle, title, rows)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def trial_balance_xlsx(report: TrialBalance) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Trial balance")[:31])
    sheet.append([_("Trial balance"), str(report.company), report.date_from, report.date_to, report.currency])
    header = [_("Account"), _("Name"), _("Type"), _("Opening"), _("Debit"), _("Credit"), _("Closing")]
    if report.compare_to:
        header.append(_("Closing %(date)s") % {"date": report.compare_to.isoformat()})
    sheet.append(header)
    for row in report.rows:
        values = [row.account.code, row.account.name, row.account.get_type_display(), row.opening, row.debit,
                  row.credit, row.closing]
        if report.compare_to:
            values.append(row.previous_closing)
        sheet.append(values)
    totals = report.totals
    footer = [_("Total"), "", "", totals["opening"], totals["debit"], totals["credit"], totals["closing"]]
    if report.compare_to:
        footer.append(totals["previous_closing"])
    sheet.append(footer)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Rows of each report ---------------------------------------------------------------------------------

def _compared(values: list, amount, previous, compare: bool) -> list:
    if compare:
        return [*values, amount, previous, None if previous is None else amount - previous]
    return [*values, amount]


def statement_rows(report, title: str) -> Iterator[list]:
    compare = report.compare_to is not None
    yield [title, str(report.company), report.date_from, report.date_to, report.currency]
    header = [_("Account"), _("Name"), _("Amount")]
    if compare:
        header += [_("%(from)s – %(to)s") % {"from": report.compare_from.isoformat(),
                                              "to": report.compare_to.isoformat()}, _("Difference")]
    yield header
    for section in report.sections:
        yield [section.title]
        for group in section.groups:
            yield ["", group.title]
            for line in group.lines:
                code = line.account.code if line.account else ""
                name = line.account.name if line.account else line.label
                yield _compared([code, name], line.amount, line.previous, compare)
            yield _compared(["", _("Total %(group)s") % {"group": group.title}], group.total, group.previous_total,
                            compare)
        yield _compared([_("Total %(section)s") % {"section": section.title}, ""], section.total,
                        section.previous_total, compare)
    labels = {"net_result": _("Net result"), "assets": _("Total assets"),
              "liabilities_and_equity": _("Total liabilities and equity")}
    for key, label in labels.items():
        if key in report.totals:
            yield _compared([label, ""], report.totals[key], report.previous_totals.get(key), compare)


def cash_flow_rows(report) -> Iterator[list]:
    compare = report.compare_to is not None
    yield [_("Cash flow"), str(report.company), report.date_from, report.date_to, report.currency]
    header = [_("Account"), _("Name"), _("Amount")]
    if compare:
        header += [_("%(from)s – %(to)s") % {"from": report.compare_from.isoformat(),
                                              "to": report.compare_to.isoformat()}, _("Difference")]
    yield header
    yield _compared([_("Opening cash"), ""], report.opening, report.previous_opening, compare)
    for activity in report.activities:
        yield [activity.title]
        for row in activity.rows:
            yield _compared([row.account.code, row.account.name], row.amount, row.previous, compare)
        yield _compared([_("Total %(section)s") % {"section": activity.title}, ""], activity.total,
                        activity.previous_total, compare)
    yield _compared([_("Net change in cash"), ""], report.net_change, report.previous_net_change, compare)
    yield _compared([_("Closing cash"), ""], report.closing, report.previous_closing, compare)


def budget_rows(report) -> Iterator[list]:
    yield [_("Budget against actual"), str(report.budget), report.currency]
    yield [_("Account"), _("Name"), _("Period"), _("Budget"), _("Actual"), _("Variance"), _("Budget used (%)")]
    for total, rows in report.accounts:
        for row in rows:
            yield [row.account.code, row.account.name, str(row.period), row.budget, row.actual, row.variance,
                   row.percent]
        yield [total.account.code, total.account.name, _("Total"), total.budget, total.actual, total.variance,
               total.percent]
    grand = report.total
    yield [_("Total"), "", "", grand.budget, grand.actual, grand.variance, grand.percent]


def forecast_rows(report) -> Iterator[list]:
    yield [_("Cash forecast"), str(report.company), report.today, report.currency]
    sources = list(report.sources)
    yield [_("Week from"), _("Week to"), *report.sources.values(), _("In"), _("Out"), _("Balance")]
    yield [_("Today"), report.today, *([None] * len(sources)), None, None, report.opening]
    for week in report.weeks:
        yield [week.start, week.end, *[week.by_source.get(key, 0) for key in sources], week.incoming, week.outgoing,
               week.balance]


def journal_lines_rows(company, date_from, date_to, *, account_id=None) -> Iterator[list]:
    """Every line of the range, oldest first, read in chunks (never the whole queryset in memory)."""
    yield [_("Date"), _("Entry"), _("Account"), _("Account name"), _("Memo"), _("Debit"), _("Credit"),
           _("Currency"), _("Amount in currency"), _("Entry memo")]
    qs = EntryLine.objects.filter(company=company, date__gte=date_from, date__lte=date_to)
    if account_id:
        qs = qs.filter(account_id=account_id)
    fields = ("date", "entry__journal__code", "entry__fiscal_year__name", "entry__number", "account__code",
              "account__name", "memo", "debit", "credit", "currency", "amount_currency", "entry__memo")
    for (day, journal, year, number, code, name, memo, debit, credit, currency, amount_currency,
         entry_memo) in qs.order_by("date", "entry_id", "id").values_list(*fields).iterator(chunk_size=CHUNK):
        reference = f"{journal}/{year}/{number:04d}" if number is not None else ""
        yield [day, reference, code, name, memo, debit, credit, currency, amount_currency, entry_memo]


def tax_rows(report) -> Iterator[list]:
    """The tax report: per side and rate base and tax (with the compared range's), the net payable and the
    reconciliation with the tax accounts, then the lines that make the difference."""
    compare = report.compare_to is not None
    yield [_("Tax report"), str(report.company), report.date_from, report.date_to, report.currency]
    header = [_("Code"), _("Tax"), _("Kind"), _("Rate (%)"), _("Taxable base"), _("Tax"),
              _("Credit notes: base"), _("Credit notes: tax")]
    if compare:
        header += [_("Base %(from)s – %(to)s") % {"from": report.compare_from.isoformat(),
                                                   "to": report.compare_to.isoformat()}, _("Tax (compared)")]
    yield header
    for _key, title, rows, total in report.sides:
        yield [title]
        for row in rows:
            values = [row.code, row.name, row.kind_label, row.percent, row.base, row.tax, row.credited_base,
                      row.credited_tax]
            yield values + ([row.previous_base, row.previous_tax] if compare else [])
        values = [_("Total %(section)s") % {"section": title}, "", "", None, total["base"], total["tax"], None, None]
        yield values + ([total["previous_base"], total["previous_tax"]] if compare else [])
    totals = report.totals
    yield [_("Net tax payable"), "", "", None, None, totals["net_payable"]] + (
        [None, None, None, report.previous_totals["net_payable"]] if compare else [])
    yield []
    yield [_("Reconciliation with the ledger")]
    yield [_("Account"), _("Name"), _("Debit"), _("Credit"), _("Movement (credit − debit)")]
    for row in report.accounts:
        yield [row.account.code, row.account.name, row.debit, row.credit, row.movement]
    yield [_("Tax accounts in the ledger"), "", None, None, report.ledger_movement]
    yield [_("Net tax payable in this report"), "", None, None, totals["net_payable"]]
    yield [_("Difference"), "", None, None, report.difference]
    if report.unexplained_lines:
        yield []
        yield [_("Lines on tax accounts not from a reported document")]
        yield [_("Date"), _("Entry"), _("Account"), _("Memo"), _("Debit"), _("Credit")]
        for line in report.unexplained_lines:
            yield [line.date, line.entry.reference, line.account.code, line.memo or line.entry.memo, line.debit,
                   line.credit]
