"""Invoicing from the sales pages: the order page's invoices section with its "Invoice" button, "Invoice this
shipment" on a shipped shipment, "Credit note" on a received return (buttons from the can_… checks of
sales.services.invoicing). Each POST calls one service and opens the invoice made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.references import resolve_visible
from tandem.sales import queries
from tandem.sales.api.invoicing import order_invoice_list
from tandem.sales.services import invoicing


def order_invoicing_panel(request, order) -> str:
    user = request.user
    if not user.has_perm("finance.view_invoice"):
        return ""
    return render_to_string("sales/partials/_order_invoices.html", {
        "order": order, "invoices": order_invoice_list(user, order),
        "may_invoice": invoicing.can_invoice_order(user, order)}, request=request)


def _done(request, call, fallback):
    try:
        invoice = call()
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as refusal:
        messages.error(request, refusal.message)
        return fallback
    if invoice.number:
        messages.success(request, _("%(number)s issued.") % {"number": invoice.number})
    else:
        messages.success(request, _("Draft invoice made; an accountant issues it."))
    return redirect("finance:invoice-detail", invoice.pk)


@login_required
@require_POST
def order_invoice(request, pk):
    order = resolve_visible(queries.visible_orders(request.user), pk)
    return _done(request, lambda: invoicing.invoice_order(order, by=request.user),
                 redirect("sales:order-detail", order.pk))


@login_required
@require_POST
def shipment_invoice(request, pk):
    shipment = resolve_visible(queries.visible_shipments(request.user).select_related("order"), pk)
    return _done(request, lambda: invoicing.invoice_order(shipment.order, by=request.user, shipment=shipment),
                 redirect("sales:shipment-detail", shipment.pk))


@login_required
@require_POST
def return_credit(request, pk):
    customer_return = resolve_visible(queries.visible_returns(request.user), pk)
    return _done(request, lambda: invoicing.credit_return(customer_return, by=request.user),
                 redirect("sales:return-detail", customer_return.pk))


urlpatterns = [
    path("orders/<int:pk>/invoice/", order_invoice, name="order-invoice"),
    path("shipments/<int:pk>/invoice/", shipment_invoice, name="shipment-invoice"),
    path("returns/<int:pk>/credit/", return_credit, name="return-credit"),
]
