"""The quote and the delivery note as PDFs (WeasyPrint) from templates with our legal entity's details and logo
(the letterhead, its style sheet and rendering are core.pdf's, shared with the invoice). Amounts and dates are
formatted for the reader's language (core.formats through the |money and |date filters)."""

from __future__ import annotations

from django.template.loader import render_to_string

from tandem.core.pdf import logo_data_uri, pdf_response, render_pdf

__all__ = ["delivery_note_html", "pdf_response", "quote_html", "render_delivery_note_pdf", "render_quote_pdf"]


def quote_html(quote, *, request=None) -> str:
    lines = list(quote.lines.select_related("product", "unit").order_by("position", "pk"))
    return render_to_string("sales/quote_pdf.html", {
        "quote": quote, "lines": lines, "entity": quote.company, "logo": logo_data_uri(quote.company),
        "bank_accounts": list(quote.company.bank_accounts.all()),
    }, request=request)


def render_quote_pdf(quote, *, request=None) -> bytes:
    return render_pdf(quote_html(quote, request=request))


# --- Delivery note (issue #13.5): the same letterhead, the shipment's lines with lots, no prices -------------


def delivery_note_html(shipment, *, request=None) -> str:
    lines = list(shipment.lines.select_related("product__unit", "lot", "location", "order_line").order_by("pk"))
    order = shipment.order
    return render_to_string("sales/shipment_pdf.html", {
        "shipment": shipment, "order": order, "lines": lines, "entity": shipment.company,
        "logo": logo_data_uri(shipment.company),
    }, request=request)


def render_delivery_note_pdf(shipment, *, request=None) -> bytes:
    return render_pdf(delivery_note_html(shipment, request=request))
