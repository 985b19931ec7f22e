"""Production services: production orders along their TRANSITIONS.

A production order is made as a draft from the product's BOM in force on its planned start: the BOM's
components (scrap included, scaled to the quantity) and operations (set-up + minutes per unit × quantity, at
the work centre's hourly cost) are copied onto it, so later BOM edits do not change orders already made."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.bulk import update_rows
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.money import quantize
from tandem.core.permissions import require_permission
from tandem.production import accounting, queries
from tandem.production.models import (
    Bom,
    ProductionOrder,
    ProductionOrderComponent,
    ProductionOrderOperation,
    ProductionOrderOutput,
)
from tandem.stock import queries as stock_queries
from tandem.stock.models import ExpectedReceipt, Location, Lot, Reservation, StockMove, Warehouse
from tandem.stock.services import (
    clear_expected_receipt,
    clear_expected_receipts,
    expect_receipt,
    get_or_create_lot,
    record_many,
    release_reservations,
    reserve_stock,
)
from tandem.stock.valuation.queries import value_at

ZERO = Decimal(0)
QUANTUM = Decimal("0.0001")  # core.models.QUANTITY's decimal places


def quantize_quantity(value: Decimal) -> Decimal:
    """Up to the stored precision, rounding up: an order never plans less than its BOM needs."""
    return value.quantize(QUANTUM, rounding=ROUND_UP)


def _default_company():
    from tandem.core.services import default_legal_entity

    return default_legal_entity()


def _quantity(value, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise BusinessRuleError("invalid", _("Enter a number."), field=field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field=field)
    limits.check_amount(quantity, field=field)
    return quantity


def create_production_order(*, product, quantity, by, planned_start: datetime.date | None = None,
                            bom: Bom | None = None, warehouse: Warehouse | None = None, company=None,
                            planned_end: datetime.date | None = None, note: str = "") -> ProductionOrder:
    """A draft production order making `quantity` of `product` with `bom` (default: the version in force on
    `planned_start`), its components and operations copied from that BOM. Refusals (400, with the field):
    no BOM in force, a BOM of another product, a warehouse of another legal entity, a quantity not above zero."""
    require_permission(by, "production.add_productionorder")
    if product is None:
        raise BusinessRuleError("required", _("Choose the product to make."), field="product")
    quantity = _quantity(quantity, "quantity")
    planned_start = planned_start or timezone.localdate()
    limits.check_date(planned_start, field="planned_start")
    limits.check_date(planned_end, field="planned_end")
    if planned_end is not None and planned_end < planned_start:
        raise BusinessRuleError("end_before_start", _("The planned end is before the planned start."),
                                field="planned_end")
    bom = bom or queries.active_bom(product, planned_start)
    if bom is None:
        raise BusinessRuleError("no_bom", _("The product has no bill of materials in force on that date."),
                                field="bom")
    if bom.product_id != product.pk:
        raise BusinessRuleError("foreign_bom", _("The bill of materials is for another product."), field="bom")
    company = company or (warehouse.company if warehouse is not None else _default_company())
    warehouse = warehouse or Warehouse.objects.active().filter(company=company).order_by("pk").first()
    if warehouse is None:
        raise BusinessRuleError("required", _("Choose the warehouse."), field="warehouse")
    if warehouse.company_id != company.pk:
        raise BusinessRuleError("foreign_warehouse", _("The warehouse belongs to another of our legal entities."),
                                field="warehouse")
    with transaction.atomic():
        order = ProductionOrder.objects.create(
            company=company, product=product, bom=bom, warehouse=warehouse, owner=by if by.pk else None,
            quantity=quantity, planned_start=planned_start, planned_end=planned_end, note=(note or "").strip(),
            created_by=by if by.pk else None)
        order.number = f"MO-{planned_start.year}-{order.pk:05d}"
        order.save(update_fields=["number"])
        ProductionOrderComponent.objects.bulk_create([
            ProductionOrderComponent(order=order, bom_line_id=line.pk, position=index, product_id=line.component_id,
                                     required_quantity=quantize_quantity(line.gross_quantity * quantity / bom.quantity))
            for index, line in enumerate(bom.lines.order_by("position", "id"), start=1)])
        ProductionOrderOperation.objects.bulk_create([
            ProductionOrderOperation(
                order=order, sequence=operation.sequence, name=operation.name, work_centre_id=operation.work_centre_id,
                planned_minutes=quantize_quantity(operation.setup_minutes + operation.minutes_per_unit * quantity),
                hourly_cost=operation.work_centre.hourly_cost)
            for operation in bom.operations.select_related("work_centre").order_by("sequence", "id")])
        audit.record(order, "production.productionorder.created", by=by, changes=audit.snapshot(
            order, ["number", "product", "quantity", "warehouse", "planned_start"]))
    return order


# --- Along the order's TRANSITIONS -----------------------------------------------------------------------------


def _lock(order: ProductionOrder) -> ProductionOrder:
    return (ProductionOrder.objects.select_for_update(of=("self",))
            .select_related("company", "product", "warehouse__company", "bom").get(pk=order.pk))


def _locked(order: ProductionOrder, expected_version: int | None) -> ProductionOrder:
    locked = _lock(order)
    refuse_stale(locked, expected_version)
    return locked


def _money(value: Decimal, order: ProductionOrder) -> Decimal:
    return quantize(value, order.company.base_currency)


def _date(value, field: str = "effective_date") -> datetime.date:
    value = value or timezone.localdate()
    limits.check_date(value, field=field)
    return value


def _save(order: ProductionOrder, fields: list[str]) -> None:
    order.save(update_fields=[*fields, *bump_version(order), "updated_at"])


def reserved_by_product(order: ProductionOrder) -> dict[int, Decimal]:
    held = (Reservation.objects.filter(origin_type=ContentType.objects.get_for_model(ProductionOrder),
                                       origin_id=order.pk)
            .values("product_id").annotate(total=Sum("quantity")).values_list("product_id", "total"))
    return dict(held)


def confirm_production_order(order: ProductionOrder, *, by, expected_version: int | None = None) -> ProductionOrder:
    """Draft → confirmed: the standard cost is fixed (components at their current valuation in the order's
    warehouse, operations at the work centres' rates), components are reserved as far as stock allows (what is
    short stays unreserved and shows as such) and the output is announced as expected on the planned end."""
    require_permission(by, "production.change_productionorder")
    with transaction.atomic():
        locked = _locked(order, expected_version)
        if locked.status != ProductionOrder.Status.DRAFT:
            raise ConflictError("not_draft", _("Only a draft production order can be confirmed."), field="status")
        components = list(locked.components.select_related("product").order_by("position", "id"))
        operations = list(locked.operations.select_related("work_centre"))
        if not components and not operations:
            raise BusinessRuleError("empty", _("The order has neither components nor operations."), field="bom")
        today = timezone.localdate()
        for component in components:
            component.standard_unit_cost = value_at(component.product, locked.warehouse, today).unit_cost
        for operation in operations:
            operation.hourly_cost = operation.work_centre.hourly_cost
        standard = sum((c.required_quantity * c.standard_unit_cost for c in components), ZERO) \
            + sum((o.planned_minutes * o.hourly_cost / 60 for o in operations), ZERO)
        locked.standard_cost = _money(standard, locked)
        limits.check_amount(locked.standard_cost, field="quantity")
        update_rows(ProductionOrderComponent, ["standard_unit_cost"], components)
        update_rows(ProductionOrderOperation, ["hourly_cost"], operations)
        confirmed = workflow.transition(locked, ProductionOrder.Status.CONFIRMED, by=by, locked=True,
                                        also_save=["standard_cost", *bump_version(locked)],
                                        data={"standard_cost": str(locked.standard_cost)})
        _reserve(confirmed, components, by)
        expect_receipt(product=confirmed.product, warehouse=confirmed.warehouse, quantity=confirmed.quantity,
                       expected_date=confirmed.planned_end or confirmed.planned_start, origin=confirmed,
                       note=confirmed.number, by=by)
    return confirmed


def _reserve(order: ProductionOrder, components, by) -> None:
    """Hold each stocked component's open quantity, or as much of it as is available."""
    for component in components:
        product = component.product
        if not product.is_stocked or component.open_quantity <= 0:
            continue
        free = stock_queries.available(product, order.warehouse)
        quantity = min(component.open_quantity, free)
        if quantity <= 0:
            continue
        try:
            reserve_stock(product=product, warehouse=order.warehouse, quantity=quantity, origin=order, by=by)
        except ConflictError as exc:  # lots expired or held for others: reserve what the lots allow, or nothing
            lots_allow = Decimal((exc.extra or {}).get("available") or 0)
            if 0 < lots_allow < quantity:
                reserve_stock(product=product, warehouse=order.warehouse, quantity=lots_allow, origin=order, by=by)


