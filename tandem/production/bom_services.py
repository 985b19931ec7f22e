"""Writes of the engineering side of production: work centres and BOM versions with their lines (components)
and operations (the routing).

Rules kept here for every caller (pages, API, demo):
- a BOM version's validity (valid_from … valid_to, open-ended when empty) must not overlap another
  non-archived version of the same product (400 `overlap` on `valid_from`);
- a component is never the product itself (`self_component`) nor a product whose BOMs — any version, at
  any level — use the product (`cycle`: A uses B uses A); both on the field `component`;
- quantities above zero, scrap 0 ≤ % < 100, minutes and hourly costs not negative, within core.limits;
- a version is editable while it is not archived and no production order was made from it (orders keep a
  copy, but their standard cost came from it): otherwise 409 `not_editable` — copy it to a new version;
- every edit of a version or its lines/operations locks the version row, checks the version the user saw
  (`refuse_stale`, 409 `stale`), bumps it and writes an audit entry on the version."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.core import archive, audit, limits
from tandem.core.concurrency import bump_version, lock_values, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.money import parse_decimal
from tandem.core.permissions import require_permission
from tandem.production.models import Bom, BomLine, BomOperation, ProductionOrder, WorkCentre

ZERO = Decimal(0)
HUNDRED = Decimal(100)
WORK_CENTRE_FIELDS = ("code", "name", "hourly_cost", "capacity_hours_per_week")
BOM_FIELDS = ("code", "quantity", "valid_from", "valid_to", "note")
MAX_POSITION = 2**31 - 1
LINE_FIELDS = ("component", "quantity", "scrap_percent", "note", "position")
OPERATION_FIELDS = ("name", "work_centre", "minutes_per_unit", "setup_minutes", "sequence")


# --- Parsing ---------------------------------------------------------------------------------------------------

def _number(value, field: str, *, positive: bool = False, below: Decimal | None = None, places: int = 4,
            high: Decimal = limits.MAX_AMOUNT) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BusinessRuleError("required", _("Enter a number."), field=field)
    try:
        number = value if isinstance(value, Decimal) else parse_decimal(str(value).strip())
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field) from None
    if number is None or not number.is_finite():
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field)
    if positive and number <= 0:
        raise BusinessRuleError("not_positive", _("Enter a quantity above zero."), field=field)
    if number < 0:
        raise BusinessRuleError("negative", _("Enter zero or more."), field=field)
    if below is not None and number >= below:
        raise BusinessRuleError("out_of_range", _("Enter a percentage from 0 to below 100."), field=field)
    limits.check_amount(number, field=field, high=high)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise BusinessRuleError("too_precise", _("Enter at most %(places)s decimal places.") % {"places": places},
                                field=field)
    return number


def _text(value, field: str, *, required: bool = False, max_length: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise BusinessRuleError("required", _("This field is required."), field=field)
    if len(text) > max_length:
        raise BusinessRuleError("too_long", _("Enter at most %(count)s characters.") % {"count": max_length},
                                field=field)
    return text


def _refuse_unknown(values: dict, allowed) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])


def _default_company():
    from tandem.core.services import default_legal_entity

    return default_legal_entity()


# --- Work centres ----------------------------------------------------------------------------------------------

def _clean_work_centre(centre: WorkCentre) -> None:
    centre.code = _text(centre.code, "code", required=True, max_length=32)
    centre.name = _text(centre.name, "name", required=True)
    centre.hourly_cost = _number(centre.hourly_cost, "hourly_cost", places=6, high=limits.MAX_RATE)
    centre.capacity_hours_per_week = _number(centre.capacity_hours_per_week, "capacity_hours_per_week")
    clash = WorkCentre.objects.filter(company_id=centre.company_id, code__iexact=centre.code).exclude(pk=centre.pk)
    if clash.exists():
        raise ConflictError("duplicate", _("Another work centre has this code."), field="code")


def create_work_centre(*, by, code: str, name: str, hourly_cost=ZERO, capacity_hours_per_week=Decimal(40),
                       company=None) -> WorkCentre:
    require_permission(by, "production.add_workcentre")
    company = company or _default_company()
    with transaction.atomic():
        lock_values("production.workcentre.code", [f"{company.pk}:{(code or '').strip().lower()}"])
        centre = WorkCentre(company=company, code=code, name=name, hourly_cost=hourly_cost,
                            capacity_hours_per_week=capacity_hours_per_week, created_by=by if by.pk else None)
        _clean_work_centre(centre)
        centre.save()
        audit.record(centre, "production.workcentre.created", by=by,
                     changes=audit.snapshot(centre, WORK_CENTRE_FIELDS))
    return centre


def update_work_centre(centre: WorkCentre, *, by, expected_version: int | None = None, **values) -> WorkCentre:
    require_permission(by, "production.change_workcentre")
    _refuse_unknown(values, WORK_CENTRE_FIELDS)
    with transaction.atomic():
        locked = WorkCentre.objects.select_for_update().get(pk=centre.pk)
        refuse_stale(locked, expected_version)
        before = audit.snapshot(locked, WORK_CENTRE_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        _clean_work_centre(locked)
        changes = audit.diff(before, audit.snapshot(locked, WORK_CENTRE_FIELDS))
        if changes:
            locked.save(update_fields=[*WORK_CENTRE_FIELDS, "updated_at", *bump_version(locked)])
            audit.record(locked, "production.workcentre.changed", by=by, changes=changes)
    return locked


def archive_work_centre(centre: WorkCentre, *, by) -> WorkCentre:
    """Hidden from the operation form's choices; BOMs and orders that use it keep it."""
    require_permission(by, "production.change_workcentre")
    return archive.archive(centre, by=by)


