"""The quote as a PDF (WeasyPrint) from a template with our legal entity's details and logo. Amounts and
dates are formatted for the reader's language (core.formats through the |money and |date filters)."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string

# The letterhead's layout (A4, header with our entity, line table) for every PDF of sales. A file beside the
# code, not a <style> element: templates carry no inline styles (Content-Security-Policy), and WeasyPrint
# takes the sheet directly.
LETTER_CSS = Path(__file__).with_name("pdf_letter.css")


def _letter_css():
    from weasyprint import CSS  # heavy: loaded with the first PDF

    return CSS(filename=str(LETTER_CSS))


def _logo_data_uri(entity) -> str:
    """The logo inlined (data: URI), so WeasyPrint fetches nothing; empty when there is none or it is gone."""
    if not entity.logo:
        return ""
    try:
        with entity.logo.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return ""
    kind = mimetypes.guess_type(entity.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def quote_html(quote, *, request=None) -> str:
    lines = list(quote.lines.select_related("product", "unit").order_by("position", "pk"))
    return render_to_string("sales/quote_pdf.html", {
        "quote": quote, "lines": lines, "entity": quote.company, "logo": _logo_data_uri(quote.company),
        "bank_accounts": list(quote.company.bank_accounts.all()),
    }, request=request)


def render_quote_pdf(quote, *, request=None) -> bytes:
    from weasyprint import HTML  # heavy (pango, fonts): loaded when the first PDF is made

    return HTML(string=quote_html(quote, request=request)).write_pdf(stylesheets=[_letter_css()])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Delivery note (issue #13.5): the same letterhead, the shipment's lines with lots, no prices -------------


def delivery_note_html(shipment, *, request=None) -> str:
    lines = list(shipment.lines.select_related("product__unit", "lot", "location", "order_line").order_by("pk"))
    order = shipment.order
    return render_to_string("sales/shipment_pdf.html", {
        "shipment": shipment, "order": order, "lines": lines, "entity": shipment.company,
        "logo": _logo_data_uri(shipment.company),
    }, request=request)


def render_delivery_note_pdf(shipment, *, request=None) -> bytes:
    from weasyprint import HTML  # heavy (pango, fonts): loaded when the first PDF is made

    return HTML(string=delivery_note_html(shipment, request=request)).write_pdf(stylesheets=[_letter_css()])