def unconfirm_production_order(order: ProductionOrder, *, by,
                               expected_version: int | None = None) -> ProductionOrder:
    """Confirmed → draft again: reservations and the expected output are dropped."""
    require_permission(by, "production.change_productionorder")
    with transaction.atomic():
        locked = _locked(order, expected_version)
        draft = workflow.transition(locked, ProductionOrder.Status.DRAFT, by=by, locked=True,
                                    also_save=bump_version(locked))
        release_reservations(origin=draft, by=by)
        clear_expected_receipts(origin=draft, by=by)
    return draft


def start_production_order(order: ProductionOrder, *, by, expected_version: int | None = None) -> ProductionOrder:
    """Confirmed → in progress: components may now be consumed, time booked and output produced."""
    require_permission(by, "production.change_productionorder")
    with transaction.atomic():
        locked = _locked(order, expected_version)
        return workflow.transition(locked, ProductionOrder.Status.IN_PROGRESS, by=by, locked=True,
                                   also_save=bump_version(locked))


def _in_progress(order: ProductionOrder) -> None:
    if order.status != ProductionOrder.Status.IN_PROGRESS:
        raise ConflictError("not_in_progress", _("Start the production order first."), field="status")


@dataclass
class Consumption:
    """One component consumed: `quantity` of it from `location` (default: the warehouse's default location),
    of `lot` (required for lot- and serial-tracked components)."""

    component: ProductionOrderComponent
    quantity: Decimal
    lot: Lot | None = None
    location: Location | None = None
    serials: list[Lot] | None = None  # several serials of a serial-tracked component: one unit each


