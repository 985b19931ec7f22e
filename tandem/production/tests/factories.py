"""A production order for the project-wide registries (page walk, phone screen, role matrix)."""

import datetime
from decimal import Decimal


def production_order(entity=None, *, sku: str = "WALK"):
    """A table made from four legs on an assembly work centre, and a draft order for one; the warehouse is
    the legal entity's first (one is made when there is none)."""
    from tandem.catalog.models import Product, Unit
    from tandem.core.services import default_legal_entity
    from tandem.production.models import Bom, ProductionOrder, WorkCentre
    from tandem.stock.models import Location, Warehouse

    entity = entity or default_legal_entity()
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    table = Product.objects.create(sku=f"{sku}-TABLE", name="Oak dining table with extension leaves", unit=unit)
    leg = Product.objects.create(sku=f"{sku}-LEG", name="Turned oak table leg", unit=unit)
    centre = WorkCentre.objects.create(company=entity, code=f"{sku}-ASM", name="Assembly line")
    bom = Bom.objects.create(product=table, code="v1", valid_from=datetime.date(2020, 1, 1))
    bom.lines.create(component=leg, quantity=Decimal(4))
    bom.operations.create(name="Assemble", work_centre=centre, minutes_per_unit=Decimal(10))
    warehouse = Warehouse.objects.filter(company=entity).order_by("pk").first()
    if warehouse is None:
        warehouse = Warehouse.objects.create(company=entity, code=f"{sku}-WH"[:16], name="Production warehouse")
        Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    order = ProductionOrder.objects.create(company=entity, product=table, bom=bom, warehouse=warehouse,
                                           quantity=Decimal(1), planned_start=datetime.date(2026, 6, 1),
                                           number=f"MO-{sku}")
    order.components.create(product=leg, required_quantity=Decimal(4))
    order.operations.create(name="Assemble", work_centre=centre, planned_minutes=Decimal(10))
    return order
