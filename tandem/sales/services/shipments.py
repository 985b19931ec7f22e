"""Shipments of sales orders: made for what is left to ship (draft, "to pick"), picked, packed, shipped
(posting the SHIPMENT stock moves, all lines in one transaction), delivered; cancelled while not shipped.

Quantities are in the product's stock unit. What is left to ship on an order line is its quantity (in stock
units) minus what has shipped minus what sits in open (not shipped, not cancelled) shipments. Shipping takes
the quantity off the line's reservation (`release_reserved`); what is not shipped stays reserved on the order:
the backorder, shipped by a later shipment.

The order follows its quantities (sales.calculations.order_status_from_shipped): confirmed → partly shipped →
shipped. A shipped order closes by itself when every one of its shipments is delivered (or cancelled); the
order's own "close" step (sales.services.orders.close_order) still closes a partly shipped order by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.bulk import insert_row, insert_rows, update_rows
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.sales.calculations import order_status_from_shipped, plain
from tandem.sales.models import Order, OrderLine, Shipment, ShipmentLine
from tandem.sales.services import lines as common
from tandem.sales.services.orders import stock_quantity
from tandem.sales.services.returns import returned_quantities
from tandem.stock import services as stock_services
from tandem.stock.models import Location, Lot, Reservation, StockLevel, StockMove

ZERO = Decimal(0)
SHIPPABLE = (Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED)
CONFIRM_PERMISSION = "sales.confirm_shipment"
EDIT_FIELDS = ("carrier", "tracking_number", "shipment_date", "note")


# --- Reads the services and pages share -----------------------------------------------------------------------


def in_open_shipments(order) -> dict[int, Decimal]:
    """Per order line id: the quantity in shipments of the order that are not shipped yet and not cancelled."""
    rows = (ShipmentLine.objects.filter(shipment__order=order, shipment__status__in=_open_statuses())
            .values("order_line_id").annotate(total=Sum("quantity")))
    return {row["order_line_id"]: row["total"] for row in rows}


def _open_statuses() -> tuple[str, ...]:
    return (Shipment.Status.DRAFT, Shipment.Status.PICKED, Shipment.Status.PACKED)


def left_to_ship(line: OrderLine, pending: Decimal = ZERO) -> Decimal:
    """What of an order line may still go into a new shipment (stock units)."""
    return max(stock_quantity(line) - line.shipped_quantity - pending, ZERO)


def shipping_summary(order) -> list[dict]:
    """Per goods line of the order: ordered, shipped, in open shipments, left, reserved, returned (stock units)."""
    pending = in_open_shipments(order)
    returned = returned_quantities(order)
    rows = []
    for line in order.lines.select_related("product", "product__unit", "unit").order_by("position", "pk"):
        if not line.product.is_stocked:
            continue
        ordered = stock_quantity(line)
        rows.append({
            "line": line, "product": line.product, "unit": line.product.unit, "ordered": ordered,
            "shipped": line.shipped_quantity, "pending": pending.get(line.pk, ZERO),
            "left": left_to_ship(line, pending.get(line.pk, ZERO)), "backorder": ordered - line.shipped_quantity,
            "reserved": line.reserved_quantity, "returned": returned.get(line.pk, ZERO),
        })
    return rows


def suggest_lot(order_line: OrderLine, location: Location, on_date: datetime.date | None = None) -> Lot | None:
    """FEFO: a lot reserved for the line first (stock holds lots earliest expiry first), else the lot in the
    location that expires first and has not expired."""
    product = order_line.product
    if product.tracking == "none":
        return None
    on_date = on_date or timezone.localdate()
    reserved = (Reservation.objects.filter(origin_type__model="orderline", origin_type__app_label="sales",
                                           origin_id=order_line.pk, lot__isnull=False)
                .select_related("lot").order_by("lot__expiry_date", "pk").first())
    if reserved is not None:
        return reserved.lot
    level = (StockLevel.objects.filter(product=product, location=location, lot__isnull=False, on_hand__gt=0)
             .filter(Q(lot__expiry_date__isnull=True) | Q(lot__expiry_date__gte=on_date))
             .select_related("lot").order_by("lot__expiry_date", "lot__pk").first())
    return level.lot if level else None


# --- Writes ---------------------------------------------------------------------------------------------------


_LOCKED_ORDER = prepared(lambda pk: Order.objects.select_for_update(of=("self",))
                         .select_related("client", "warehouse").filter(pk=pk))
_LOCKED = prepared(lambda pk: Shipment.objects.select_for_update(of=("self",))
                   .select_related("order", "client", "warehouse").filter(pk=pk))
# Only the lines' own rows are locked: never the product or unit rows they join.
_LOCKED_LINES = prepared(lambda order_id: OrderLine.objects.select_for_update(of=("self",))
                         .filter(order_id=order_id).select_related("product", "product__unit", "unit")
                         .order_by("pk"))


def _lock_order(order) -> Order:
    """The order (or order id) locked, with its client and warehouse."""
    return _LOCKED_ORDER.get(getattr(order, "pk", order))


def _lock(shipment) -> Shipment:
    return _LOCKED.get(shipment.pk)


def _locked_lines(order) -> dict[int, OrderLine]:
    """The order's lines by id, locked."""
    return {line.pk: line for line in _LOCKED_LINES.all(order.pk)}


