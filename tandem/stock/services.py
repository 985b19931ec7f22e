"""Every change of stock: moves, reservations, expected receipts, warehouses and locations, stock counts.

Locks WarehouseStock rows (ordered by pk) so concurrent reservations and shipments of one product in one
warehouse serialise; nothing else writes the balances. Rules kept here, for every caller (UI, API, sales):
- a lot- or serial-tracked product never moves without its lot (or serial), and only its own;
- a serial has quantity 1 and lies in one place at a time (receiving one that is in stock is refused);
- stock never goes below zero, per warehouse and per location (and lot), unless the warehouse allows it;
- reservations of lot-tracked products are made per lot, earliest expiry first, never from expired lots."""

from __future__ import annotations

import csv
import datetime
import io
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.catalog.models import Product
from tandem.core import audit, limits, workflow
from tandem.core.archive import archive, refuse_archived_links, restore
from tandem.core.bulk import insert_rows, update_rows
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.prepared import prepared
from tandem.stock.errors import insufficient_stock
from tandem.stock.models import (
    ExpectedReceipt,
    Location,
    Lot,
    Reservation,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseStock,
)
from tandem.stock.signals import stock_moves_recorded
from tandem.stock.valuation import services as valuation

ZERO = Decimal(0)


def _origin(origin) -> tuple[ContentType | None, int | None]:
    if origin is None:
        return None, None
    return ContentType.objects.get_for_model(origin), origin.pk


def _joined():
    """The caller's transaction when there is one, else a new one. Used by the move and reservation writes,
    which check everything before their first write (a refusal leaves nothing written), so they need no
    SAVEPOINT of their own inside a caller's transaction (a sales order reserving or shipping three lines would
    open and release one per line)."""
    return nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()


def _user(by):
    return by if getattr(by, "pk", None) else None


def _fmt(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def lock_warehouse_stock(product, warehouses) -> dict[int, WarehouseStock]:
    """The WarehouseStock rows of a product in the given warehouses, created if missing, locked in pk order."""
    ids = sorted({w.pk for w in warehouses})
    locked = WarehouseStock.objects.select_for_update().filter(product=product, warehouse_id__in=ids).order_by("pk")
    rows = {row.warehouse_id: row for row in locked}  # the usual case: every row exists, one statement
    if len(rows) == len(ids):
        return rows
    for warehouse_id in ids:
        if warehouse_id not in rows:
            try:
                with transaction.atomic():
                    WarehouseStock.objects.get_or_create(product=product, warehouse_id=warehouse_id)
            except IntegrityError:  # created by a concurrent transaction in the meantime
                pass
    return {row.warehouse_id: row for row in locked.all()}


def _level(product, location: Location, lot) -> Decimal:
    row = StockLevel.objects.filter(product=product, location=location, lot=lot).values_list("on_hand", flat=True)
    return row.first() or ZERO


def _check_lot_free(product, warehouse, lot, origin, quantity: Decimal) -> None:
    """A lot leaving a warehouse must not take what is held of that very lot for other documents."""
    origin_type, origin_id = _origin(origin)
    held = Reservation.objects.filter(product=product, warehouse=warehouse, lot=lot)
    if origin_type is not None:
        held = held.exclude(origin_type=origin_type, origin_id=origin_id)
    held_for_others = held.aggregate(total=Sum("quantity"))["total"] or ZERO
    if not held_for_others:
        return
    there = StockLevel.objects.filter(product=product, location__warehouse=warehouse, lot=lot) \
        .aggregate(total=Sum("on_hand"))["total"] or ZERO
    if quantity > there - held_for_others:
        raise insufficient_stock(product, warehouse, wanted=quantity, available=max(there - held_for_others, ZERO),
                                 lot=lot)


def _check_lot(product, lot, quantity: Decimal) -> None:
    tracking = getattr(product, "tracking", "none")
    if tracking in ("lot", "serial"):
        if lot is None:
            raise BusinessRuleError(
                "lot_required",
                _("%(product)s is tracked: choose its lot or serial number.") % {"product": product.sku},
                field="lot")
        if tracking == "serial" and quantity != 1:
            raise BusinessRuleError("serial_quantity", _("A serial number moves one piece at a time."),
                                    field="quantity")
    if lot is not None and lot.product_id != product.pk:
        raise BusinessRuleError("lot_of_other_product", _("Lot %(lot)s belongs to another product.")
                                % {"lot": lot.code}, field="lot")


def _checked_move(*, product, quantity: Decimal, kind: str, from_location: Location | None = None,
                  to_location: Location | None = None, lot=None, effective_date: datetime.date | None = None,
                  unit_cost: Decimal | None = None, origin=None, reason: str = "",
                  release_reserved: Decimal = Decimal(0), check_reserved: bool = True, cost_source=None) -> _Move:
    """record_move's arguments checked on their own (no database read): the move to post."""
    try:
        quantity = Decimal(quantity)
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_quantity", _("Enter a number."), field="quantity") from None
    release_reserved = Decimal(release_reserved)
    if not product.is_stocked:
        raise BusinessRuleError("not_stocked", _("%(product)s is a service and has no stock.")
                                % {"product": product.sku}, field="product")
    if not quantity.is_finite() or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    limits.check_amount(quantity, field="quantity")
    if unit_cost is not None:
        limits.check_amount(unit_cost, field="unit_cost", high=limits.MAX_RATE)
    limits.check_date(effective_date, field="effective_date")
    if from_location is None and to_location is None:
        raise BusinessRuleError("no_location", _("Choose where the goods come from or go to."), field="to_location")
    if from_location is not None and to_location is not None and from_location.pk == to_location.pk:
        raise BusinessRuleError("same_location", _("Choose two different locations."), field="to_location")
    _check_lot(product, lot, quantity)
    if to_location is not None and to_location.is_archived:
        raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                % {"name": to_location}, field="to_location")
    return _Move(product=product, quantity=quantity, kind=kind, from_location=from_location,
                 to_location=to_location, lot=lot, effective_date=effective_date, unit_cost=unit_cost, origin=origin,
                 reason=reason, release_reserved=release_reserved, check_reserved=check_reserved,
                 cost_source=cost_source)


