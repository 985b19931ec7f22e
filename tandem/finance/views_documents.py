"""Downloads of an invoice's documents (thin): the PDF, the Factur-X PDF/A-3 and its CII XML. Readers of the
invoice may download them; an invoice not yet issued, or lacking what EN 16931 requires, answers 409 with the
reason (and the field) in words."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from tandem.core.errors import BusinessRuleError
from tandem.core.pdf import pdf_response
from tandem.finance.documents import facturx, pdf
from tandem.finance.documents.access import get_printable_invoice


def _refused(exc: BusinessRuleError) -> HttpResponse:
    text = f"{exc.message} ({exc.field})" if exc.field else exc.message
    return HttpResponse(text, status=exc.status_code, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
@permission_required("finance.view_invoice", raise_exception=True)
def invoice_pdf(request, pk):
    invoice = get_printable_invoice(request.user, pk)
    try:
        return pdf_response(pdf.render_invoice_pdf(invoice, request=request), pdf.filename(invoice))
    except BusinessRuleError as exc:
        return _refused(exc)


@require_GET
@login_required
@permission_required("finance.view_invoice", raise_exception=True)
def invoice_facturx(request, pk):
    invoice = get_printable_invoice(request.user, pk)
    try:
        return pdf_response(facturx.render_facturx_pdf(invoice, request=request), pdf.filename(invoice))
    except BusinessRuleError as exc:
        return _refused(exc)


@require_GET
@login_required
@permission_required("finance.view_invoice", raise_exception=True)
def invoice_cii(request, pk):
    invoice = get_printable_invoice(request.user, pk)
    try:
        xml = facturx.build_cii_xml(invoice)
    except BusinessRuleError as exc:
        return _refused(exc)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(invoice, ".xml")}"'
    return response


# Included by finance/urls.py (under /finance/, namespace "finance").
urlpatterns = [
    path("invoices/<int:pk>/pdf/", invoice_pdf, name="invoice-pdf"),
    path("invoices/<int:pk>/facturx.pdf", invoice_facturx, name="invoice-facturx"),
    path("invoices/<int:pk>/cii.xml", invoice_cii, name="invoice-cii"),
]
