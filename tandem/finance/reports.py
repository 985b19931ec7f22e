"""The trial balance as an XLSX workbook, written row by row (openpyxl write-only mode: constant memory)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tandem.finance.queries import TrialBalance


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