def record_move(*, product, quantity: Decimal, kind: str, from_location: Location | None = None,
                to_location: Location | None = None, lot=None, effective_date: datetime.date | None = None,
                unit_cost: Decimal | None = None, origin=None, reason: str = "",
                release_reserved: Decimal = Decimal(0), by, check_reserved: bool = True,
                cost_source: StockMove | None = None) -> StockMove:
    """Move `quantity` of a product. `release_reserved` is the part of it that was reserved for the origin
    and leaves the warehouse now (a shipment of a reserved order line): it lowers reserved with on hand.
    `check_reserved=False` (a posted count: what is there is what is there) lets stock held for others go,
    still never below zero where negatives are not allowed. `cost_source`: for goods coming back (a customer
    return), the outgoing move they left with; the move is valued at that move's current unit cost, and
    revalued whenever it is."""
    move = _checked_move(product=product, quantity=quantity, kind=kind, from_location=from_location,
                         to_location=to_location, lot=lot, effective_date=effective_date, unit_cost=unit_cost,
                         origin=origin, reason=reason, release_reserved=release_reserved,
                         check_reserved=check_reserved, cost_source=cost_source)
    return _post_moves([move], by=by)[0]


def record_many(moves: list[dict], *, by) -> list[StockMove]:
    """The moves of one document (each a dict of record_move's keywords, without `by`), all or none, with the
    rules of record_move applied to each in turn as if recorded one after the other. Without lots they are
    posted together: the stock rows of every product and warehouse locked in one statement (pk order), the
    locations' levels and the reservations read once, then written in one statement per table. A move with a
    lot (its checks read the stock of the lot) is posted one at a time. A refusal names no line (as
    record_move); record_moves names it."""
    checked = [_checked_move(**values) for values in moves]
    return _post_checked(checked, by=by)


def _post_checked(checked: list[_Move], *, by, line_errors: bool = False) -> list[StockMove]:
    if not any(move.lot is not None for move in checked):
        return _post_moves(checked, by=by, line_errors=line_errors)
    posted = []
    with _joined():
        for index, move in enumerate(checked):
            try:
                posted += _post_moves([move], by=by)
            except BusinessRuleError as exc:
                if not line_errors:
                    raise
                raise _line_error(index, exc) from None
    return posted


@dataclass
class _Move:
    """One move checked by _checked_move, waiting for _post_moves."""

    product: object
    quantity: Decimal
    kind: str
    from_location: Location | None
    to_location: Location | None
    lot: object
    effective_date: datetime.date | None
    unit_cost: Decimal | None
    origin: object
    reason: str
    release_reserved: Decimal
    check_reserved: bool
    cost_source: object = None


def _lock_pairs(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], WarehouseStock]:
    """The WarehouseStock rows of (product id, warehouse id) pairs, created if missing, locked in pk order in
    one statement (several products of one document: one lock order for everyone, no deadlock)."""
    product_ids = sorted({p for p, _w in pairs})
    warehouse_ids = sorted({w for _p, w in pairs})
    if len(pairs) == len(product_ids) * len(warehouse_ids):  # a document's lines in one warehouse: the usual case
        def read_locked():
            return _LOCKED_STOCK_ROWS.all(product_ids, warehouse_ids)
    else:
        where = Q()
        for product_id, warehouse_id in sorted(pairs):
            where |= Q(product_id=product_id, warehouse_id=warehouse_id)

        def read_locked():
            return WarehouseStock.objects.select_for_update().filter(where).order_by("pk")
    rows = {(row.product_id, row.warehouse_id): row for row in read_locked()}
    if len(rows) == len(pairs):
        return rows
    for product_id, warehouse_id in sorted(pairs):
        if (product_id, warehouse_id) not in rows:
            try:
                with transaction.atomic():
                    WarehouseStock.objects.get_or_create(product_id=product_id, warehouse_id=warehouse_id)
            except IntegrityError:  # created by a concurrent transaction in the meantime
                pass
    return {(row.product_id, row.warehouse_id): row for row in read_locked()}


_LOCKED_STOCK_ROWS = prepared(lambda product_ids, warehouse_ids: WarehouseStock.objects.select_for_update()
                              .filter(product_id__in=product_ids, warehouse_id__in=warehouse_ids).order_by("pk"))
_LEVELS_WITHOUT_LOT = prepared(lambda product_ids, location_ids: StockLevel.objects
                               .filter(lot__isnull=True, product_id__in=product_ids, location_id__in=location_ids)
                               .only("pk", "product_id", "location_id", "lot_id", "on_hand"))
_LOCKED_HELD = prepared(lambda origin_type_id, origin_ids, product_ids, warehouse_ids: Reservation.objects
                        .select_for_update().filter(origin_type_id=origin_type_id, origin_id__in=origin_ids,
                                                    product_id__in=product_ids, warehouse_id__in=warehouse_ids)
                        .order_by("pk"))


def _read_levels(keys: set[tuple]) -> dict[tuple, list]:
    """{(product id, location id, lot id): [level id, on hand]} of the keys that have a level row (one read)."""
    lot_ids = {lot_id for _p, _l, lot_id in keys if lot_id is not None}
    if not lot_ids:  # goods without lots: the usual case
        levels = _LEVELS_WITHOUT_LOT.all(sorted({k[0] for k in keys}), sorted({k[1] for k in keys}))
        return {key: [level.pk, level.on_hand] for level in levels
                if (key := (level.product_id, level.location_id, None)) in keys}
    lot_q = Q(lot_id__in=sorted(lot_ids))
    if any(lot_id is None for _p, _l, lot_id in keys):
        lot_q |= Q(lot__isnull=True)
    rows = StockLevel.objects.filter(lot_q, product_id__in=sorted({k[0] for k in keys}),
                                     location_id__in=sorted({k[1] for k in keys})) \
        .values_list("pk", "product_id", "location_id", "lot_id", "on_hand")
    return {(p, loc, lot): [pk, on_hand] for pk, p, loc, lot, on_hand in rows if (p, loc, lot) in keys}