def _decimal(value, field: str) -> Decimal:
    try:
        value = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        raise BusinessRuleError("invalid", _("Enter a number."), field=field) from None
    if not value.is_finite():
        raise BusinessRuleError("invalid", _("Enter a number."), field=field)
    return value


def _check_line(order: Order, index: int, *, order_line: OrderLine, quantity, location: Location | None,
                lot: Lot | None, left: Decimal, on_date, default_location=None) -> ShipmentLine:
    prefix = f"lines[{index}]."
    if order_line.order_id != order.pk:
        raise BusinessRuleError("foreign_line", _("The line belongs to another order."), field=f"{prefix}order_line")
    product = order_line.product
    if not product.is_stocked:
        raise BusinessRuleError("not_stocked", _("%(product)s is a service and is not shipped.")
                                % {"product": product.sku}, field=f"{prefix}order_line")
    quantity = _decimal(quantity, f"{prefix}quantity")
    if quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field=f"{prefix}quantity")
    limits.check_amount(quantity, field=f"{prefix}quantity")
    if quantity > left:
        raise BusinessRuleError(
            "more_than_left", _("Only %(left)s of %(product)s are left to ship on this order.")
            % {"left": plain(left), "product": product.sku}, field=f"{prefix}quantity",
            extra={"left": plain(left)})
    location = location or default_location or stock_default_location(order.warehouse)
    if location is None or location.warehouse_id != order.warehouse_id or location.is_archived:
        raise BusinessRuleError("foreign_location", _("Choose a location of the order's warehouse."),
                                field=f"{prefix}location")
    if product.tracking != "none":
        lot = lot or suggest_lot(order_line, location, on_date)
        if lot is None:
            raise BusinessRuleError("lot_required", _("%(product)s is tracked: choose its lot or serial number.")
                                    % {"product": product.sku}, field=f"{prefix}lot")
        if product.tracking == "serial" and quantity != 1:
            raise BusinessRuleError("serial_quantity", _("A serial number moves one piece at a time."),
                                    field=f"{prefix}quantity")
    if lot is not None and lot.product_id != product.pk:
        raise BusinessRuleError("lot_of_other_product", _("Lot %(lot)s belongs to another product.")
                                % {"lot": lot.code}, field=f"{prefix}lot")
    return ShipmentLine(order_line=order_line, product=product, quantity=quantity, location=location, lot=lot)


_DEFAULT_LOCATION = prepared(lambda warehouse_id: Location.objects.filter(
    warehouse_id=warehouse_id, is_archived=False, kind=Location.Kind.STORAGE).order_by("-is_default", "code")[:1])


def stock_default_location(warehouse) -> Location | None:
    if warehouse is None:
        return None
    return _DEFAULT_LOCATION.first(warehouse.pk)


def _everything_left(order_lines, pending: dict[int, Decimal]) -> list[dict]:
    """What is left to ship of each goods line (`order_lines`: the order's lines, already read and locked)."""
    lines = []
    for line in sorted(order_lines, key=lambda x: (x.position, x.pk)):
        if line.product.is_stocked:
            left = left_to_ship(line, pending.get(line.pk, ZERO))
            if left > 0:
                lines.append({"order_line": line, "quantity": left})
    return lines


