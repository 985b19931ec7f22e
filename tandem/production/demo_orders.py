"""The production order part of the demo data: a few orders in every state on the BOMs the BOM demo
(production/demo.py) made, or — without them — on a small stool BOM of its own (a seat, four legs, an
assembly work centre), with components bought at known costs.

Created through production.services (audited and posted like real work): a draft, a confirmed order (its
components reserved), one in progress (components partly consumed, time booked, half produced) and one done
(consumed with an extra leg, produced in two parts, finished at actual cost, the scrap's share to the variance
account). Deterministic and idempotent: nothing happens when an order with the note "demo" exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.models import User
from tandem.core.services import default_legal_entity
from tandem.production import queries, services
from tandem.production.models import Bom, ProductionOrder, WorkCentre
from tandem.stock import queries as stock_queries
from tandem.stock.models import Warehouse
from tandem.stock.services import receive_stock

NOTE = "demo"


def _own_bom(company) -> Bom:
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    stool = Product.objects.get_or_create(sku="STOOL-OAK", defaults={"name": "Oak stool", "unit": unit})[0]
    seat = Product.objects.get_or_create(sku="STOOL-SEAT", defaults={"name": "Oak stool seat", "unit": unit})[0]
    leg = Product.objects.get_or_create(sku="STOOL-LEG", defaults={"name": "Oak stool leg", "unit": unit})[0]
    centre = WorkCentre.objects.get_or_create(company=company, code="ASM", defaults={
        "name": "Assembly", "hourly_cost": Decimal("36.00"), "capacity_hours_per_week": Decimal(40)})[0]
    bom = Bom.objects.create(product=stool, code="v1", quantity=Decimal(1),
                             valid_from=timezone.localdate() - datetime.timedelta(days=365))
    bom.lines.create(position=1, component=seat, quantity=Decimal(1))
    bom.lines.create(position=2, component=leg, quantity=Decimal(4), scrap_percent=Decimal(2))
    bom.operations.create(sequence=10, name="Assemble and glue", work_centre=centre, minutes_per_unit=Decimal(12),
                          setup_minutes=Decimal(20))
    return bom


def build_production_orders_demo(*, seed: int = 20260601, scale: float = 1.0) -> list[str]:
    if ProductionOrder.objects.filter(note=NOTE).exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    company = default_legal_entity()
    warehouse = Warehouse.objects.active().filter(company=company).order_by("pk").first()
    if admin is None or company is None or warehouse is None:
        return []
    location = stock_queries.default_location(warehouse)
    today = timezone.localdate()
    with transaction.atomic():
        bom = next((b for b in Bom.objects.filter(is_archived=False).order_by("pk")
                    if queries.active_bom(b.product, today) == b
                    and not b.lines.exclude(component__tracking="none").exists()), None) or _own_bom(company)
        runs = max(1, round(4 * scale))
        # Components bought at known costs: enough for every order below, scrap included.
        for line in bom.lines.select_related("component"):
            if line.component.is_stocked:
                receive_stock(product=line.component, quantity=(line.gross_quantity * 12 * runs / bom.quantity)
                              .quantize(Decimal(1)) + 2, location=location,
                              unit_cost=Decimal(5 + 7 * line.position), reason="demo purchase", by=admin,
                              effective_date=today - datetime.timedelta(days=20))
        made = []

        def order(quantity, start):
            return services.create_production_order(product=bom.product, quantity=Decimal(quantity), by=admin,
                                                     planned_start=start, bom=bom, warehouse=warehouse, note=NOTE)

        draft = order(2 * runs, today + datetime.timedelta(days=14))
        made.append(draft)
        confirmed = services.confirm_production_order(order(runs, today + datetime.timedelta(days=7)), by=admin)
        made.append(confirmed)
        working = order(2 * runs, today)
        working = services.start_production_order(services.confirm_production_order(working, by=admin), by=admin)
        components = list(working.components.order_by("position"))
        working = services.consume_components(working, by=admin, effective_date=today, lines=[
            services.Consumption(c, c.required_quantity) for c in components if c.product.is_stocked])
        for operation in working.operations.all():
            working = services.book_operation(working, operation=operation, minutes=operation.planned_minutes / 2,
                                              by=admin, effective_date=today)
        working = services.produce_output(working, quantity=runs, by=admin, effective_date=today)
        made.append(working)
        done = order(2 * runs + 1, today - datetime.timedelta(days=10))
        done = services.start_production_order(services.confirm_production_order(done, by=admin), by=admin)
        day = today - datetime.timedelta(days=9)
        done = services.consume_components(done, by=admin, effective_date=day, lines=[
            services.Consumption(c, c.required_quantity + (1 if index == 0 else 0))
            for index, c in enumerate(done.components.order_by("position")) if c.product.is_stocked])
        for operation in done.operations.all():
            done = services.book_operation(done, operation=operation, by=admin, effective_date=day,
                                           minutes=operation.planned_minutes * Decimal("1.1"))
        done = services.produce_output(done, quantity=runs, by=admin, effective_date=day)
        done = services.produce_output(done, quantity=runs, scrap=1, by=admin, effective_date=day)
        done = services.finish_production_order(done, by=admin, effective_date=day)
        made.append(done)
    return [f"Production orders: {len(made)} ({', '.join(o.get_status_display() for o in made)})"]