def _held_for(moves: list[_Move]) -> dict[tuple, list[Reservation]]:
    """What is reserved for the moves' origins that release reservations, locked, per (product id, warehouse id,
    origin type id, origin id), oldest first."""
    wanted = set()
    for move in moves:
        if move.release_reserved and move.from_location is not None:
            origin_type, origin_id = _origin(move.origin)
            wanted.add((move.product.pk, move.from_location.warehouse_id, getattr(origin_type, "pk", None),
                        origin_id))
    if not wanted:
        return {}
    held = {key: [] for key in wanted}
    type_ids = {w[2] for w in wanted}
    product_ids, warehouse_ids = sorted({w[0] for w in wanted}), sorted({w[1] for w in wanted})
    if len(type_ids) == 1 and None not in type_ids:  # one kind of document: the usual case
        type_id = next(iter(type_ids))
        rows = _LOCKED_HELD.all(type_id, sorted({w[3] for w in wanted}), product_ids, warehouse_ids)
    else:
        where = Q()
        for type_id in type_ids:
            where |= Q(origin_type_id=type_id, origin_id__in=sorted({w[3] for w in wanted if w[2] == type_id}))
        rows = Reservation.objects.select_for_update().filter(
            where, product_id__in=product_ids, warehouse_id__in=warehouse_ids).order_by("pk")
    for reservation in rows:
        key = (reservation.product_id, reservation.warehouse_id, reservation.origin_type_id, reservation.origin_id)
        if key in held:
            held[key].append(reservation)
    return held


def _take_reserved(held: list[Reservation], quantity: Decimal, lot, taken_total: dict) -> None:
    """Take `quantity` off the reservations `held` (that lot's first, then oldest first), in memory: what is
    taken of each is added to `taken_total` (reservation -> quantity); refuse if less is held."""
    order = sorted(held, key=lambda r: r.lot_id != lot.pk) if lot is not None else held
    left, taken_from = quantity, []
    for reservation in order:
        if left <= 0:
            break
        free = reservation.quantity - taken_total.get(reservation, ZERO)
        if free <= 0:
            continue
        taken = min(free, left)
        left -= taken
        taken_from.append((reservation, taken))
    if left > 0:  # refused before anything is written
        raise BusinessRuleError("not_reserved", _("Less than %(quantity)s is reserved for this document.")
                                % {"quantity": _fmt(quantity)}, field="quantity")
    for reservation, taken in taken_from:
        taken_total[reservation] = taken_total.get(reservation, ZERO) + taken


def _post_moves(moves: list[_Move], *, by, line_errors: bool = False) -> list[StockMove]:
    """Check and write checked moves in order. Everything is checked (in memory, each move seeing the ones before
    it) before the first write, so a refusal leaves nothing written. A move with a lot comes alone (its lot
    checks read the database)."""
    with _joined():
        pairs = set()
        level_keys = set()
        for move in moves:
            for location in (move.from_location, move.to_location):
                if location is not None:
                    pairs.add((move.product.pk, location.warehouse_id))
                    level_keys.add((move.product.pk, location.pk, getattr(move.lot, "pk", None)))
        rows = _lock_pairs(pairs)
        levels = _read_levels(level_keys)
        held = _held_for(moves)
        taken: dict[Reservation, Decimal] = {}
        changed_rows: dict[int, WarehouseStock] = {}
        changed_levels: set[tuple] = set()
        new_moves = []
        for index, move in enumerate(moves):
            try:
                new_moves.append(_check_and_apply(move, rows=rows, levels=levels, held=held, taken=taken,
                                                  changed_rows=changed_rows, changed_levels=changed_levels, by=by))
            except BusinessRuleError as exc:
                if not line_errors:
                    raise
                raise _line_error(index, exc) from None
        # Writes: reservations taken, stock rows, levels, then the moves costed and their valuation entries.
        emptied = [r.pk for r, quantity in taken.items() if quantity == r.quantity]
        if emptied:
            Reservation.objects.filter(pk__in=emptied).delete()
        partly = [r for r, quantity in taken.items() if quantity != r.quantity]
        for reservation in partly:
            reservation.quantity -= taken[reservation]
        update_rows(Reservation, ["quantity"], partly)
        update_rows(WarehouseStock, ["on_hand", "reserved"], list(changed_rows.values()))
        existing = []
        created = []
        for key in sorted(changed_levels, key=lambda k: (k[0], k[1], k[2] or 0)):
            pk, on_hand = levels[key]
            if pk is None:
                created.append(StockLevel(product_id=key[0], location_id=key[1], lot_id=key[2], on_hand=on_hand))
            else:
                existing.append(StockLevel(pk=pk, on_hand=on_hand))
        update_rows(StockLevel, ["on_hand"], existing)
        if created:
            insert_rows(created)
        plan = valuation.plan_costs(new_moves)
        insert_rows(new_moves)
        if any(move.pk is None for move in new_moves):  # a backend that cannot return the new ids
            raise RuntimeError("stock moves need a database that returns the ids of inserted rows")
        valuation.value_new_moves(new_moves, plan)
        stock_moves_recorded.send(sender=StockMove, moves=new_moves)
    return new_moves


