"""The quote as a PDF (WeasyPrint) from a template with our legal entity's details and logo. Amounts and
dates are formatted for the reader's language (core.formats through the |money and |date filters)."""

from __future__ import annotations

import base64
import mimetypes

from django.http import HttpResponse
from django.template.loader import render_to_string


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

    return HTML(string=quote_html(quote, request=request)).write_pdf()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