def create_shipment(order: Order, *, by, lines=None, shipment_date: datetime.date | None = None,
                    carrier: str = "", tracking_number: str = "", note: str = "") -> Shipment:
    """A shipment ("to pick") of a confirmed or partly shipped order. `lines` are dicts with order_line,
    quantity (stock units, at most what is left to ship), location (of the order's warehouse; its default
    storage location when omitted) and lot (lot-tracked products: the reserved or earliest-expiring lot when
    omitted). No lines: everything left to ship."""
    require_permission(by, "sales.add_shipment")
    common.check_client(by, order.client)
    shipment_date = shipment_date or timezone.localdate()
    limits.check_date(shipment_date, field="shipment_date")
    with transaction.atomic():
        locked = _lock_order(order)
        if locked.status not in SHIPPABLE:
            raise BusinessRuleError("order_not_shippable",
                                    _("Only a confirmed or partly shipped order can be shipped."), field="order")
        if locked.warehouse_id is None:
            raise BusinessRuleError("warehouse_required", _("Choose the warehouse the goods are reserved in."),
                                    field="order")
        order_lines = _locked_lines(locked)
        pending = in_open_shipments(locked)
        wanted = list(lines) if lines else _everything_left(order_lines.values(), pending)
        if not wanted:
            raise BusinessRuleError("nothing_to_ship", _("Nothing is left to ship on this order."), field="lines")
        new_lines = []
        default_location = None
        if any(not values.get("location") for values in wanted):
            default_location = stock_default_location(locked.warehouse)
        for index, values in enumerate(wanted):
            given = values.get("order_line")
            order_line = order_lines.get(getattr(given, "pk", given))
            if order_line is None:
                raise BusinessRuleError("foreign_line", _("The line belongs to another order."),
                                        field=f"lines[{index}].order_line")
            left = left_to_ship(order_line, pending.get(order_line.pk, ZERO))
            new = _check_line(locked, index, order_line=order_line, quantity=values.get("quantity"),
                              location=values.get("location"), lot=values.get("lot"), left=left, on_date=shipment_date,
                              default_location=default_location)
            pending[order_line.pk] = pending.get(order_line.pk, ZERO) + new.quantity
            new_lines.append(new)
        shipment = insert_row(Shipment(
            company_id=locked.company_id, order=locked, client=locked.client, warehouse=locked.warehouse,
            shipment_date=shipment_date, carrier=(carrier or "").strip(),
            tracking_number=(tracking_number or "").strip(), note=(note or "").strip(), created_by=by))
        shipment.number = f"SH-{shipment_date.year}-{shipment.pk:05d}"
        update_rows(Shipment, ["number"], [shipment])
        for line in new_lines:
            line.shipment = shipment
        insert_rows(new_lines)
        audit.record(shipment, "sales.shipment.created", by=by, root=locked.client, changes={
            "number": [None, shipment.number], "order_number": [None, locked.number],
            "items": ", ".join(f"{line.product.sku}: {plain(line.quantity)}" for line in new_lines)})
    return shipment