def _check_and_apply(move: _Move, *, rows, levels, held, taken, changed_rows, changed_levels, by) -> StockMove:
    """record_move's rules for one move against the rows read (and changed by the moves before it)."""
    product, quantity, lot = move.product, move.quantity, move.lot
    from_location, to_location = move.from_location, move.to_location
    source = from_location.warehouse if from_location else None
    target = to_location.warehouse if to_location else None
    company = (source or target).company
    lot_id = getattr(lot, "pk", None)
    if source is not None:
        row = rows[(product.pk, source.pk)]
        # Only what is not held for others may leave, plus what was held for this very origin.
        # Between bins of one warehouse nothing leaves it: reserved goods may move too.
        within = target is not None and target.pk == source.pk
        available = row.on_hand - (row.reserved if move.check_reserved and not within else 0) + move.release_reserved
        if quantity > available and not source.allow_negative:
            raise insufficient_stock(product, source, wanted=quantity, available=max(available, ZERO))
        key = (product.pk, from_location.pk, lot_id)
        here = levels.get(key, (None, ZERO))[1]
        if quantity > here and (not source.allow_negative or getattr(product, "tracking", "") == "serial"):
            raise insufficient_stock(product, from_location, wanted=quantity, available=max(here, ZERO), lot=lot)
        if lot is not None and move.check_reserved and not within and not source.allow_negative:
            _check_lot_free(product, source, lot, move.origin, quantity)
        if move.release_reserved:
            origin_type, origin_id = _origin(move.origin)
            _take_reserved(held.get((product.pk, source.pk, getattr(origin_type, "pk", None), origin_id), []),
                           move.release_reserved, lot, taken)
        row.on_hand -= quantity
        row.reserved -= move.release_reserved
        changed_rows[row.pk] = row
        levels[key] = [levels.get(key, (None,))[0], here - quantity]
        changed_levels.add(key)
    if target is not None:
        if source is None and getattr(product, "tracking", "") == "serial" and StockLevel.objects.filter(
                product=product, lot=lot, on_hand__gt=0).exists():
            raise ConflictError("serial_in_stock", _("Serial number %(serial)s is already in stock.")
                                % {"serial": lot.code}, field="lot")
        row = rows[(product.pk, target.pk)]
        row.on_hand += quantity
        changed_rows[row.pk] = row
        key = (product.pk, to_location.pk, lot_id)
        pk, on_hand = levels.get(key, (None, ZERO))
        levels[key] = [pk, on_hand + quantity]
        changed_levels.add(key)
    origin_type, origin_id = _origin(move.origin)
    stock_move = StockMove(
        company=company, product=product, kind=move.kind, quantity=quantity, from_location=from_location,
        to_location=to_location, lot=lot, effective_date=move.effective_date or timezone.localdate(),
        unit_cost=move.unit_cost, reason=move.reason,
        origin_type=origin_type, origin_id=origin_id, created_by=_user(by),
    )
    if move.cost_source is not None and source is None:
        stock_move.cost_source_id = move.cost_source.pk  # read by valuation (basis returned), not a column
    return stock_move


@dataclass
class MoveLine:
    """One line of a multi-line stock document (a receipt of several products, a transfer list)."""

    product: object
    quantity: Decimal
    lot: Lot | None = None
    unit_cost: Decimal | None = None
    lot_code: str = ""  # a new (or existing) lot of the product by its code, when `lot` is not given
    expiry_date: datetime.date | None = None


def _line_error(index: int, exc: BusinessRuleError) -> BusinessRuleError:
    field = f"lines.{index}.{exc.field}" if exc.field else f"lines.{index}"
    return type(exc)(exc.code, exc.message, field=field, extra=exc.extra)


def record_moves(*, lines: list[MoveLine], kind: str, from_location: Location | None = None,
                 to_location: Location | None = None, effective_date=None, origin=None, reason: str = "",
                 by) -> list[StockMove]:
    """Several lines moved as one document: all of them or none (a refusal names the line)."""
    with transaction.atomic():
        checked = []
        for index, line in enumerate(lines):
            try:
                lot = line.lot
                if lot is None and line.lot_code:
                    lot = get_or_create_lot(product=line.product, code=line.lot_code, expiry_date=line.expiry_date,
                                            by=by)
                checked.append(_checked_move(product=line.product, quantity=line.quantity, kind=kind,
                                             from_location=from_location, to_location=to_location, lot=lot,
                                             effective_date=effective_date, unit_cost=line.unit_cost,
                                             origin=origin, reason=reason))
            except BusinessRuleError as exc:
                raise _line_error(index, exc) from None
        return _post_checked(checked, by=by, line_errors=True)


def receive_stock(*, product, quantity: Decimal, location: Location, lot=None, effective_date=None,
                  unit_cost: Decimal | None = None, origin=None, reason: str = "", by) -> StockMove:
    """Goods come in to a location (from a supplier, found, produced)."""
    return record_move(product=product, quantity=quantity, kind=StockMove.Kind.RECEIPT, to_location=location,
                       lot=lot, effective_date=effective_date, unit_cost=unit_cost, origin=origin, reason=reason,
                       by=by)


def transfer_stock(*, product, quantity: Decimal, from_location: Location, to_location: Location, lot=None,
                   effective_date=None, origin=None, reason: str = "", by) -> StockMove:
    """Move goods between locations of one warehouse or between warehouses."""
    if from_location is None:
        raise BusinessRuleError("required", _("Choose where the goods come from."), field="from_location")
    if to_location is None:
        raise BusinessRuleError("required", _("Choose where the goods go to."), field="to_location")
    return record_move(product=product, quantity=quantity, kind=StockMove.Kind.TRANSFER,
                       from_location=from_location, to_location=to_location, lot=lot,
                       effective_date=effective_date, origin=origin, reason=reason, by=by)


