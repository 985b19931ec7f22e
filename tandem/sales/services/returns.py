"""Customer returns: goods of an order coming back (at most what shipped minus what came back already), into
a storage or a quarantine location of our legal entity, linked to the order and, when there is one, to the
client's complaint (the complaint page shows it). Receiving posts one RETURN stock move per line valued at the
cost the goods left with: the current unit cost of the shipment's stock move, which stock valuation follows (a
back-dated receipt or a cost correction that revalues the shipment revalues the return with it).

A return does not change the order's status (a returned order stays shipped / closed); crediting the client
is finance's step."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.sales.calculations import plain
from tandem.sales.models import CustomerReturn, Order, OrderLine, ReturnLine, Shipment, ShipmentLine
from tandem.sales.services import lines as common
from tandem.stock import services as stock_services
from tandem.stock.models import Location, Lot, StockMove

ZERO = Decimal(0)


def returned_quantities(order) -> dict[int, Decimal]:
    """Per order line id: the quantity in returns of the order that are not cancelled (drafts included)."""
    rows = (ReturnLine.objects.filter(customer_return__order=order)
            .exclude(customer_return__status=CustomerReturn.Status.CANCELLED)
            .values("order_line_id").annotate(total=Sum("quantity")))
    return {row["order_line_id"]: row["total"] for row in rows}


def returnable(line: OrderLine, returned: Decimal = ZERO) -> Decimal:
    return max(line.shipped_quantity - returned, ZERO)


def default_return_location(order) -> Location | None:
    """The quarantine location of the order's warehouse when it has one, else its default storage location."""
    if order.warehouse_id is None:
        return None
    locations = Location.objects.filter(warehouse_id=order.warehouse_id, is_archived=False)
    return (locations.filter(kind=Location.Kind.QUARANTINE).order_by("code").first()
            or locations.order_by("-is_default", "code").first())


def shipped_move(order_line: OrderLine, lot: Lot | None = None) -> StockMove | None:
    """The latest SHIPMENT stock move of the line (that lot's when given): the move a return of it follows."""
    shipped = (ShipmentLine.objects.filter(order_line=order_line, stock_move__isnull=False,
                                           shipment__status__in=[Shipment.Status.SHIPPED, Shipment.Status.DELIVERED])
               .select_related("stock_move").order_by("-stock_move__effective_date", "-pk"))
    if lot is not None:
        shipped = shipped.filter(lot=lot)
    first = shipped.first()
    return first.stock_move if first else None


def shipped_unit_cost(order_line: OrderLine, lot: Lot | None = None) -> Decimal | None:
    """The current unit cost of the latest SHIPMENT move of the line (that lot's when given); None when unvalued."""
    move = shipped_move(order_line, lot)
    return move.unit_cost if move else None


def _shipped_lots(order_line: OrderLine) -> list[Lot]:
    ids = (ShipmentLine.objects.filter(order_line=order_line, stock_move__isnull=False, lot__isnull=False)
           .values_list("lot_id", flat=True))
    return list(Lot.objects.filter(pk__in=set(ids)).order_by("expiry_date", "pk"))


