"""Invoicing from sales (issue #14): an order, one shipment, a credit note from a return; the order's invoices.
The invoices themselves live under /api/v1/finance/invoices."""

from __future__ import annotations

from ninja import Field, Router

from tandem.core.limits import Date
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id, InputSchema
from tandem.finance.invoice_queries import invoices_of_origin
from tandem.finance.invoice_schemas import InvoiceSummaryOut
from tandem.finance.models import Invoice
from tandem.sales.queries import visible_orders, visible_returns, visible_shipments
from tandem.sales.services import invoicing

router = Router(tags=["sales"])


class InvoiceOrderIn(InputSchema):
    shipment_id: Id | None = Field(None, description="Invoice what this shipment of the order carried.")
    invoice_date: Date | None = None
    issue: bool | None = Field(None, description="Issue at once (default: when the user may issue).")


class CreditReturnIn(InputSchema):
    invoice_date: Date | None = None


@router.post("/orders/{order_id}/invoice", response={201: InvoiceSummaryOut},
             summary="Invoice a confirmed order's uninvoiced quantities (or one of its shipments)",
             description="A draft for sales users, issued at once for accountants. 409 `order_not_confirmed`, "
                         "`already_invoiced`; 400 `nothing_to_invoice`.")
def invoice_order(request, order_id: Id, payload: InvoiceOrderIn):
    require_permission(request, "finance.add_invoice")
    order = resolve_visible(visible_orders(request.user), order_id)
    shipment = resolve_visible(visible_shipments(request.user).filter(order=order), payload.shipment_id,
                               "shipment_id")
    return 201, invoicing.invoice_order(order, by=request.user, shipment=shipment,
                                        invoice_date=payload.invoice_date, issue=payload.issue)


@router.post("/shipments/{shipment_id}/invoice", response={201: InvoiceSummaryOut},
             summary="Invoice what a shipped shipment carried")
def invoice_shipment(request, shipment_id: Id, payload: InvoiceOrderIn):
    require_permission(request, "finance.add_invoice")
    shipment = resolve_visible(visible_shipments(request.user).select_related("order"), shipment_id)
    return 201, invoicing.invoice_order(shipment.order, by=request.user, shipment=shipment,
                                        invoice_date=payload.invoice_date, issue=payload.issue)


@router.post("/returns/{return_id}/credit", response={201: InvoiceSummaryOut},
             summary="Credit a received return (a credit note at the order's prices)",
             description="Needs finance.issue_invoice. 409 `return_not_received`, `already_credited`.")
def credit_return(request, return_id: Id, payload: CreditReturnIn):
    require_permission(request, "finance.issue_invoice")
    customer_return = resolve_visible(visible_returns(request.user), return_id)
    return 201, invoicing.credit_return(customer_return, by=request.user, invoice_date=payload.invoice_date)


@router.get("/orders/{order_id}/invoices", response=list[InvoiceSummaryOut],
            summary="The invoices and credit notes of an order (its shipments' and returns' included)")
def order_invoices(request, order_id: Id):
    require_permission(request, "finance.view_invoice")
    order = resolve_visible(visible_orders(request.user), order_id)
    return order_invoice_list(request.user, order)


def order_invoice_list(user, order) -> list[Invoice]:
    found = list(invoices_of_origin(order, user).select_related("client"))
    for shipment in order.shipments.all():
        found += list(invoices_of_origin(shipment, user).select_related("client"))
    for customer_return in order.returns.all():
        found += list(invoices_of_origin(customer_return, user).select_related("client"))
    return sorted(found, key=lambda invoice: (invoice.invoice_date, invoice.pk))
