"""The BOM part of the demo data: a small furniture maker. Work centres (cutting, assembly, finishing), raw
materials (oak boards, beech legs, screws, varnish; weighed, for freight by weight) with a little opening stock
at a cost, sub-assemblies (table top in lots, chair seat) and finished goods (dining table, dining chair, dining
set) with three-level BOMs in force for the last 13 months:

    dining set → 1 table + 4 chairs → table top / chair seat → oak boards

Products are created through catalog.services when the demo catalogue lacks them, BOMs and work centres
through production.bom_services (audited like real work). The year of buying, making and selling them is
planning/furniture_demo.py's. Deterministic; idempotent: nothing happens when
the CUT work centre exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.catalog import services as catalog
from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity, User
from tandem.production import bom_services as bs
from tandem.production.models import Bom, WorkCentre
from tandem.stock import queries as stock_queries
from tandem.stock import services as stock
from tandem.stock.models import Warehouse

CENTRES = [("CUT", "Cutting", "48.00"), ("ASM", "Assembly", "36.00"), ("FIN", "Finishing", "42.00")]
# (sku, name, unit, opening stock, unit cost, weight in kg per unit) — bought (planning/furniture_demo.py buys
# more of them from suppliers over the year, the freight allocated by weight)
MATERIALS = [("FM-BOARD-OAK", "Oak board 2000×200×30", "pc", 40, "18.40", "8.5"),
             ("FM-LEG-BEECH", "Beech leg 720 mm", "pc", 60, "6.25", "0.9"),
             ("FM-SCREW-4x40", "Wood screw 4×40", "pc", 1000, "0.04", "0.004"),
             ("FM-VARNISH", "Clear varnish", "l", 10, "14.90", "1.1")]
# Glued table tops are made in batches, each batch a lot (the tables record which batch they were made of).
LOT_TRACKED = {"FM-TABLE-TOP"}
MADE = [("FM-TABLE-TOP", "Oak table top"), ("FM-CHAIR-SEAT", "Oak chair seat"), ("FM-TABLE", "Oak dining table"),
        ("FM-CHAIR", "Oak dining chair"), ("FM-DINING-SET", "Oak dining set (table and four chairs)")]
# product → (quantity made, [(component, quantity, scrap %)], [(operation, centre, minutes per unit, set-up)])
BOMS = {
    "FM-TABLE-TOP": (1, [("FM-BOARD-OAK", "5", "8"), ("FM-VARNISH", "0.4", "5")],
                     [("Cut and glue boards", "CUT", "35", "20"), ("Sand and varnish", "FIN", "25", "10")]),
    "FM-CHAIR-SEAT": (2, [("FM-BOARD-OAK", "1", "10")], [("Cut seats", "CUT", "12", "15")]),
    "FM-TABLE": (1, [("FM-TABLE-TOP", "1", "0"), ("FM-LEG-BEECH", "4", "2"), ("FM-SCREW-4x40", "16", "5")],
                 [("Assemble table", "ASM", "30", "10")]),
    "FM-CHAIR": (1, [("FM-CHAIR-SEAT", "1", "0"), ("FM-LEG-BEECH", "4", "2"), ("FM-SCREW-4x40", "12", "5"),
                     ("FM-VARNISH", "0.1", "5")],
                 [("Assemble chair", "ASM", "20", "5"), ("Varnish chair", "FIN", "10", "5")]),
    "FM-DINING-SET": (1, [("FM-TABLE", "1", "0"), ("FM-CHAIR", "4", "0")], [("Pack the set", "ASM", "15", "0")]),
}


def _unit(admin, code: str, name: str) -> Unit:
    return Unit.objects.filter(code=code).first() or catalog.create_unit(by=admin, code=code, name=name,
                                                                         step=Decimal("0.001"))


def build_production_demo(*, seed: int = 20260601, scale: float = 1.0) -> list[str]:
    if WorkCentre.objects.filter(code="CUT").exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    company = LegalEntity.objects.order_by("-is_default", "pk").first()
    if admin is None or company is None:
        return ["production demo skipped: the demo users and legal entity are missing"]
    warehouse = Warehouse.objects.active().filter(company=company).order_by("pk").first()
    start = timezone.localdate() - datetime.timedelta(days=400)  # a year of production orders use these BOMs
    with transaction.atomic():
        centres = {code: bs.create_work_centre(by=admin, company=company, code=code, name=name,
                                               hourly_cost=Decimal(cost)) for code, name, cost in CENTRES}
        pieces = Unit.objects.filter(code="pc").first() or catalog.create_unit(by=admin, code="pc", name="piece")
        litres = _unit(admin, "l", "litre")
        tax = TaxCategory.objects.filter(name="Standard").first()  # the catalog demo's, when it ran
        products: dict[str, Product] = {}
        for sku, name, unit, _stock, _cost, weight in MATERIALS:
            products[sku] = Product.objects.filter(sku=sku).first() or catalog.create_product(
                by=admin, sku=sku, name=name, unit=litres if unit == "l" else pieces, weight=Decimal(weight),
                tax_category=tax)
        for sku, name in MADE:
            products[sku] = Product.objects.filter(sku=sku).first() or catalog.create_product(
                by=admin, sku=sku, name=name, unit=pieces, tax_category=tax,
                tracking=Product.Tracking.LOT if sku in LOT_TRACKED else Product.Tracking.NONE)
        # Children first, so each BOM's components exist (cycle checks read their BOMs).
        for sku, (made, lines, operations) in BOMS.items():
            bom = bs.create_bom(product=products[sku], by=admin, code="v1", valid_from=start,
                                quantity=Decimal(made))
            for component, quantity, scrap in lines:
                bs.add_bom_line(bom, by=admin, component=products[component], quantity=Decimal(quantity),
                                scrap_percent=Decimal(scrap))
            for name, centre, per_unit, setup in operations:
                bs.add_bom_operation(bom, by=admin, name=name, work_centre=centres[centre],
                                     minutes_per_unit=Decimal(per_unit), setup_minutes=Decimal(setup))
        # The table gets a second version from next month: steel-reinforced legs need more screws.
        table_v1 = Bom.objects.get(product=products["FM-TABLE"], code="v1")
        next_month = timezone.localdate().replace(day=1) + datetime.timedelta(days=32)
        next_month = next_month.replace(day=1)
        bs.update_bom(table_v1, by=admin, valid_to=next_month - datetime.timedelta(days=1))
        table_v2 = bs.create_bom(product=products["FM-TABLE"], by=admin, code="v2", valid_from=next_month,
                                 copy_from=table_v1, note="More screws per leg.")
        screws = table_v2.lines.get(component=products["FM-SCREW-4x40"])
        bs.update_bom_line(screws, by=admin, quantity=Decimal(24))
        # Opening stock of the raw materials at their cost: the cost roll-up reads stock valuation.
        location = stock_queries.default_location(warehouse) if warehouse is not None else None
        if location is not None:
            for sku, _name, _unit_code, quantity, cost, _weight in MATERIALS:
                stock.receive_stock(product=products[sku], quantity=Decimal(quantity),
                                    location=location, unit_cost=Decimal(cost), effective_date=start,
                                    reason="Opening stock (production demo)", by=admin)
    return [f"production: {WorkCentre.objects.count()} work centres, {Bom.objects.count()} BOM versions"]