def adjust_stock(*, product, location: Location, quantity: Decimal, reason: str, lot=None, effective_date=None,
                 unit_cost: Decimal | None = None, origin=None, by, check_reserved: bool = True,
                 lot_code: str = "", expiry_date: datetime.date | None = None) -> StockMove:
    """Correct on hand in a location by a signed quantity (found +, broken or lost −), with a reason.
    `lot_code`: a lot of the product by its code (created when new, with `expiry_date`)."""
    if not (reason or "").strip():
        raise BusinessRuleError("reason_required", _("Say why the stock is adjusted."), field="reason")
    try:
        quantity = Decimal(quantity)
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_quantity", _("Enter a number."), field="quantity") from None
    if quantity == 0:
        raise BusinessRuleError("quantity_zero", _("An adjustment changes stock: enter a quantity other than zero."),
                                field="quantity")
    with transaction.atomic():
        if lot is None and lot_code:
            lot = get_or_create_lot(product=product, code=lot_code, expiry_date=expiry_date, by=by)
        if quantity > 0:
            return record_move(product=product, quantity=quantity, kind=StockMove.Kind.ADJUSTMENT,
                               to_location=location, lot=lot, effective_date=effective_date, unit_cost=unit_cost,
                               origin=origin, reason=reason.strip(), by=by)
        return record_move(product=product, quantity=-quantity, kind=StockMove.Kind.ADJUSTMENT,
                           from_location=location, lot=lot, effective_date=effective_date, origin=origin,
                           reason=reason.strip(), by=by, check_reserved=check_reserved)


# --- Lots -----------------------------------------------------------------------------------------------------


def get_or_create_lot(*, product, code: str, expiry_date: datetime.date | None = None, by) -> Lot:
    """The product's lot (or serial) with this code, created if new; an expiry date given fills an empty one."""
    code = (code or "").strip()
    if not code:
        raise BusinessRuleError("required", _("Enter the lot or serial number."), field="lot")
    if len(code) > 64:
        raise BusinessRuleError("too_long", _("At most 64 characters."), field="lot")
    if getattr(product, "tracking", "none") == "none":
        raise BusinessRuleError("not_tracked", _("%(product)s is not tracked by lot or serial number.")
                                % {"product": product.sku}, field="lot")
    limits.check_date(expiry_date, field="expiry_date")
    with transaction.atomic():
        lot, created = Lot.objects.get_or_create(product=product, code=code,
                                                 defaults={"expiry_date": expiry_date, "created_by": _user(by)})
        if not created and expiry_date and lot.expiry_date is None:
            lot.expiry_date = expiry_date
            lot.save(update_fields=["expiry_date", "updated_at"])
    return lot


# --- Reservations ------------------------------------------------------------------------------------------------


def _lot_availability(product, warehouse, on_date: datetime.date) -> list[tuple[Lot, Decimal]]:
    """Lots of a product in a warehouse that are not expired, earliest expiry first, with what is free of each."""
    on_hand = dict(StockLevel.objects.filter(product=product, location__warehouse=warehouse, lot__isnull=False)
                   .values("lot_id").annotate(total=Sum("on_hand")).values_list("lot_id", "total"))
    held = dict(Reservation.objects.filter(product=product, warehouse=warehouse, lot__isnull=False)
                .values("lot_id").annotate(total=Sum("quantity")).values_list("lot_id", "total"))
    lots = Lot.objects.filter(pk__in=[k for k, v in on_hand.items() if v > 0]).filter(
        Q(expiry_date__isnull=True) | Q(expiry_date__gte=on_date))
    ordered = sorted(lots, key=lambda lot: (lot.expiry_date is None, lot.expiry_date or on_date, lot.pk))
    return [(lot, on_hand[lot.pk] - held.get(lot.pk, ZERO)) for lot in ordered
            if on_hand[lot.pk] - held.get(lot.pk, ZERO) > 0]


def reserve_stock(*, product, warehouse, quantity: Decimal, origin, lot=None, by,
                  on_date: datetime.date | None = None) -> Reservation:
    """Hold `quantity` for `origin`, or refuse with 409 insufficient_stock naming what is available.

    A lot-tracked product is held per lot: the lot given, or lots picked earliest expiry first (FEFO), never
    an expired one. Returns the (first) reservation; `reservation.parts` lists every one made."""
    quantity = Decimal(quantity)
    if not quantity.is_finite() or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    limits.check_amount(quantity, field="quantity")
    if lot is not None and lot.product_id != product.pk:
        raise BusinessRuleError("lot_of_other_product", _("Lot %(lot)s belongs to another product.")
                                % {"lot": lot.code}, field="lot")
    on_date = on_date or timezone.localdate()
    tracked = getattr(product, "tracking", "none") in ("lot", "serial")
    origin_type, origin_id = _origin(origin)
    with _joined():
        row = lock_warehouse_stock(product, [warehouse])[warehouse.pk]
        if quantity > row.available:
            raise insufficient_stock(product, warehouse, wanted=quantity, available=max(row.available, ZERO))
        if not tracked:
            parts = [(lot, quantity)]
        else:
            free = _lot_availability(product, warehouse, on_date)
            if lot is not None:
                free = [(lot_, q) for lot_, q in free if lot_.pk == lot.pk]
            total = sum((q for _lot, q in free), ZERO)
            if quantity > total:
                raise insufficient_stock(product, warehouse, wanted=quantity, available=min(total, row.available),
                                         lot=lot)
            parts, left = [], quantity
            for lot_, free_quantity in free:
                if left <= 0:
                    break
                taken = min(free_quantity, left)
                parts.append((lot_, taken))
                left -= taken
        row.reserved += quantity
        row.save(update_fields=["reserved"])
        made = [Reservation.objects.create(product=product, warehouse=warehouse, lot=lot_, quantity=part,
                                           origin_type=origin_type, origin_id=origin_id, created_by=_user(by))
                for lot_, part in parts]
    first = made[0]
    first.parts = made
    return first