def _serial_count(quantity: Decimal, count: int, field: str) -> None:
    """N serial numbers for N units: the quantity must be whole and equal the count."""
    if quantity != count:
        raise BusinessRuleError("serial_count", _("Enter one serial number per unit: %(count)s serial numbers for "
                                                  "%(quantity)s units.") % {"count": count,
                                                                            "quantity": quantity.normalize()},
                                field=field)


def _expand_serials(lines: list[Consumption]) -> list[tuple[int, Consumption]]:
    """(index of the line given, line) with a line of several serials split into one unit per serial."""
    expanded = []
    for index, line in enumerate(lines):
        if not line.serials:
            expanded.append((index, line))
            continue
        product = getattr(line.component, "product", None)
        if getattr(product, "tracking", "") != "serial":
            raise BusinessRuleError("not_serial", _("%(product)s is not tracked by serial number.")
                                    % {"product": getattr(product, "sku", "")}, field=f"lines.{index}.serial_ids")
        quantity = _quantity(line.quantity, f"lines.{index}.quantity")
        _serial_count(quantity, len(line.serials), f"lines.{index}.serial_ids")
        seen = set()
        for position, lot in enumerate(line.serials):
            if lot.pk in seen:
                raise BusinessRuleError("serial_repeated", _("Serial number %(serial)s is given twice.")
                                        % {"serial": lot.code}, field=f"lines.{index}.serial_ids.{position}")
            seen.add(lot.pk)
            expanded.append((index, Consumption(line.component, Decimal(1), lot=lot, location=line.location)))
    return expanded


