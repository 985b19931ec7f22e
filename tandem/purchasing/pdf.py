"""The purchase order as PDF, on the shared letterhead of tandem.core.pdf; a request for quotation is titled so
and asks for prices instead of stating them."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tandem.core.pdf import logo_data_uri, render_pdf


def purchase_order_html(order, *, request=None) -> str:
    lines = list(order.lines.select_related("product__unit").order_by("position", "pk"))
    return render_to_string("purchasing/purchase_order_pdf.html", {
        "order": order, "lines": lines, "entity": order.company, "logo": logo_data_uri(order.company),
        "title": document_title(order), "is_rfq": order.is_rfq,
    }, request=request)


def document_title(order) -> str:
    return _("Request for quotation") if order.is_rfq else _("Purchase order")


def pdf_filename(order) -> str:
    return f"RFQ-{order.number}.pdf" if order.is_rfq else f"{order.number}.pdf"


def render_purchase_order_pdf(order, *, request=None) -> bytes:
    return render_pdf(purchase_order_html(order, request=request))