def reserve_many(*, warehouse, lines: list[tuple], by) -> list[Reservation]:
    """Hold each (product, quantity, origin) of `lines` in `warehouse` as reserve_stock does, all or none (the
    first short line refuses with 409 insufficient_stock). Untracked products are held together: their stock
    rows locked in one statement (pk order), written in one, the reservations inserted in one. With a lot- or
    serial-tracked product (held per lot, FEFO) each line goes through reserve_stock in turn."""
    if any(getattr(product, "tracking", "none") in ("lot", "serial") for product, _q, _o in lines):
        with _joined():
            return [reserve_stock(product=product, warehouse=warehouse, quantity=quantity, origin=origin, by=by)
                    for product, quantity, origin in lines]
    checked = []
    for product, quantity, origin in lines:
        quantity = Decimal(quantity)
        if not quantity.is_finite() or quantity <= 0:
            raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
        limits.check_amount(quantity, field="quantity")
        checked.append((product, quantity, origin))
    with _joined():
        rows = _lock_pairs({(product.pk, warehouse.pk) for product, _q, _o in checked})
        made = []
        for product, quantity, origin in checked:
            row = rows[(product.pk, warehouse.pk)]
            if quantity > row.available:
                raise insufficient_stock(product, warehouse, wanted=quantity, available=max(row.available, ZERO))
            row.reserved += quantity
            origin_type, origin_id = _origin(origin)
            made.append(Reservation(product=product, warehouse=warehouse, quantity=quantity,
                                    origin_type=origin_type, origin_id=origin_id, created_by=_user(by)))
        update_rows(WarehouseStock, ["reserved"], list({row.pk: row for row in rows.values()}.values()))
        insert_rows(made)
    for reservation in made:
        reservation.parts = [reservation]
    return made


def release_reservations(*, origin, by) -> Decimal:
    """Give back everything held for `origin`; returns the quantity released."""
    origin_type, origin_id = _origin(origin)
    released = Decimal(0)
    with transaction.atomic():
        held = list(Reservation.objects.select_for_update()
                    .filter(origin_type=origin_type, origin_id=origin_id).order_by("pk"))
        # One lock per product and warehouse, taken in a stable order.
        for reservation in sorted(held, key=lambda r: (r.product_id, r.warehouse_id, r.pk)):
            row = lock_warehouse_stock(reservation.product, [reservation.warehouse])[reservation.warehouse_id]
            row.reserved -= reservation.quantity
            row.save(update_fields=["reserved"])
            released += reservation.quantity
        Reservation.objects.filter(pk__in=[r.pk for r in held]).delete()
    return released


# --- Expected receipts (incoming) ---------------------------------------------------------------------------------


def expect_receipt(*, product, warehouse, quantity: Decimal, expected_date: datetime.date, origin=None,
                   note: str = "", by) -> ExpectedReceipt:
    """Announce goods expected in a warehouse on a date (purchasing, production): incoming goes up."""
    quantity = Decimal(quantity)
    if not product.is_stocked:
        raise BusinessRuleError("not_stocked", _("%(product)s is a service and has no stock.")
                                % {"product": product.sku}, field="product")
    if not quantity.is_finite() or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    limits.check_amount(quantity, field="quantity")
    if expected_date is None:
        raise BusinessRuleError("required", _("Enter the date the goods are expected."), field="expected_date")
    limits.check_date(expected_date, field="expected_date")
    origin_type, origin_id = _origin(origin)
    with transaction.atomic():
        row = lock_warehouse_stock(product, [warehouse])[warehouse.pk]
        row.incoming += quantity
        row.save(update_fields=["incoming"])
        return ExpectedReceipt.objects.create(product=product, warehouse=warehouse, quantity=quantity,
                                              expected_date=expected_date, note=note, origin_type=origin_type,
                                              origin_id=origin_id, created_by=_user(by))


def clear_expected_receipt(expected: ExpectedReceipt, *, quantity: Decimal | None = None, by) -> Decimal:
    """The goods came (or will not): take `quantity` (default all) off an expected receipt; returns it."""
    with transaction.atomic():
        row = lock_warehouse_stock(expected.product, [expected.warehouse])[expected.warehouse_id]
        locked = ExpectedReceipt.objects.select_for_update().filter(pk=expected.pk).first()
        if locked is None:
            return ZERO
        taken = locked.quantity if quantity is None else min(Decimal(quantity), locked.quantity)
        row.incoming = max(row.incoming - taken, ZERO)
        row.save(update_fields=["incoming"])
        if taken == locked.quantity:
            locked.delete()
        else:
            locked.quantity -= taken
            locked.save(update_fields=["quantity", "updated_at"])
    return taken


def clear_expected_receipts(*, origin, by) -> Decimal:
    """Drop every expected receipt of an origin document (its order was received or cancelled)."""
    origin_type, origin_id = _origin(origin)
    cleared = ZERO
    with transaction.atomic():
        for expected in ExpectedReceipt.objects.filter(origin_type=origin_type, origin_id=origin_id).order_by("pk"):
            cleared += clear_expected_receipt(expected, by=by)
    return cleared


# --- Warehouses and locations ------------------------------------------------------------------------------------

WAREHOUSE_FIELDS = ("code", "name", "allow_negative", "company_id")
LOCATION_FIELDS = ("code", "name", "kind", "is_default")


def _check_code(code: str, field: str = "code") -> str:
    code = (code or "").strip()
    if not code:
        raise BusinessRuleError("required", _("Enter a code."), field=field)
    problem = limits.text_problem(code)
    if problem:
        raise BusinessRuleError("invalid", problem, field=field)
    return code


def create_warehouse(*, company, code: str, name: str, allow_negative: bool = False, by,
                     default_location_code: str = "STOCK") -> Warehouse:
    """A warehouse with its default location (where goods go when no bin is chosen)."""
    code = _check_code(code)
    if not (name or "").strip():
        raise BusinessRuleError("required", _("Enter a name."), field="name")
    if Warehouse.objects.filter(code__iexact=code).exists():
        raise ConflictError("duplicate", _("Another warehouse has the code %(code)s.") % {"code": code},
                            field="code")
    with transaction.atomic():
        warehouse = Warehouse.objects.create(company=company, code=code, name=name.strip(),
                                             allow_negative=allow_negative, created_by=_user(by))
        Location.objects.create(warehouse=warehouse, code=default_location_code, name=_("Stock"), is_default=True,
                                created_by=_user(by))
        audit.record(warehouse, "stock.warehouse.created", by=by,
                     changes=audit.snapshot(warehouse, WAREHOUSE_FIELDS))
    return warehouse