def consume_components(order: ProductionOrder, *, lines: list[Consumption], by, effective_date=None,
                       expected_version: int | None = None) -> ProductionOrder:
    """Take components out of stock into work in progress (stock move kind "consumption", valued by stock
    valuation; the bridge posts Dr work in progress / Cr inventory). Partial and repeated consumption is fine;
    more than required is allowed (extra scrap) and costs more. What was reserved for the order is used first.
    Refusals name the line: lines.<i>.quantity (not above zero, short stock), lines.<i>.lot (tracked component
    without its lot, a lot of another product), lines.<i>.location (a bin of another warehouse)."""
    require_permission(by, "production.change_productionorder")
    if not lines:
        raise BusinessRuleError("required", _("Enter at least one component to consume."), field="lines")
    day = _date(effective_date)
    with transaction.atomic():
        locked = _locked(order, expected_version)
        _in_progress(locked)
        components = {c.pk: c for c in locked.components.select_related("product")}
        default = stock_queries.default_location(locked.warehouse)
        reserved = reserved_by_product(locked)
        wanted = []
        given = []  # the index of the line given, for each line consumed
        for index, line in _expand_serials([
                Consumption(components.get(getattr(line.component, "pk", line.component), line.component),
                            line.quantity, line.lot, line.location, line.serials) for line in lines]):
            given.append(index)
            component = components.get(getattr(line.component, "pk", line.component))
            if component is None:
                raise BusinessRuleError("foreign_component", _("Choose a component of this order."),
                                        field=f"lines.{index}.component")
            quantity = _quantity(line.quantity, f"lines.{index}.quantity")
            location = line.location or default
            if location is None or location.warehouse_id != locked.warehouse_id:
                raise BusinessRuleError("foreign_location", _("Choose a location of the order's warehouse."),
                                        field=f"lines.{index}.location")
            release = min(quantity, reserved.get(component.product_id, ZERO))
            reserved[component.product_id] = reserved.get(component.product_id, ZERO) - release
            wanted.append((component, quantity, location, line.lot, release))
        posted = []
        for index, (component, quantity, location, lot, release) in zip(given, wanted, strict=True):
            try:
                posted += record_many([{
                    "product": component.product, "quantity": quantity, "kind": StockMove.Kind.CONSUMPTION,
                    "from_location": location, "lot": lot, "effective_date": day, "origin": locked,
                    "release_reserved": release, "reason": locked.number}], by=by)
            except BusinessRuleError as exc:
                raise type(exc)(exc.code, exc.message, field=f"lines.{index}.{exc.field or 'quantity'}",
                                extra=exc.extra) from None
            component.consumed_quantity += quantity
            component.consumed_value += posted[-1].value or ZERO
        touched = list({c.pk: c for c, *_rest in wanted}.values())
        update_rows(ProductionOrderComponent, ["consumed_quantity", "consumed_value"], touched)
        added = sum((move.value or ZERO for move in posted), ZERO)
        locked.material_cost += added
        _save(locked, ["material_cost"])
        audit.record(locked, "production.productionorder.consumed", by=by, changes={
            "components": [[c.product.sku, str(q), getattr(lot, "code", "")] for c, q, _loc, lot, _r in wanted],
            "value": str(added)})
    return locked


def book_operation(order: ProductionOrder, *, operation: ProductionOrderOperation, minutes, by,
                   effective_date=None, expected_version: int | None = None) -> ProductionOrder:
    """Book minutes worked on one of the order's operations: its cost (minutes / 60 × the rate fixed at
    confirmation, rounded to the cent) joins the order's operation cost and is posted Dr work in progress /
    Cr labour and overhead absorbed."""
    require_permission(by, "production.change_productionorder")
    minutes = _quantity(minutes, "minutes")
    day = _date(effective_date)
    with transaction.atomic():
        locked = _locked(order, expected_version)
        _in_progress(locked)
        try:
            locked_operation = (locked.operations.select_for_update(of=("self",)).select_related("work_centre")
                                .get(pk=getattr(operation, "pk", operation)))
        except ProductionOrderOperation.DoesNotExist:
            raise BusinessRuleError("foreign_operation", _("Choose an operation of this order."),
                                    field="operation") from None
        cost = _money(minutes * locked_operation.hourly_cost / 60, locked)
        locked_operation.actual_minutes += minutes
        locked_operation.save(update_fields=["actual_minutes"])
        locked.operation_cost += cost
        limits.check_amount(locked.operation_cost, field="minutes")
        _save(locked, ["operation_cost"])
        accounting.post_operation(locked, locked_operation, amount=cost, minutes=minutes, date=day, by=by)
        audit.record(locked, "production.productionorder.time_booked", by=by, changes={
            "operation": locked_operation.name, "minutes": str(minutes), "cost": str(cost)})
    return locked


