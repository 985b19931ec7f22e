"""The invoice or credit note as a PDF (WeasyPrint) on our letterhead (core.pdf): our entity's details and logo,
the counterparty billed (valid on the invoice date), the lines, the tax summary per rate with the legal notes of
exempt and reverse-charge lines, the due date and the bank account to pay to. Amounts and dates are formatted for
the reader's language (the |money and |date filters)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError
from tandem.core.pdf import logo_data_uri, render_pdf
from tandem.finance.documents import content
from tandem.finance.models import Invoice


def require_issued(invoice: Invoice) -> None:
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.CANCELLED) or not invoice.number:
        raise ConflictError("not_issued", _("Only an issued invoice has a document: issue it first."),
                            field="status")


def invoice_context(invoice: Invoice) -> dict:
    lines = content.invoice_lines(invoice)
    groups = content.tax_summary(lines)
    return {
        "invoice": invoice, "title": content.title(invoice), "lines": lines, "tax_groups": groups,
        "legal_notes": content.legal_notes(groups), "entity": invoice.company, "logo": logo_data_uri(invoice.company),
        "counterparty": content.billed_counterparty(invoice), "bank_account": content.payment_account(invoice),
        "show_amount_due": invoice.amount_due != invoice.total and not invoice.is_credit,
    }


def invoice_html(invoice: Invoice, *, request=None) -> str:
    return render_to_string("finance/invoice_pdf.html", invoice_context(invoice), request=request)


def render_invoice_pdf(invoice: Invoice, *, request=None, variant: str | None = None) -> bytes:
    """`variant="pdf/a-3b"` for the base of a Factur-X file (facturx.render_facturx_pdf)."""
    require_issued(invoice)
    return render_pdf(invoice_html(invoice, request=request), variant=variant)


def filename(invoice: Invoice, suffix: str = ".pdf") -> str:
    """The invoice number as a file name (slashes and anything odd become dashes)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in invoice.number)
    return f"{safe or invoice.pk}{suffix}"
