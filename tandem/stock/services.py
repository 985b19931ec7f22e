"""Every change of stock: moves, reservations. Locks WarehouseStock rows (ordered by pk) so concurrent
reservations and shipments of one product in one warehouse serialise; nothing else writes the balances."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError
from tandem.stock.errors import insufficient_stock
from tandem.stock.models import Location, Reservation, StockLevel, StockMove, WarehouseStock
from tandem.stock.valuation import services as valuation


def _origin(origin) -> tuple[ContentType | None, int | None]:
    if origin is None:
        return None, None
    return ContentType.objects.get_for_model(origin), origin.pk


def lock_warehouse_stock(product, warehouses) -> dict[int, WarehouseStock]:
    """The WarehouseStock rows of a product in the given warehouses, created if missing, locked in pk order."""
    ids = sorted({w.pk for w in warehouses})
    existing = set(WarehouseStock.objects.filter(product=product, warehouse_id__in=ids)
                   .values_list("warehouse_id", flat=True))
    for warehouse_id in ids:
        if warehouse_id not in existing:
            WarehouseStock.objects.get_or_create(product=product, warehouse_id=warehouse_id)
    rows = WarehouseStock.objects.select_for_update().filter(product=product, warehouse_id__in=ids).order_by("pk")
    return {row.warehouse_id: row for row in rows}


def _change_level(product, location: Location, lot, delta: Decimal) -> None:
    updated = StockLevel.objects.filter(product=product, location=location, lot=lot).update(
        on_hand=F("on_hand") + delta)
    if not updated:
        StockLevel.objects.create(product=product, location=location, lot=lot, on_hand=delta)


def _consume_reservations(product, warehouse, origin, quantity: Decimal) -> None:
    """Take `quantity` off what is held for `origin` (oldest first); refuse if less is held."""
    origin_type, origin_id = _origin(origin)
    held = Reservation.objects.select_for_update().filter(
        product=product, warehouse=warehouse, origin_type=origin_type, origin_id=origin_id).order_by("pk")
    left = quantity
    for reservation in held:
        if left <= 0:
            break
        taken = min(reservation.quantity, left)
        left -= taken
        if taken == reservation.quantity:
            reservation.delete()
        else:
            reservation.quantity -= taken
            reservation.save(update_fields=["quantity"])
    if left > 0:
        raise BusinessRuleError("not_reserved", _("Less than %(quantity)s is reserved for this document.")
                                % {"quantity": quantity.normalize()}, field="quantity")


def record_move(*, product, quantity: Decimal, kind: str, from_location: Location | None = None,
                to_location: Location | None = None, lot=None, effective_date: datetime.date | None = None,
                unit_cost: Decimal | None = None, origin=None, reason: str = "",
                release_reserved: Decimal = Decimal(0), by) -> StockMove:
    """Move `quantity` of a product. `release_reserved` is the part of it that was reserved for the origin
    and leaves the warehouse now (a shipment of a reserved order line): it lowers reserved with on hand."""
    quantity = Decimal(quantity)
    if not product.is_stocked:
        raise BusinessRuleError("not_stocked", _("%(product)s is a service and has no stock.")
                                % {"product": product.sku}, field="product")
    if quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    if from_location is None and to_location is None:
        raise BusinessRuleError("no_location", _("Choose where the goods come from or go to."), field="to_location")
    source = from_location.warehouse if from_location else None
    target = to_location.warehouse if to_location else None
    company = (source or target).company
    with transaction.atomic():
        rows = lock_warehouse_stock(product, [w for w in (source, target) if w is not None])
        if source is not None:
            row = rows[source.pk]
            # Only what is not held for others may leave, plus what was held for this very origin.
            available = row.on_hand - row.reserved + release_reserved
            if quantity > available and not source.allow_negative:
                raise insufficient_stock(product, source, wanted=quantity, available=max(available, Decimal(0)))
            if release_reserved:
                _consume_reservations(product, source, origin, release_reserved)
            row.on_hand -= quantity
            row.reserved -= release_reserved
            row.save(update_fields=["on_hand", "reserved"])
            _change_level(product, from_location, lot, -quantity)
        if target is not None:
            row = rows[target.pk]
            row.on_hand += quantity
            row.save(update_fields=["on_hand"])
            _change_level(product, to_location, lot, quantity)
        origin_type, origin_id = _origin(origin)
        move = StockMove.objects.create(
            company=company, product=product, kind=kind, quantity=quantity, from_location=from_location,
            to_location=to_location, lot=lot, effective_date=effective_date or timezone.localdate(),
            unit_cost=unit_cost, reason=reason,
            origin_type=origin_type, origin_id=origin_id, created_by=by if getattr(by, "pk", None) else None,
        )
        valuation.value_move(move)
    return move


def reserve_stock(*, product, warehouse, quantity: Decimal, origin, lot=None, by) -> Reservation:
    """Hold `quantity` for `origin`, or refuse with 409 insufficient_stock naming what is available."""
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    with transaction.atomic():
        row = lock_warehouse_stock(product, [warehouse])[warehouse.pk]
        if quantity > row.available:
            raise insufficient_stock(product, warehouse, wanted=quantity, available=max(row.available, Decimal(0)))
        row.reserved += quantity
        row.save(update_fields=["reserved"])
        origin_type, origin_id = _origin(origin)
        return Reservation.objects.create(product=product, warehouse=warehouse, lot=lot, quantity=quantity,
                                          origin_type=origin_type, origin_id=origin_id,
                                          created_by=by if getattr(by, "pk", None) else None)


def release_reservations(*, origin, by) -> Decimal:
    """Give back everything held for `origin`; returns the quantity released."""
    origin_type, origin_id = _origin(origin)
    released = Decimal(0)
    with transaction.atomic():
        held = list(Reservation.objects.select_for_update()
                    .filter(origin_type=origin_type, origin_id=origin_id).order_by("pk"))
        for reservation in held:
            row = lock_warehouse_stock(reservation.product, [reservation.warehouse])[reservation.warehouse_id]
            row.reserved -= reservation.quantity
            row.save(update_fields=["reserved"])
            released += reservation.quantity
        Reservation.objects.filter(pk__in=[r.pk for r in held]).delete()
    return released
