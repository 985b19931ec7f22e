"""Aging as an XLSX workbook, written row by row (openpyxl write-only mode: constant memory)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tandem.finance.receivables.queries import BUCKET_KEYS, BUCKETS, Aging


def aging_xlsx(report: Aging) -> bytes:
    book = Workbook(write_only=True)
    title = _("Receivables aging") if report.side == "receivable" else _("Payables aging")
    sheet = book.create_sheet(title[:31])
    sheet.append([title, str(report.company), report.on, report.currency])
    labels = [str(label) for _key, label, *_rest in BUCKETS]
    sheet.append([_("Name"), _("Currency"), *labels, _("Total")])
    for row in report.rows:
        sheet.append([row.name, report.currency, *(row.buckets[k] for k in BUCKET_KEYS), row.total])
        for currency, amounts in sorted(row.by_currency.items()):
            if currency != report.currency or len(row.by_currency) > 1:
                sheet.append(["", currency, *(amounts[k] for k in BUCKET_KEYS), amounts["total"]])
    sheet.append([_("Total"), report.currency, *(report.totals[k] for k in BUCKET_KEYS), report.total])
    for currency, amounts in report.totals_by_currency.items():
        sheet.append([_("Total"), currency, *(amounts[k] for k in BUCKET_KEYS), amounts["total"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
