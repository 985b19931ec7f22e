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
