"""What every PDF letter of Tandem shares (quotes, delivery notes, invoices): the letterhead's style sheet, our
legal entity's logo inlined, rendering with WeasyPrint and the HTTP response. The letterhead itself is the
template `core/pdf/_letterhead.html`, included by each document's template."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from django.http import HttpResponse

# The letterhead's layout (A4, header with our entity, line table) for every PDF. A file beside the code, not a
# <style> element: templates carry no inline styles (Content-Security-Policy), and WeasyPrint takes the sheet
# directly.
LETTER_CSS = Path(__file__).with_name("pdf_letter.css")


def letter_css():
    from weasyprint import CSS  # heavy: loaded with the first PDF

    return CSS(filename=str(LETTER_CSS))


def logo_data_uri(entity) -> str:
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


def render_pdf(html: str, *, variant: str | None = None) -> bytes:
    """The HTML as a PDF with the letter style sheet; `variant` e.g. "pdf/a-3b" for an archivable PDF/A-3."""
    from weasyprint import HTML  # heavy (pango, fonts): loaded when the first PDF is made

    options = {"pdf_variant": variant} if variant else {}
    return HTML(string=html).write_pdf(stylesheets=[letter_css()], **options)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