@dataclass
class ByProduct:
    product: object
    quantity: Decimal
    unit_cost: Decimal = ZERO
    lot_code: str = ""


def produce_output(order: ProductionOrder, *, quantity, by, scrap=ZERO, lot_code: str = "",
                   location: Location | None = None, by_products: list[ByProduct] | None = None,
                   serials: list[str] | None = None, effective_date=None,
                   expected_version: int | None = None) -> ProductionOrder:
    """Finished goods into stock (stock move kind "production"), partly and more than once, with `scrap` finished
    units lost on the way (recorded, no stock) and by-products (into stock at the unit cost given, which
    lowers the cost of the finished goods).

    The finished goods take from the order's work in progress their share: what is there now (costs booked less
    value produced and written off before) × quantity / (quantity + scrap + what is still to make), where still
    to make = ordered − produced − scrapped; the last part (nothing left to make) takes all of it, so the goods
    carry the actual cost. The scrapped units' share is written off to production variances at once. The
    bridge posts Dr inventory / Cr work in progress at the moves' values. A
    lot-tracked product gets a new lot (`lot_code`, default "<order number>-<n>"). A serial-tracked product gets
    one new serial per unit: `serials` (as many as the quantity, none repeated, none existing for the product;
    default "<order number>-<n>" numbered on), each its own move of one unit."""
    require_permission(by, "production.change_productionorder")
    quantity = _quantity(quantity, "quantity")
    serials = [str(code).strip() for code in (serials or []) if str(code).strip()]
    scrap = Decimal(str(scrap or 0)) if str(scrap or "").strip() else ZERO
    if not scrap.is_finite() or scrap < 0:
        raise BusinessRuleError("invalid", _("Enter a quantity of zero or more."), field="scrap")
    day = _date(effective_date)
    with transaction.atomic():
        locked = _locked(order, expected_version)
        _in_progress(locked)
        location = location or stock_queries.default_location(locked.warehouse)
        if location is None or location.warehouse_id != locked.warehouse_id:
            raise BusinessRuleError("foreign_location", _("Choose a location of the order's warehouse."),
                                    field="location")
        outputs = []
        by_value = ZERO
        for index, extra in enumerate(by_products or []):
            field = f"by_products.{index}"
            if extra.product is None:
                raise BusinessRuleError("required", _("Choose the by-product."), field=f"{field}.product")
            extra_quantity = _quantity(extra.quantity, f"{field}.quantity")
            try:
                unit_cost = Decimal(str(extra.unit_cost or 0))
            except (ArithmeticError, ValueError):
                raise BusinessRuleError("invalid", _("Enter a number."), field=f"{field}.unit_cost") from None
            if not unit_cost.is_finite() or unit_cost < 0:
                raise BusinessRuleError("invalid", _("Enter a cost of zero or more."), field=f"{field}.unit_cost")
            lot = _new_lot(extra.product, extra.lot_code, locked, by, field=f"{field}.lot_code")
            move = _produce_move(extra.product, extra_quantity, location, lot, unit_cost, day, locked, by, field)
            by_value += move.value or ZERO
            outputs.append(ProductionOrderOutput(
                order=locked, kind=ProductionOrderOutput.Kind.BY_PRODUCT, product=extra.product,
                quantity=extra_quantity, lot=lot, move=move, unit_cost=move.unit_cost or ZERO,
                value=move.value or ZERO, effective_date=day, created_by=_actor(by)))
        held = locked.actual_cost - locked.output_value - locked.written_off - by_value
        still_to_make = max(locked.quantity - locked.produced_quantity - locked.scrapped_quantity - quantity - scrap,
                            ZERO)
        whole = quantity + scrap + still_to_make
        share = max(held, ZERO) * quantity / whole
        unit_cost = (share / quantity).quantize(Decimal("0.000001"))
        if getattr(locked.product, "tracking", "") == "serial":
            codes = _new_serials(locked, quantity, serials or ([lot_code] if (lot_code or "").strip() else []))
            made = [(_new_lot(locked.product, code, locked, by, field=field), Decimal(1)) for code, field in codes]
        elif serials:
            raise BusinessRuleError("not_serial", _("%(product)s is not tracked by serial number.")
                                    % {"product": locked.product.sku}, field="serials")
        else:
            made = [(_new_lot(locked.product, lot_code, locked, by, field="lot_code"), quantity)]
        produced_value = ZERO
        for lot, part in made:
            move = _produce_move(locked.product, part, location, lot, unit_cost, day, locked, by, "")
            produced_value += move.value or ZERO
            outputs.append(ProductionOrderOutput(
                order=locked, kind=ProductionOrderOutput.Kind.FINISHED, product=locked.product, quantity=part,
                lot=lot, move=move, unit_cost=move.unit_cost or ZERO, value=move.value or ZERO, effective_date=day,
                created_by=_actor(by)))
        if scrap:
            outputs.append(ProductionOrderOutput(
                order=locked, kind=ProductionOrderOutput.Kind.SCRAP, product=locked.product, quantity=scrap,
                effective_date=day, created_by=_actor(by)))
        ProductionOrderOutput.objects.bulk_create(outputs)
        locked.produced_quantity += quantity
        locked.scrapped_quantity += scrap
        locked.output_value += by_value + produced_value
        # The scrapped units' share; on the last part, all that the good units did not take (no cent left over).
        scrap_share = (max(held, ZERO) - produced_value if not still_to_make
                       else _money(max(held, ZERO) * scrap / whole, locked)) if scrap else ZERO
        if scrap_share:
            accounting.post_write_off(locked, amount=scrap_share, date=day, by=by)
            locked.written_off += scrap_share
        _save(locked, ["produced_quantity", "scrapped_quantity", "output_value", "written_off"])
        _take_off_expected(locked, quantity + scrap, by)
        audit.record(locked, "production.productionorder.produced", by=by, changes={
            "quantity": str(quantity), "scrap": str(scrap), "lot": ", ".join(getattr(lot, "code", "") or ""
                                                                              for lot, _part in made),
            "value": str(produced_value), "by_products": [[o.product.sku, str(o.quantity)] for o in outputs
                                                                if o.kind == ProductionOrderOutput.Kind.BY_PRODUCT]})
    return locked