def _lock_order(order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("client", "warehouse").get(pk=order.pk)


def _check_location(order: Order, location: Location | None) -> Location:
    location = location or default_return_location(order)
    if location is None:
        raise BusinessRuleError("location_required", _("Choose where the returned goods go."), field="location")
    if location.is_archived or location.warehouse.company_id != order.company_id:
        raise BusinessRuleError("foreign_location", _("Choose a location of a warehouse of the order's legal entity."),
                                field="location")
    return location


def create_return(order: Order, *, by, lines, location: Location | None = None, complaint=None,
                  return_date: datetime.date | None = None, reason: str = "", receive: bool = False) -> CustomerReturn:
    """A return (draft) of shipped goods of the order; `lines` are dicts with order_line, quantity (stock units,
    at most shipped minus returned) and lot (lot-tracked products: one of the lots shipped). With `receive`
    it is received at once (needs the change permission)."""
    require_permission(by, "sales.add_customerreturn")
    common.check_client(by, order.client)
    return_date = return_date or timezone.localdate()
    limits.check_date(return_date, field="return_date")
    if complaint is not None and complaint.client_id != order.client_id:
        raise BusinessRuleError("foreign_complaint", _("The complaint belongs to another client."), field="complaint")
    with transaction.atomic():
        locked = _lock_order(order)
        location = _check_location(locked, location)
        order_lines = {line.pk: line for line in
                       OrderLine.objects.select_for_update(of=("self",)).filter(order=locked).select_related("product")
                       .order_by("pk")}
        returned = returned_quantities(locked)
        wanted = list(lines or [])
        if not wanted:
            raise BusinessRuleError("no_lines", _("Add at least one line to return."), field="lines")
        new_lines = []
        for index, values in enumerate(wanted):
            new_lines.append(_check_line(locked, index, order_lines, returned, **values))
        customer_return = CustomerReturn.objects.create(
            company=locked.company, order=locked, client=locked.client, complaint=complaint, location=location,
            return_date=return_date, reason=(reason or "").strip(), created_by=by)
        customer_return.number = f"RT-{return_date.year}-{customer_return.pk:05d}"
        customer_return.save(update_fields=["number"])
        for line in new_lines:
            line.customer_return = customer_return
        ReturnLine.objects.bulk_create(new_lines)
        audit.record(customer_return, "sales.customerreturn.created", by=by, root=locked.client, changes={
            "number": [None, customer_return.number], "order_number": [None, locked.number],
            "items": ", ".join(f"{line.product.sku}: {plain(line.quantity)}" for line in new_lines)})
        if receive:
            customer_return = receive_return(customer_return, by=by)
    return customer_return


def _check_line(order, index, order_lines, returned, *, order_line, quantity, lot: Lot | None = None) -> ReturnLine:
    prefix = f"lines[{index}]."
    line = order_lines.get(getattr(order_line, "pk", order_line))
    if line is None:
        raise BusinessRuleError("foreign_line", _("The line belongs to another order."), field=f"{prefix}order_line")
    try:
        quantity = quantity if isinstance(quantity, Decimal) else Decimal(str(quantity))
    except ArithmeticError:
        raise BusinessRuleError("invalid", _("Enter a number."), field=f"{prefix}quantity") from None
    if not quantity.is_finite() or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field=f"{prefix}quantity")
    left = returnable(line, returned.get(line.pk, ZERO))
    if quantity > left:
        raise BusinessRuleError("more_than_shipped", _("Only %(left)s of %(product)s were shipped and not returned.")
                                % {"left": plain(left), "product": line.product.sku}, field=f"{prefix}quantity",
                                extra={"left": plain(left)})
    if line.product.tracking != "none":
        shipped_lots = _shipped_lots(line)
        if lot is None and len(shipped_lots) == 1:
            lot = shipped_lots[0]
        if lot is None:
            raise BusinessRuleError("lot_required", _("%(product)s is tracked: choose its lot or serial number.")
                                    % {"product": line.product.sku}, field=f"{prefix}lot")
        if lot.pk not in {x.pk for x in shipped_lots}:
            raise BusinessRuleError("lot_not_shipped", _("Lot %(lot)s was not shipped on this order.")
                                    % {"lot": lot.code}, field=f"{prefix}lot")
    elif lot is not None:
        raise BusinessRuleError("not_tracked", _("%(product)s is not tracked by lot.") % {"product": line.product.sku},
                                field=f"{prefix}lot")
    returned[line.pk] = returned.get(line.pk, ZERO) + quantity
    return ReturnLine(order_line=line, product=line.product, quantity=quantity, lot=lot,
                      unit_cost=shipped_unit_cost(line, lot))


def _lock(customer_return) -> CustomerReturn:
    return (CustomerReturn.objects.select_for_update(of=("self",)).select_related("order", "client", "location")
            .get(pk=customer_return.pk))


def receive_return(customer_return: CustomerReturn, *, by, expected_version: int | None = None) -> CustomerReturn:
    """Draft → received: one RETURN stock move per line into the return's location, valued at (and following)
    the current cost of the shipment move it returns; the line keeps the cost it was received at."""
    require_permission(by, "sales.change_customerreturn")
    common.check_client(by, customer_return.client)
    with transaction.atomic():
        _lock_order(customer_return.order)
        locked = _lock(customer_return)
        refuse_stale(locked, expected_version)
        received = workflow.transition(locked, CustomerReturn.Status.RECEIVED, by=by)
        lines = list(received.lines.select_related("product", "lot", "order_line").order_by("product_id", "pk"))
        for line in lines:
            source = shipped_move(line.order_line, line.lot)
            line.stock_move = stock_services.record_move(
                product=line.product, quantity=line.quantity, kind=StockMove.Kind.RETURN,
                to_location=received.location, lot=line.lot, effective_date=received.return_date,
                unit_cost=line.unit_cost, origin=line, cost_source=source,
                reason=_("Customer return %(number)s") % {"number": received.number}, by=by)
            if source is not None:
                line.unit_cost = line.stock_move.unit_cost
        ReturnLine.objects.bulk_update(lines, ["stock_move", "unit_cost"])
        received.save(update_fields=bump_version(received))
    return received


def cancel_return(customer_return: CustomerReturn, *, by, expected_version: int | None = None) -> CustomerReturn:
    require_permission(by, "sales.change_customerreturn")
    common.check_client(by, customer_return.client)
    with transaction.atomic():
        locked = _lock(customer_return)
        refuse_stale(locked, expected_version)
        cancelled = workflow.transition(locked, CustomerReturn.Status.CANCELLED, by=by)
        cancelled.save(update_fields=bump_version(cancelled))
    return cancelled