def update_shipment(shipment: Shipment, *, by, expected_version: int | None = None, **values) -> Shipment:
    """Carrier, tracking number, date and note, while the shipment is not shipped."""
    require_permission(by, "sales.change_shipment")
    common.check_client(by, shipment.client)
    unknown = set(values) - set(EDIT_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _lock(shipment)
        refuse_stale(locked, expected_version)
        if not locked.is_open and set(values) - {"tracking_number", "carrier"}:
            raise BusinessRuleError("not_editable", _("Only the carrier and tracking number of a shipped shipment "
                                                      "can be changed."), field="status")
        before = audit.snapshot(locked, EDIT_FIELDS)
        for name, value in values.items():
            setattr(locked, name, (value or "").strip() if name != "shipment_date" else value)
        if locked.shipment_date is None:
            raise BusinessRuleError("required", _("Enter the shipment date."), field="shipment_date")
        limits.check_date(locked.shipment_date, field="shipment_date")
        changes = audit.diff(before, audit.snapshot(locked, EDIT_FIELDS))
        if changes:
            locked.save(update_fields=[*values, "updated_at", *bump_version(locked)])
            audit.record(locked, "sales.shipment.changed", by=by, root=locked.client, changes=changes)
    return locked


def _step(shipment, to: str, *, by, expected_version, perm: str = CONFIRM_PERMISSION) -> Shipment:
    require_permission(by, perm)
    common.check_client(by, shipment.client)
    locked = _lock(shipment)
    refuse_stale(locked, expected_version)
    return workflow.transition(locked, to, by=by, locked=True, also_save=bump_version(locked))


def pick_shipment(shipment: Shipment, *, by, expected_version: int | None = None) -> Shipment:
    """The warehouse confirms the goods are picked."""
    with transaction.atomic():
        return _step(shipment, Shipment.Status.PICKED, by=by, expected_version=expected_version)


def pack_shipment(shipment: Shipment, *, by, expected_version: int | None = None) -> Shipment:
    with transaction.atomic():
        return _step(shipment, Shipment.Status.PACKED, by=by, expected_version=expected_version)


def cancel_shipment(shipment: Shipment, *, by, expected_version: int | None = None) -> Shipment:
    """Not shipped yet → cancelled: its quantities are left to ship again (the order keeps its reservation)."""
    with transaction.atomic():
        return _step(shipment, Shipment.Status.CANCELLED, by=by, expected_version=expected_version,
                     perm="sales.change_shipment")


def ship_shipment(shipment: Shipment, *, by, expected_version: int | None = None, carrier: str | None = None,
                  tracking_number: str | None = None) -> Shipment:
    """Packed → shipped: one SHIPMENT stock move per line (out of its location, with its lot, taking the
    quantity off the order line's reservation), the order lines' shipped quantities, the order's status from
    them. One transaction: a refusal on any line leaves no move written."""
    require_permission(by, CONFIRM_PERMISSION)
    common.check_client(by, shipment.client)
    with transaction.atomic():
        order = _lock_order(shipment.order_id)  # the order first, as create_shipment does: one lock order
        locked = _lock(shipment)
        refuse_stale(locked, expected_version)
        if carrier is not None:
            locked.carrier = carrier.strip()
        if tracking_number is not None:
            locked.tracking_number = tracking_number.strip()
        shipped = workflow.transition(locked, Shipment.Status.SHIPPED, by=by, locked=True,
                                      also_save=["carrier", "tracking_number", *bump_version(locked)])
        order_lines = _locked_lines(order)
        lines = list(shipped.lines.select_related("location__warehouse__company", "lot").order_by("product_id", "pk"))
        moves = []
        reason = _("Shipment %(number)s") % {"number": shipped.number}
        for line in lines:
            order_line = order_lines[line.order_line_id]
            if line.quantity > stock_quantity(order_line) - order_line.shipped_quantity:
                raise BusinessRuleError("more_than_left", _("Only %(left)s of %(product)s are left to ship on this "
                                                            "order.") % {
                    "left": plain(stock_quantity(order_line) - order_line.shipped_quantity),
                    "product": order_line.product.sku}, field="lines")
            release = min(line.quantity, order_line.reserved_quantity)
            moves.append({"product": order_line.product, "quantity": line.quantity, "kind": StockMove.Kind.SHIPMENT,
                          "from_location": line.location, "lot": line.lot, "effective_date": shipped.shipment_date,
                          "origin": order_line, "release_reserved": release, "reason": reason})
            order_line.shipped_quantity += line.quantity
            order_line.reserved_quantity -= release
        # All lines' moves at once (record_move's rules, each line seeing the ones before it; one lock statement).
        for line, move in zip(lines, stock_services.record_many(moves, by=by), strict=True):
            line.stock_move = move
        update_rows(ShipmentLine, ["stock_move"], lines)
        update_rows(OrderLine, ["shipped_quantity", "reserved_quantity"], order_lines.values())
        _follow_quantities(order, order_lines.values(), by=by)
    return shipped


def _follow_quantities(order: Order, order_lines, *, by) -> Order:
    status = order_status_from_shipped(order.status, [
        (stock_quantity(line), line.shipped_quantity) for line in order_lines if line.product.is_stocked])
    if status != order.status:  # the caller holds the order's lock (_lock_order)
        return workflow.transition(order, status, by=by, locked=True, also_save=bump_version(order))
    order.save(update_fields=bump_version(order))
    return order


def deliver_shipment(shipment: Shipment, *, by, expected_version: int | None = None,
                     delivered_date: datetime.date | None = None) -> Shipment:
    """Shipped → delivered. When the order is fully shipped and every shipment of it is delivered (or
    cancelled), the order closes."""
    require_permission(by, CONFIRM_PERMISSION)
    common.check_client(by, shipment.client)
    delivered_date = delivered_date or timezone.localdate()
    limits.check_date(delivered_date, field="delivered_date")
    with transaction.atomic():
        order = _lock_order(shipment.order)
        locked = _lock(shipment)
        refuse_stale(locked, expected_version)
        if delivered_date < locked.shipment_date:
            raise BusinessRuleError("before_shipment", _("The delivery date cannot be before the shipment date."),
                                    field="delivered_date")
        delivered = workflow.transition(locked, Shipment.Status.DELIVERED, by=by)
        delivered.delivered_date = delivered_date
        delivered.save(update_fields=["delivered_date", *bump_version(delivered)])
        still_out = order.shipments.exclude(status__in=[Shipment.Status.DELIVERED, Shipment.Status.CANCELLED])
        if order.status == Order.Status.SHIPPED and not still_out.exists():
            closed = workflow.transition(order, Order.Status.CLOSED, by=by)
            for line in closed.lines.filter(reserved_quantity__gt=0).order_by("pk"):
                stock_services.release_reservations(origin=line, by=by)
                line.reserved_quantity = ZERO
                line.save(update_fields=["reserved_quantity"])
            closed.save(update_fields=bump_version(closed))
    return delivered

