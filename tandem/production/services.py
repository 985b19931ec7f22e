"""Production services: production orders along their TRANSITIONS.

A production order is made as a draft from the product's BOM in force on its planned start: the BOM's
components (scrap included, scaled to the quantity) and operations (set-up + minutes per unit × quantity, at
the work centre's hourly cost) are copied onto it, so later BOM edits do not change orders already made."""

from __future__ import annotations

import datetime
from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits
from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.production import queries
from tandem.production.models import Bom, ProductionOrder, ProductionOrderComponent, ProductionOrderOperation
from tandem.stock.models import Warehouse

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
                planned_minutes=quantize_quantity(operation.setup_minutes
                                                  + operation.minutes_per_unit * quantity / bom.quantity),
                hourly_cost=operation.work_centre.hourly_cost)
            for operation in bom.operations.select_related("work_centre").order_by("sequence", "id")])
        audit.record(order, "production.productionorder.created", by=by, changes=audit.snapshot(
            order, ["number", "product", "quantity", "warehouse", "planned_start"]))
    return order