MAX_NUMBERED_SERIALS = 1000


def _new_serials(order: ProductionOrder, quantity: Decimal, codes: list[str]) -> list[tuple[str, str]]:
    """[(serial code, field naming it)] for `quantity` new units of a serial-tracked product: the codes given
    (as many as the units, none repeated, none existing) or, none given, "<order number>-<n>" numbered on."""
    product = order.product
    if not codes:
        if quantity != quantity.to_integral_value() or quantity > MAX_NUMBERED_SERIALS:
            _serial_count(quantity, 0, "serials")  # whole units, and not a million moves in one request
        taken = set(Lot.objects.filter(product=product, code__startswith=f"{order.number}-")
                    .values_list("code", flat=True))
        n = len(taken)
        while len(codes) < quantity:
            n += 1
            if f"{order.number}-{n}" not in taken:
                codes.append(f"{order.number}-{n}")
        return [(code, "serials") for code in codes]
    _serial_count(quantity, len(codes), "serials")
    existing = set(Lot.objects.filter(product=product, code__in=codes).values_list("code", flat=True))
    seen = set()
    for position, code in enumerate(codes):
        field = f"serials.{position}"
        if code in seen:
            raise BusinessRuleError("serial_repeated", _("Serial number %(serial)s is given twice.")
                                    % {"serial": code}, field=field)
        if code in existing:
            raise ConflictError("serial_exists", _("Serial number %(serial)s of %(product)s exists already.")
                                % {"serial": code, "product": product.sku}, field=field)
        seen.add(code)
    return [(code, f"serials.{position}") for position, code in enumerate(codes)]


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _new_lot(product, code: str, order: ProductionOrder, by, *, field: str) -> Lot | None:
    if getattr(product, "tracking", "none") not in ("lot", "serial"):
        if (code or "").strip():
            raise BusinessRuleError("not_tracked", _("%(product)s is not tracked by lot or serial number.")
                                    % {"product": product.sku}, field=field)
        return None
    code = (code or "").strip()
    if not code:
        count = Lot.objects.filter(product=product, code__startswith=f"{order.number}-").count()
        code = f"{order.number}-{count + 1}"
    if getattr(product, "tracking", "") == "lot" and Lot.objects.filter(product=product, code=code).exists():
        raise ConflictError("lot_exists", _("Lot %(lot)s of %(product)s exists already: produced goods get a new "
                                            "lot.") % {"lot": code, "product": product.sku}, field=field)
    try:
        return get_or_create_lot(product=product, code=code, by=by)
    except BusinessRuleError as exc:
        raise type(exc)(exc.code, exc.message, field=field, extra=exc.extra) from None