def restore_work_centre(centre: WorkCentre, *, by) -> WorkCentre:
    require_permission(by, "production.change_workcentre")
    return archive.restore(centre, by=by)


# --- BOM versions ----------------------------------------------------------------------------------------------

def is_editable(bom: Bom) -> bool:
    """Lines and operations may change while the version is not archived and no production order (other than a
    cancelled one) was made from it."""
    return not bom.is_archived and not ProductionOrder.objects.filter(bom=bom).exclude(
        status=ProductionOrder.Status.CANCELLED).exists()


def _refuse_not_editable(bom: Bom) -> None:
    if bom.is_archived:
        raise ConflictError("not_editable", _("This BOM version is archived; restore it or copy it to a new "
                                              "version."), field=None)
    if not is_editable(bom):
        raise ConflictError("not_editable", _("Production orders were made from this BOM version; copy it to a "
                                              "new version to change it."), field=None)


def _refuse_overlap(bom: Bom) -> None:
    """Another live version of the product whose validity meets this one's (open ends are infinite)."""
    others = Bom.objects.filter(product_id=bom.product_id, is_archived=False).exclude(pk=bom.pk)
    others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=bom.valid_from))
    if bom.valid_to is not None:
        others = others.filter(valid_from__lte=bom.valid_to)
    clash = others.order_by("valid_from").first()
    if clash is not None:
        raise BusinessRuleError(
            "overlap", _("Version %(code)s of this product is valid in part of this period (from %(start)s); "
                         "versions of one product must not overlap. Close it first or choose other dates.")
            % {"code": clash.code, "start": clash.valid_from.isoformat()}, field="valid_from")


def _clean_bom(bom: Bom) -> None:
    bom.code = _text(bom.code, "code", required=True, max_length=32)
    bom.quantity = _number(bom.quantity, "quantity", positive=True)
    bom.note = (bom.note or "").strip()
    if not isinstance(bom.valid_from, datetime.date):
        raise BusinessRuleError("required", _("Enter the date the version is valid from."), field="valid_from")
    limits.check_date(bom.valid_from, field="valid_from")
    limits.check_date(bom.valid_to, field="valid_to")
    if bom.valid_to is not None and bom.valid_to < bom.valid_from:
        raise BusinessRuleError("end_before_start", _("The version ends before it starts."), field="valid_to")
    clash = Bom.objects.filter(product_id=bom.product_id, code__iexact=bom.code).exclude(pk=bom.pk)
    if clash.exists():
        raise ConflictError("duplicate", _("This product already has a version with this name."), field="code")
    if not bom.is_archived:
        _refuse_overlap(bom)


def _lock_product(product_id: int) -> None:
    """Serialise the writers of one product's versions (overlap is a read-then-write rule)."""
    lock_values("production.bom.product", [product_id])
    list(Bom.objects.select_for_update().filter(product_id=product_id).values_list("pk", flat=True))


def create_bom(*, product, by, code: str, valid_from: datetime.date, valid_to: datetime.date | None = None,
               quantity=Decimal(1), note: str = "", copy_from: Bom | None = None) -> Bom:
    """A new BOM version of `product`; with `copy_from`, its lines and operations are copied as a start."""
    require_permission(by, "production.add_bom")
    if product is None:
        raise BusinessRuleError("required", _("Choose the product."), field="product")
    if product.is_archived:
        raise BusinessRuleError("archived", _("The product is archived."), field="product")
    with transaction.atomic():
        _lock_product(product.pk)
        bom = Bom(product=product, code=code, valid_from=valid_from, valid_to=valid_to, quantity=quantity,
                  note=note, created_by=by if by.pk else None)
        _clean_bom(bom)
        bom.save()
        copied = 0
        if copy_from is not None:
            lines = list(copy_from.lines.order_by("position", "id"))
            for line in lines:
                _refuse_component(product.pk, line.component_id)
            BomLine.objects.bulk_create([
                BomLine(bom=bom, position=line.position, component_id=line.component_id, quantity=line.quantity,
                        scrap_percent=line.scrap_percent, note=line.note) for line in lines])
            BomOperation.objects.bulk_create([
                BomOperation(bom=bom, sequence=op.sequence, name=op.name, work_centre_id=op.work_centre_id,
                             minutes_per_unit=op.minutes_per_unit, setup_minutes=op.setup_minutes)
                for op in copy_from.operations.order_by("sequence", "id")])
            copied = len(lines)
        changes = audit.snapshot(bom, ["product", *BOM_FIELDS])
        if copy_from is not None:
            changes["_copied_from"] = str(copy_from.code)
            changes["_lines"] = copied
        audit.record(bom, "production.bom.created", by=by, changes=changes)
    return bom


