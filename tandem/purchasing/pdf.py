"""The purchase order as PDF, on the shared letterhead of tandem.core.pdf."""

from __future__ import annotations

from django.template.loader import render_to_string

from tandem.core.pdf import logo_data_uri, render_pdf


def purchase_order_html(order, *, request=None) -> str:
    lines = list(order.lines.select_related("product__unit").order_by("position", "pk"))
    return render_to_string("purchasing/purchase_order_pdf.html", {
        "order": order, "lines": lines, "entity": order.company, "logo": logo_data_uri(order.company),
    }, request=request)


def render_purchase_order_pdf(order, *, request=None) -> bytes:
    return render_pdf(purchase_order_html(order, request=request))