def _produce_move(product, quantity, location, lot, unit_cost, day, order, by, field: str) -> StockMove:
    try:
        (move,) = record_many([{
            "product": product, "quantity": quantity, "kind": StockMove.Kind.PRODUCTION, "to_location": location,
            "lot": lot, "unit_cost": unit_cost, "effective_date": day, "origin": order, "reason": order.number}],
            by=by)
    except BusinessRuleError as exc:
        prefix = f"{field}." if field else ""
        raise type(exc)(exc.code, exc.message, field=f"{prefix}{exc.field or 'quantity'}", extra=exc.extra) from None
    return move


def _take_off_expected(order: ProductionOrder, quantity: Decimal, by) -> None:
    origin_type = ContentType.objects.get_for_model(ProductionOrder)
    left = quantity
    for expected in ExpectedReceipt.objects.filter(origin_type=origin_type, origin_id=order.pk).order_by("pk"):
        if left <= 0:
            break
        taken = min(left, expected.quantity)
        clear_expected_receipt(expected, quantity=taken, by=by)
        left -= taken


def _close(locked: ProductionOrder, day: datetime.date, by) -> None:
    """The end of an order (done or cancelled): reservations released, nothing expected any more, what is left
    in work in progress written off to production variances."""
    release_reservations(origin=locked, by=by)
    clear_expected_receipts(origin=locked, by=by)
    left = locked.work_in_progress
    if left:
        accounting.post_write_off(locked, amount=left, date=day, by=by)
        locked.written_off += left


def finish_production_order(order: ProductionOrder, *, by, effective_date=None,
                            expected_version: int | None = None) -> ProductionOrder:
    """In progress → done. Needs something produced. The variance is actual cost − standard cost of the
    quantity produced (standard unit cost × produced); what is still in work in progress (costs booked after the
    last output, the share of units not made) goes to production variances, so the order leaves none."""
    require_permission(by, "production.change_productionorder")
    day = _date(effective_date)
    with transaction.atomic():
        locked = _locked(order, expected_version)
        _in_progress(locked)
        if locked.produced_quantity <= 0:
            raise ConflictError("nothing_produced", _("Nothing has been produced yet: produce the output first, or "
                                                      "cancel the order."), field="status")
        _close(locked, day, by)
        locked.variance = _money(locked.actual_cost - locked.standard_unit_cost * locked.produced_quantity, locked)
        return workflow.transition(locked, ProductionOrder.Status.DONE, by=by, locked=True,
                                   also_save=["written_off", "variance", *bump_version(locked)],
                                   data={"actual_cost": str(locked.actual_cost), "variance": str(locked.variance)})


def cancel_production_order(order: ProductionOrder, *, by, effective_date=None,
                            expected_version: int | None = None) -> ProductionOrder:
    """Draft, confirmed or in progress → cancelled: reservations released, the output no longer expected; what
    was consumed and booked stays consumed and booked, and is written off to production variances."""
    require_permission(by, "production.change_productionorder")
    day = _date(effective_date)
    with transaction.atomic():
        locked = _locked(order, expected_version)
        if locked.status not in ProductionOrder.TRANSITIONS or \
                ProductionOrder.Status.CANCELLED not in ProductionOrder.TRANSITIONS[locked.status]:
            raise ConflictError("not_cancellable", _("A done or cancelled production order cannot be cancelled."),
                                field="status")
        _close(locked, day, by)
        return workflow.transition(locked, ProductionOrder.Status.CANCELLED, by=by, locked=True,
                                   also_save=["written_off", *bump_version(locked)])