def _lock_bom(bom: Bom, expected_version: int | None) -> Bom:
    locked = Bom.objects.select_for_update().get(pk=bom.pk)
    refuse_stale(locked, expected_version)
    return locked


def update_bom(bom: Bom, *, by, expected_version: int | None = None, **values) -> Bom:
    """Change a version's name, quantity made, validity or note. Validity and note may change on any live
    version (closing an old version is how a new one takes over); the quantity made only while editable."""
    require_permission(by, "production.change_bom")
    _refuse_unknown(values, BOM_FIELDS)
    with transaction.atomic():
        _lock_product(bom.product_id)
        locked = _lock_bom(bom, expected_version)
        before = audit.snapshot(locked, BOM_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        _clean_bom(locked)
        changes = audit.diff(before, audit.snapshot(locked, BOM_FIELDS))
        if "quantity" in changes:
            _refuse_not_editable(locked)
        if changes:
            locked.save(update_fields=[*BOM_FIELDS, "updated_at", *bump_version(locked)])
            audit.record(locked, "production.bom.changed", by=by, changes=changes)
    return locked


def archive_bom(bom: Bom, *, by) -> Bom:
    require_permission(by, "production.change_bom")
    return archive.archive(bom, by=by)


def restore_bom(bom: Bom, *, by) -> Bom:
    """Back among the live versions: refused when it would overlap one or close a cycle."""
    require_permission(by, "production.change_bom")
    with transaction.atomic():
        _lock_product(bom.product_id)
        locked = Bom.objects.get(pk=bom.pk)
        locked.is_archived = False
        _refuse_overlap(locked)
        for component_id in locked.lines.values_list("component_id", flat=True):
            _refuse_component(locked.product_id, component_id)
        return archive.restore(bom, by=by)


# --- Cycles ----------------------------------------------------------------------------------------------------

def _refuse_component(product_id: int, component_id: int) -> None:
    """Refuse a component that is the product, or whose BOMs (any live version, any depth) use the product.
    One query per level of the component's structure."""
    if component_id == product_id:
        raise BusinessRuleError("self_component", _("A product cannot be a component of itself."),
                                field="component")
    seen = {component_id}
    frontier = {component_id}
    while frontier:
        below = set(BomLine.objects.filter(bom__product_id__in=frontier, bom__is_archived=False)
                    .values_list("component_id", flat=True))
        if product_id in below:
            raise BusinessRuleError("cycle", _("This component is made (at some level) from the product itself; "
                                               "using it would make a loop."), field="component")
        frontier = below - seen
        seen |= below


# --- Lines -----------------------------------------------------------------------------------------------------

def _clean_line(line: BomLine, product_id: int) -> None:
    if line.component_id is None:
        raise BusinessRuleError("required", _("Choose the component."), field="component")
    if line.component.is_archived:
        raise BusinessRuleError("archived", _("The product is archived."), field="component")
    line.quantity = _number(line.quantity, "quantity", positive=True)
    line.scrap_percent = _number(line.scrap_percent, "scrap_percent", below=HUNDRED)
    line.note = _text(line.note, "note", max_length=300)
    if not isinstance(line.position, int) or not 0 < line.position <= MAX_POSITION:
        raise BusinessRuleError("invalid", _("Enter a whole number above zero."), field="position")
    _refuse_component(product_id, line.component_id)


def _touch(bom: Bom) -> None:
    bom.save(update_fields=["updated_at", *bump_version(bom)])


def add_bom_line(bom: Bom, *, by, component, quantity, scrap_percent=ZERO, note: str = "",
                 position: int | None = None, expected_version: int | None = None) -> BomLine:
    require_permission(by, "production.change_bom")
    with transaction.atomic():
        locked = _lock_bom(bom, expected_version)
        _refuse_not_editable(locked)
        if position is None:
            last = locked.lines.order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 1
        line = BomLine(bom=locked, component=component, quantity=quantity, scrap_percent=scrap_percent,
                       note=note, position=position)
        _clean_line(line, locked.product_id)
        line.save()
        _touch(locked)
        audit.record(locked, "production.bom.line_added", by=by,
                     changes=audit.snapshot(line, ["component", "quantity", "scrap_percent"]))
    bom.version = locked.version
    return line


def update_bom_line(line: BomLine, *, by, expected_version: int | None = None, **values) -> BomLine:
    require_permission(by, "production.change_bom")
    _refuse_unknown(values, LINE_FIELDS)
    with transaction.atomic():
        locked = _lock_bom(line.bom, expected_version)
        _refuse_not_editable(locked)
        row = BomLine.objects.select_related("component").get(pk=line.pk, bom=locked)
        before = audit.snapshot(row, LINE_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        _clean_line(row, locked.product_id)
        changes = audit.diff(before, audit.snapshot(row, LINE_FIELDS))
        if changes:
            row.save()
            _touch(locked)
            changes["_component"] = str(row.component)
            audit.record(locked, "production.bom.line_changed", by=by, changes=changes)
    line.bom.version = locked.version
    return row


def remove_bom_line(line: BomLine, *, by, expected_version: int | None = None) -> None:
    require_permission(by, "production.change_bom")
    with transaction.atomic():
        locked = _lock_bom(line.bom, expected_version)
        _refuse_not_editable(locked)
        row = BomLine.objects.select_related("component").get(pk=line.pk, bom=locked)
        changes = audit.snapshot(row, ["component", "quantity", "scrap_percent"])
        row.delete()
        _touch(locked)
        audit.record(locked, "production.bom.line_removed", by=by, changes=changes)


# --- Operations ------------------------------------------------------------------------------------------------

def _clean_operation(operation: BomOperation, *, before_centre_id: int | None = None) -> None:
    operation.name = _text(operation.name, "name", required=True)
    if operation.work_centre_id is None:
        raise BusinessRuleError("required", _("Choose the work centre."), field="work_centre")
    if operation.work_centre.is_archived and operation.work_centre_id != before_centre_id:
        raise BusinessRuleError("archived", _("The work centre is archived."), field="work_centre")
    operation.minutes_per_unit = _number(operation.minutes_per_unit, "minutes_per_unit")
    operation.setup_minutes = _number(operation.setup_minutes, "setup_minutes")
    if not isinstance(operation.sequence, int) or not 0 < operation.sequence <= MAX_POSITION:
        raise BusinessRuleError("invalid", _("Enter a whole number above zero."), field="sequence")


def add_bom_operation(bom: Bom, *, by, name: str, work_centre, minutes_per_unit=ZERO, setup_minutes=ZERO,
                      sequence: int | None = None, expected_version: int | None = None) -> BomOperation:
    require_permission(by, "production.change_bom")
    with transaction.atomic():
        locked = _lock_bom(bom, expected_version)
        _refuse_not_editable(locked)
        if sequence is None:
            last = locked.operations.order_by("-sequence").values_list("sequence", flat=True).first()
            sequence = (last or 0) + 10
        operation = BomOperation(bom=locked, name=name, work_centre=work_centre, minutes_per_unit=minutes_per_unit,
                                 setup_minutes=setup_minutes, sequence=sequence)
        _clean_operation(operation)
        operation.save()
        _touch(locked)
        audit.record(locked, "production.bom.operation_added", by=by, changes=audit.snapshot(
            operation, ["name", "work_centre", "minutes_per_unit", "setup_minutes"]))
    bom.version = locked.version
    return operation


def update_bom_operation(operation: BomOperation, *, by, expected_version: int | None = None,
                         **values) -> BomOperation:
    require_permission(by, "production.change_bom")
    _refuse_unknown(values, OPERATION_FIELDS)
    with transaction.atomic():
        locked = _lock_bom(operation.bom, expected_version)
        _refuse_not_editable(locked)
        row = BomOperation.objects.select_related("work_centre").get(pk=operation.pk, bom=locked)
        before_centre_id = row.work_centre_id
        before = audit.snapshot(row, OPERATION_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        _clean_operation(row, before_centre_id=before_centre_id)
        changes = audit.diff(before, audit.snapshot(row, OPERATION_FIELDS))
        if changes:
            row.save()
            _touch(locked)
            audit.record(locked, "production.bom.operation_changed", by=by, changes=changes)
    operation.bom.version = locked.version
    return row


def remove_bom_operation(operation: BomOperation, *, by, expected_version: int | None = None) -> None:
    require_permission(by, "production.change_bom")
    with transaction.atomic():
        locked = _lock_bom(operation.bom, expected_version)
        _refuse_not_editable(locked)
        row = BomOperation.objects.select_related("work_centre").get(pk=operation.pk, bom=locked)
        changes = audit.snapshot(row, ["name", "work_centre", "minutes_per_unit", "setup_minutes"])
        row.delete()
        _touch(locked)
        audit.record(locked, "production.bom.operation_removed", by=by, changes=changes)