def update_warehouse(warehouse: Warehouse, *, by, **values) -> Warehouse:
    with transaction.atomic():
        locked = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        before = audit.snapshot(locked, WAREHOUSE_FIELDS)
        if "code" in values:
            values["code"] = _check_code(values["code"])
            if Warehouse.objects.filter(code__iexact=values["code"]).exclude(pk=locked.pk).exists():
                raise ConflictError("duplicate", _("Another warehouse has the code %(code)s.")
                                    % {"code": values["code"]}, field="code")
        if "name" in values and not (values["name"] or "").strip():
            raise BusinessRuleError("required", _("Enter a name."), field="name")
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked, WAREHOUSE_FIELDS))
        if changes:
            audit.record(locked, "stock.warehouse.changed", by=by, changes=changes)
    return locked


def create_location(*, warehouse: Warehouse, code: str, name: str = "", kind: str = Location.Kind.STORAGE,
                    is_default: bool = False, by) -> Location:
    code = _check_code(code)
    if kind not in Location.Kind.values:
        raise BusinessRuleError("invalid", _("Choose a kind."), field="kind")
    refuse_archived_links(Location(warehouse=warehouse), ["warehouse"])
    with transaction.atomic():
        Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        if Location.objects.filter(warehouse=warehouse, code__iexact=code).exists():
            raise ConflictError("duplicate", _("This warehouse already has a location %(code)s.") % {"code": code},
                                field="code")
        if is_default:
            Location.objects.filter(warehouse=warehouse, is_default=True).update(is_default=False)
        location = Location.objects.create(warehouse=warehouse, code=code, name=(name or "").strip(), kind=kind,
                                           is_default=is_default, created_by=_user(by))
        audit.record(location, "stock.location.created", by=by, root=warehouse,
                     changes=audit.snapshot(location, LOCATION_FIELDS))
    return location


def update_location(location: Location, *, by, **values) -> Location:
    with transaction.atomic():
        Warehouse.objects.select_for_update().get(pk=location.warehouse_id)
        locked = Location.objects.select_for_update().get(pk=location.pk)
        before = audit.snapshot(locked, LOCATION_FIELDS)
        if "code" in values:
            values["code"] = _check_code(values["code"])
            if Location.objects.filter(warehouse_id=locked.warehouse_id, code__iexact=values["code"]) \
                    .exclude(pk=locked.pk).exists():
                raise ConflictError("duplicate", _("This warehouse already has a location %(code)s.")
                                    % {"code": values["code"]}, field="code")
        if "kind" in values and values["kind"] not in Location.Kind.values:
            raise BusinessRuleError("invalid", _("Choose a kind."), field="kind")
        if values.get("is_default") is False and locked.is_default:
            raise BusinessRuleError("default_needed", _("Make another location the default instead."),
                                    field="is_default")
        if values.get("is_default") and not locked.is_default:
            Location.objects.filter(warehouse_id=locked.warehouse_id, is_default=True).update(is_default=False)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked, LOCATION_FIELDS))
        if changes:
            audit.record(locked, "stock.location.changed", by=by, root=locked.warehouse, changes=changes)
    return locked


def archive_location(location: Location, *, by) -> Location:
    """Archive a bin: refused while it holds stock or is the warehouse's default."""
    if location.is_default:
        raise BusinessRuleError("default_location", _("The default location cannot be archived."),
                                field="is_default")
    if StockLevel.objects.filter(location=location).exclude(on_hand=0).exists():
        raise ConflictError("location_has_stock", _("%(location)s still holds stock: move it first.")
                            % {"location": location}, field="location")
    return archive(location, by=by, root=location.warehouse)


def archive_warehouse(warehouse: Warehouse, *, by) -> Warehouse:
    """Archive a warehouse: refused while it holds or is owed stock."""
    if WarehouseStock.objects.filter(warehouse=warehouse).filter(
            ~Q(on_hand=0) | ~Q(reserved=0) | ~Q(incoming=0)).exists():
        raise ConflictError("warehouse_has_stock", _("%(warehouse)s still holds, reserves or expects stock.")
                            % {"warehouse": warehouse.code}, field="warehouse")
    return archive(warehouse, by=by)


def restore_warehouse(warehouse: Warehouse, *, by) -> Warehouse:
    return restore(warehouse, by=by)


def restore_location(location: Location, *, by) -> Location:
    if location.warehouse.is_archived:
        raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                % {"name": location.warehouse}, field="warehouse")
    return restore(location, by=by, root=location.warehouse)


# --- Stock counts ------------------------------------------------------------------------------------------------


def create_count(*, warehouse: Warehouse, count_date: datetime.date | None = None, note: str = "",
                 by) -> StockCount:
    refuse_archived_links(StockCount(warehouse=warehouse), ["warehouse"])
    limits.check_date(count_date, field="count_date")
    with transaction.atomic():
        count = StockCount.objects.create(warehouse=warehouse, count_date=count_date or timezone.localdate(),
                                          note=note, created_by=_user(by))
        audit.record(count, "stock.stockcount.created", by=by, root=warehouse,
                     changes={"count_date": count.count_date.isoformat()})
    return count


def _locked_draft(count: StockCount) -> StockCount:
    locked = StockCount.objects.select_for_update().select_related("warehouse").get(pk=count.pk)
    if not locked.can_edit():
        raise ConflictError("count_not_draft", _("A posted or cancelled count cannot change."), field="status")
    return locked


