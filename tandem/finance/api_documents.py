"""REST downloads of an invoice's documents under /api/v1/finance/invoices/{id}/: the PDF, the Factur-X PDF/A-3
(EN 16931) and its CII XML. Readers of the invoice may download them; 409 `not_issued` for a draft, 409
`einvoice_incomplete` naming the field EN 16931 requires (e.g. `company.tax_id`)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router

from tandem.core.pdf import pdf_response
from tandem.core.permissions import require_permission
from tandem.core.schemas import Id
from tandem.finance.documents import facturx, pdf
from tandem.finance.documents.access import get_printable_invoice

router = Router(tags=["finance"])


@router.get("/invoices/{invoice_id}/pdf", summary="The invoice (or credit note) as a PDF",
            description="application/pdf in the caller's language: our entity and logo, the counterparty billed, "
                        "lines, tax summary per rate with legal notes, due date and bank account.",
            response={200: bytes})
def invoice_pdf(request, invoice_id: Id):
    require_permission(request, "finance.view_invoice")
    invoice = get_printable_invoice(request.user, invoice_id)
    return pdf_response(pdf.render_invoice_pdf(invoice, request=request), pdf.filename(invoice))


@router.get("/invoices/{invoice_id}/facturx", summary="The invoice as a Factur-X e-invoice (PDF/A-3, EN 16931)",
            description="The invoice PDF with its CrossIndustryInvoice XML embedded (factur-x.xml). 409 "
                        "`einvoice_incomplete` names what EN 16931 requires and the invoice lacks.",
            response={200: bytes})
def invoice_facturx(request, invoice_id: Id):
    require_permission(request, "finance.view_invoice")
    invoice = get_printable_invoice(request.user, invoice_id)
    return pdf_response(facturx.render_facturx_pdf(invoice, request=request), pdf.filename(invoice))


@router.get("/invoices/{invoice_id}/cii", summary="The invoice's EN 16931 CrossIndustryInvoice XML",
            description="application/xml, the XML a Factur-X PDF carries.", response={200: bytes})
def invoice_cii(request, invoice_id: Id):
    require_permission(request, "finance.view_invoice")
    invoice = get_printable_invoice(request.user, invoice_id)
    response = HttpResponse(facturx.build_cii_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(invoice, ".xml")}"'
    return response
