"""The stock part of the demo data: two warehouses (Main with bins and a quarantine area, Second), a year of
back-dated receipts of every stocked product (lots with expiry dates, serial numbers), transfers between bins
and warehouses, a breakage adjustment, expected receipts, a posted stock count and a draft one.

Runs after the catalog's demo (app order) and uses its goods; without them it makes a few of its own.
Created through stock.services (audited like real work). Deterministic: one random.Random seeded from
`seed`; dates count back from the day of loading. Idempotent: nothing happens when warehouse MAIN exists."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.catalog.models import Product, Unit
from tandem.core.services import default_legal_entity
from tandem.stock import queries, services
from tandem.stock.models import Warehouse

OWN_PRODUCTS = [("BOLT-M8", "Hex bolt M8 × 40", "none"), ("NUT-M8", "Hex nut M8", "none"),
                ("GLUE-2K", "Two-component glue", "lot"), ("SCANNER-X1", "Barcode scanner X1", "serial")]


def _products() -> list[Product]:
    goods = list(Product.objects.filter(kind=Product.Kind.GOODS, is_archived=False, variants__isnull=True)
                 .select_related("unit").order_by("sku")[:40])
    if len(goods) >= 3:
        return goods
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    for sku, name, tracking in OWN_PRODUCTS:
        Product.objects.get_or_create(sku=sku, defaults={"name": name, "unit": unit, "tracking": tracking})
    return list(Product.objects.filter(sku__in=[p[0] for p in OWN_PRODUCTS]).select_related("unit").order_by("sku"))


def _quantity(product: Product, rng: random.Random, low: int, high: int) -> Decimal:
    if product.unit.step < 1:
        return Decimal(rng.randint(low * 10, high * 10)) / 10
    return Decimal(rng.randint(low, high))


def build_stock_demo(*, seed: int = 20261201, scale: float = 1.0) -> list[str]:
    if Warehouse.objects.filter(code="MAIN").exists():
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    company = default_legal_entity()
    with transaction.atomic():
        main = services.create_warehouse(company=company, code="MAIN", name="Main warehouse", by=None)
        second = services.create_warehouse(company=company, code="SECOND", name="Second warehouse",
                                           allow_negative=False, by=None)
        bins = [services.create_location(warehouse=main, code=code, name=name, by=None)
                for code, name in (("A1", "Aisle A, shelf 1"), ("A2", "Aisle A, shelf 2"), ("B1", "Aisle B, shelf 1"))]
        quarantine = services.create_location(warehouse=main, code="QUAR", name="Quarantine",
                                              kind="quarantine", by=None)
        second_stock = queries.default_location(second)
        products = _products()
        receipts = transfers = 0
        serial_number = 1000
        for index, product in enumerate(products):
            rounds = max(1, round(rng.randint(2, 4) * scale))
            for round_number in range(rounds):
                days_back = rng.randint(20, 360)
                effective = today - datetime.timedelta(days=days_back)
                location = bins[(index + round_number) % len(bins)] if rng.random() < 0.8 else second_stock
                cost = Decimal(rng.randint(100, 20000)) / 100
                if product.tracking == Product.Tracking.SERIAL:
                    for _piece in range(rng.randint(1, 3)):
                        serial_number += 1
                        lot = services.get_or_create_lot(product=product, code=f"SN{serial_number}", by=None)
                        services.receive_stock(product=product, quantity=Decimal(1), location=location, lot=lot,
                                               effective_date=effective, unit_cost=cost, reason="Supplier delivery",
                                               by=None)
                        receipts += 1
                    continue
                lot = None
                if product.tracking == Product.Tracking.LOT:
                    expiry = effective + datetime.timedelta(days=rng.choice([90, 180, 365, 540]))
                    code = f"L{effective:%y%m}-{index:02}{round_number}"
                    lot = services.get_or_create_lot(product=product, code=code, expiry_date=expiry, by=None)
                services.receive_stock(product=product, quantity=_quantity(product, rng, 20, 200), location=location,
                                       lot=lot, effective_date=effective, unit_cost=cost, reason="Supplier delivery",
                                       by=None)
                receipts += 1
            # Some of it moves on: to another bin, or to the second warehouse.
            for level in list(queries.levels_of(product, main))[:1]:
                if level.on_hand <= 0 or level.location.kind != "storage":
                    continue
                quantity = Decimal(1) if product.tracking == Product.Tracking.SERIAL else \
                    (level.on_hand / 4).quantize(product.unit.step)
                if quantity <= 0:
                    continue
                target = second_stock if index % 2 else bins[(bins.index(level.location) + 1) % len(bins)] \
                    if level.location in bins else second_stock
                services.transfer_stock(product=product, quantity=quantity, from_location=level.location,
                                        to_location=target, lot=level.lot, reason="Replenish",
                                        effective_date=today - datetime.timedelta(days=rng.randint(1, 15)), by=None)
                transfers += 1
        # A broken piece goes to quarantine; goods are expected from suppliers.
        untracked = [p for p in products if p.tracking == Product.Tracking.NONE]
        if untracked:
            broken = untracked[0]
            level = queries.levels_of(broken, main).first()
            if level is not None and level.on_hand >= 1:
                services.transfer_stock(product=broken, quantity=Decimal(1), from_location=level.location,
                                        to_location=quarantine, reason="Damaged in transport", by=None)
                services.adjust_stock(product=broken, location=quarantine, quantity=Decimal(-1),
                                      reason="Written off: damaged", by=None)
            for offset, product in enumerate(untracked[:3]):
                services.expect_receipt(product=product, warehouse=main, quantity=_quantity(product, rng, 50, 150),
                                        expected_date=today + datetime.timedelta(days=7 + 7 * offset),
                                        note="Purchase order (demo)", by=None)
        # Last month's count of bin A1: a few differences, posted; this month's count still open.
        posted = services.create_count(warehouse=main, count_date=today - datetime.timedelta(days=10),
                                       note="Cycle count aisle A", by=None)
        counted_levels = [lv for p in untracked[:4] for lv in queries.levels_of(p, main)
                          if lv.location == bins[0]][:4]
        for number, level in enumerate(counted_levels):
            difference = Decimal((-1, 0, 1, -2)[number % 4])
            services.set_count_line(posted, product=level.product, location=level.location, lot=level.lot,
                                    counted=max(level.on_hand + difference, Decimal(0)), by=None)
        services.post_count(posted, by=None)
        draft = services.create_count(warehouse=second, count_date=today, note="Year-end count", by=None)
        for level in list(queries.levels_of(products[1 % len(products)], second))[:2]:
            services.set_count_line(draft, product=level.product, location=level.location, lot=level.lot,
                                    counted=level.on_hand, by=None)
    return [f"Stock: 2 warehouses, {receipts} receipts and {transfers} transfers of {len(products)} products, "
            f"expected receipts, a posted and a draft stock count."]