def set_count_line(count: StockCount, *, product, location: Location, counted: Decimal, lot=None,
                   by, lot_code: str = "") -> StockCountLine:
    """Enter (or correct) what was counted of a product in a location (and lot; `lot_code` finds or makes it)."""
    try:
        counted = Decimal(counted)
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_quantity", _("Enter a number."), field="counted") from None
    if not counted.is_finite() or counted < 0:
        raise BusinessRuleError("counted_negative", _("Enter zero or more."), field="counted")
    limits.check_amount(counted, field="counted")
    if not product.is_stocked:
        raise BusinessRuleError("not_stocked", _("%(product)s is a service and has no stock.")
                                % {"product": product.sku}, field="product")
    if lot is not None or not lot_code:
        _check_lot(product, lot, Decimal(1))
    if getattr(product, "tracking", "") == "serial" and counted > 1:
        raise BusinessRuleError("serial_quantity", _("A serial number is counted 0 or 1."), field="counted")
    with transaction.atomic():
        locked = _locked_draft(count)
        if lot is None and lot_code:
            lot = get_or_create_lot(product=product, code=lot_code, by=by)
            _check_lot(product, lot, Decimal(1))
        if location.warehouse_id != locked.warehouse_id:
            raise BusinessRuleError("other_warehouse", _("Choose a location of %(warehouse)s.")
                                    % {"warehouse": locked.warehouse.code}, field="location")
        line, _created = StockCountLine.objects.update_or_create(
            count=locked, product=product, location=location, lot=lot, defaults={"counted": counted})
    return line


def remove_count_line(line: StockCountLine, *, by) -> None:
    """Delete a line entered by mistake while the count is a draft (409 once it is posted or cancelled: then
    the line is what was adjusted)."""
    with transaction.atomic():
        locked = _locked_draft(line.count)
        line = StockCountLine.objects.select_related("product", "location", "lot").filter(
            pk=line.pk, count=locked).first()
        if line is None:
            return  # removed meanwhile
        changes = {"line": line.pk, "product": line.product.sku, "location": line.location.code,
                   "counted": _fmt(line.counted)}
        if line.lot_id:
            changes["lot"] = line.lot.code
        line.delete()
        audit.record(locked, "stock.stockcount.line_removed", by=by, root=locked.warehouse, changes=changes)


@dataclass
class CsvImportResult:
    lines: int
    errors: list[dict]


def import_count_csv(count: StockCount, text: str, *, by) -> CsvImportResult:
    """Lines from a CSV with the columns sku, location, lot, counted (a header row; comma or semicolon).

    All rows or none: any bad row refuses the whole file, naming its row number and field."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in ("sku", "location", "counted") if h not in headers]
    if missing:
        raise BusinessRuleError("csv_columns", _("The file needs the columns sku, location, lot, counted; missing: "
                                                 "%(missing)s.") % {"missing": ", ".join(missing)}, field="file")
    errors: list[dict] = []
    parsed = []
    locations = {loc.code.lower(): loc for loc in Location.objects.filter(warehouse_id=count.warehouse_id)}
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        product = Product.objects.filter(sku=row.get("sku", "")).first()
        if product is None:
            errors.append({"row": number, "field": "sku", "message": _("No product has this SKU.")})
            continue
        location = locations.get(row.get("location", "").lower())
        if location is None:
            errors.append({"row": number, "field": "location",
                           "message": _("The warehouse has no location with this code.")})
            continue
        lot = None
        if row.get("lot"):
            lot = Lot.objects.filter(product=product, code=row["lot"]).first()
            if lot is None and getattr(product, "tracking", "none") != "none":
                lot = Lot(product=product, code=row["lot"])  # created when the file is accepted
        try:
            counted = Decimal(row.get("counted", "").replace(",", "."))
        except ArithmeticError:
            errors.append({"row": number, "field": "counted", "message": _("Enter a number.")})
            continue
        parsed.append((number, product, location, lot, counted))
    if errors:
        raise BusinessRuleError("csv_rows", _("%(count)s rows of the file are wrong; nothing was imported.")
                                % {"count": len(errors)}, field="file", extra={"errors": errors})
    with transaction.atomic():
        for number, product, location, lot, counted in parsed:
            try:
                if lot is not None and lot.pk is None:
                    lot = get_or_create_lot(product=product, code=lot.code, by=by)
                set_count_line(count, product=product, location=location, lot=lot, counted=counted, by=by)
            except BusinessRuleError as exc:
                raise BusinessRuleError(exc.code, _("Row %(row)s: %(message)s") % {"row": number,
                                                                                    "message": exc.message},
                                        field="file", extra={"errors": [{"row": number, "field": exc.field,
                                                                         "message": exc.message}]}) from None
    return CsvImportResult(lines=len(parsed), errors=[])


def post_count(count: StockCount, *, by) -> StockCount:
    """Post a count: each line's difference from on hand becomes an adjustment move dated the count date."""
    with transaction.atomic():
        locked = workflow.transition(count, StockCount.Status.POSTED, by=by)
        lines = list(locked.lines.select_related("product", "location", "location__warehouse", "lot")
                     .order_by("product_id", "id"))
        reason = _("Stock count %(number)s") % {"number": locked.pk}
        for line in lines:
            on_hand = _level(line.product, line.location, line.lot)
            line.on_hand_at_posting = on_hand
            difference = line.counted - on_hand
            if difference:
                # Less found than is promised to orders: refused where negatives are not allowed (release
                # or move the reservations first), so available never goes below zero there.
                try:
                    line.move = adjust_stock(product=line.product, location=line.location, lot=line.lot,
                                             quantity=difference, reason=reason, effective_date=locked.count_date,
                                             origin=locked, by=by)
                except BusinessRuleError as exc:
                    raise type(exc)(exc.code, _("%(product)s in %(location)s: %(message)s") % {
                        "product": line.product.sku, "location": line.location.code, "message": exc.message},
                        field="lines", extra={**exc.extra, "line_id": line.pk}) from None
            line.save(update_fields=["on_hand_at_posting", "move"])
    return locked


def cancel_count(count: StockCount, *, by) -> StockCount:
    return workflow.transition(count, StockCount.Status.CANCELLED, by=by)

