"""Invoicing sales orders (issue #14): a draft invoice (issued at once when the user may issue) from a
confirmed order's uninvoiced quantities, or from one shipment's lines; a credit note from a received customer
return at the order lines' prices. Finance makes, numbers and posts the invoice (`finance.services`); sales
keeps what is invoiced per order line (`OrderLine.invoiced_quantity`, in the line's own unit), recounted from
the invoices that are not cancelled, so nothing is invoiced twice and a cancelled draft gives its quantities
back (finance's `invoice_cancelled` signal)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.bulk import update_rows
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.finance import services as finance
from tandem.finance.models import Invoice, InvoiceLine
from tandem.finance.services.invoices import can_issue
from tandem.sales.models import CustomerReturn, Order, OrderLine, Shipment
from tandem.sales.services import lines as common

ZERO = Decimal(0)
INVOICEABLE = (Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED, Order.Status.SHIPPED, Order.Status.CLOSED)
STEP = Decimal("0.0001")


def can_invoice_order(user, order: Order) -> bool:
    return (user.has_perm("finance.add_invoice") and order.status in INVOICEABLE
            and any(line.quantity > line.invoiced_quantity for line in order.lines.all()))


def can_invoice_shipment(user, shipment: Shipment) -> bool:
    return (user.has_perm("finance.add_invoice")
            and shipment.status in (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED)
            and not _invoices_of(shipment).exists())


def can_credit_return(user, customer_return: CustomerReturn) -> bool:
    return (can_issue(user) and customer_return.status == CustomerReturn.Status.RECEIVED
            and not _invoices_of(customer_return).exists())


def _invoices_of(document):
    return Invoice.objects.filter(origin_type=ContentType.objects.get_for_model(document), origin_id=document.pk) \
        .exclude(status=Invoice.Status.CANCELLED)


def _in_line_unit(order_line: OrderLine, stock_quantity: Decimal) -> Decimal:
    factor = common.stock_quantity_factor(order_line.product, order_line.unit)
    return (stock_quantity / factor).quantize(STEP)


_LOCKED_LINES_BY_ID = prepared(lambda ids: OrderLine.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
_LOCKED_ORDER = prepared(lambda pk: Order.objects.select_for_update(of=("self",))
                         .select_related("client", "company", "counterparty").filter(pk=pk))
_LOCKED_LINES = prepared(lambda order_id: OrderLine.objects.select_for_update(of=("self",))
                         .filter(order_id=order_id).select_related("product", "product__unit", "unit").order_by("pk"))
_LOCKED_SHIPMENT = prepared(lambda pk: Shipment.objects.select_for_update().filter(pk=pk))


def refresh_invoiced(order_line_ids) -> None:
    """Recount OrderLine.invoiced_quantity from the customer invoices (not cancelled) billing those lines."""
    ids = sorted(set(order_line_ids))
    if not ids:
        return
    line_type = ContentType.objects.get_for_model(OrderLine)
    sums = dict(InvoiceLine.objects.filter(origin_line_type=line_type, origin_line_id__in=ids,
                                           invoice__kind=Invoice.Kind.CUSTOMER_INVOICE)
                .exclude(invoice__status=Invoice.Status.CANCELLED)
                .values("origin_line_id").annotate(total=Sum("quantity")).values_list("origin_line_id", "total")
                .order_by())
    lines = _LOCKED_LINES_BY_ID.all(ids)
    for line in lines:
        line.invoiced_quantity = sums.get(line.pk) or ZERO
    update_rows(OrderLine, ["invoiced_quantity"], lines)


def on_invoice_cancelled(sender, invoice, **kwargs) -> None:
    line_type = ContentType.objects.get_for_model(OrderLine)
    refresh_invoiced(invoice.lines.filter(origin_line_type=line_type).values_list("origin_line_id", flat=True))


def _line_values(order_line: OrderLine, quantity: Decimal) -> dict:
    return {"product": order_line.product, "description": order_line.description or order_line.product.name,
            "quantity": quantity, "unit": order_line.unit, "unit_price": order_line.unit_price,
            "discount_percent": order_line.discount_percent, "tax_percent": order_line.tax_rate,
            "origin_line": order_line}


def invoice_order(order: Order, *, by, shipment: Shipment | None = None, invoice_date: datetime.date | None = None,
                  issue: bool | None = None) -> Invoice:
    """An invoice of a confirmed order: every line's quantity not invoiced yet, or (with `shipment`) what that
    shipment carried, capped by what is not invoiced yet. A draft for a sales user; issued at once when the
    user may issue (`issue=False` keeps it a draft). Refusals: 409 order_not_confirmed / shipment_not_shipped /
    already_invoiced, 400 nothing_to_invoice."""
    require_permission(by, "finance.add_invoice")
    common.check_client(by, order.client)
    with transaction.atomic():
        locked = _LOCKED_ORDER.get(order.pk)
        if locked.status not in INVOICEABLE:
            raise ConflictError("order_not_confirmed", _("Only a confirmed order can be invoiced."), field="order")
        lines = {line.pk: line for line in _LOCKED_LINES.all(locked.pk)}
        wanted: list[tuple[OrderLine, Decimal]] = []
        if shipment is not None:
            shipment = _LOCKED_SHIPMENT.get(shipment.pk)
            if shipment.order_id != locked.pk:
                raise BusinessRuleError("foreign_shipment", _("The shipment belongs to another order."),
                                        field="shipment")
            if shipment.status not in (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED):
                raise ConflictError("shipment_not_shipped", _("Only a shipped shipment can be invoiced."),
                                    field="shipment")
            if _invoices_of(shipment).exists():
                raise ConflictError("already_invoiced", _("This shipment is invoiced already."), field="shipment")
            shipped: dict[int, Decimal] = {}
            for ship_line in shipment.lines.all():
                shipped[ship_line.order_line_id] = shipped.get(ship_line.order_line_id, ZERO) + ship_line.quantity
            for line_id, quantity in sorted(shipped.items()):
                line = lines[line_id]
                wanted.append((line, min(_in_line_unit(line, quantity), line.quantity - line.invoiced_quantity)))
        else:
            wanted = [(line, line.quantity - line.invoiced_quantity) for line in lines.values()]
        wanted = [(line, quantity) for line, quantity in wanted if quantity > 0]
        if not wanted:
            raise BusinessRuleError("nothing_to_invoice", _("Everything on this order is invoiced already."),
                                    field="order")
        invoice = finance.create_invoice(
            by=by, client=locked.client, company=locked.company, counterparty=locked.counterparty,
            invoice_date=invoice_date, currency=locked.currency, tax_rounding=locked.tax_rounding,
            lines=[_line_values(line, quantity) for line, quantity in wanted], origin=shipment or locked,
            owner=locked.owner)
        refresh_invoiced([line.pk for line, _quantity in wanted])
        audit.record(locked, "sales.order.invoiced", by=by, root=locked.client,
                     changes={"invoice_total": str(invoice.total), "_currency": invoice.currency,
                              "shipment": shipment.number if shipment else ""})
        if issue is None:
            issue = can_issue(by)
        if issue:
            invoice = finance.issue_invoice(invoice, by=by)
    return invoice


def credit_return(customer_return: CustomerReturn, *, by, invoice_date: datetime.date | None = None) -> Invoice:
    """A credit note for a received return: the returned quantities at the order lines' prices and taxes,
    crediting the order's latest issued invoice of those lines (which it settles as far as it is open).
    Issued at once: crediting is the accountant's (finance.issue_invoice)."""
    require_permission(by, "finance.issue_invoice")
    common.check_client(by, customer_return.client)
    with transaction.atomic():
        locked = CustomerReturn.objects.select_for_update().select_related("order", "client").get(
            pk=customer_return.pk)
        if locked.status != CustomerReturn.Status.RECEIVED:
            raise ConflictError("return_not_received", _("Only a received return can be credited."), field="status")
        if _invoices_of(locked).exists():
            raise ConflictError("already_credited", _("This return is credited already."), field="status")
        order = locked.order
        lines = list(locked.lines.select_related("order_line__product__unit", "order_line__unit").order_by("pk"))
        values = [_line_values(line.order_line, _in_line_unit(line.order_line, line.quantity)) for line in lines]
        line_type = ContentType.objects.get_for_model(OrderLine)
        credited = (Invoice.objects.filter(kind=Invoice.Kind.CUSTOMER_INVOICE, lines__origin_line_type=line_type,
                                           lines__origin_line_id__in=[line.order_line_id for line in lines])
                    .exclude(status__in=(Invoice.Status.DRAFT, Invoice.Status.CANCELLED))
                    .order_by("-invoice_date", "-id").first())
        note = finance.create_invoice(
            by=by, client=order.client, company=order.company, counterparty=order.counterparty,
            kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE, invoice_date=invoice_date, due_date=invoice_date,
            currency=order.currency, rate=credited.rate if credited else None, tax_rounding=order.tax_rounding,
            lines=values, origin=locked, credited_invoice=credited, owner=order.owner,
            notes=_("Return %(number)s") % {"number": locked.number})
        audit.record(locked, "sales.customerreturn.credited", by=by, root=locked.client,
                     changes={"total": str(note.total), "_currency": note.currency})
        note = finance.issue_invoice(note, by=by)
    return note
