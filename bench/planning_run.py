"""Benchmark: the planning run over 10,000 products with three-level BOMs and 50,000 open demand lines (issue #15).

    TANDEM_DEBUG=1 .venv/bin/python bench/planning_run.py [--products 10000] [--lines 50000]
    TANDEM_DEBUG=1 .venv/bin/python bench/planning_run.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_planning

Data (inserted once with bulk_create, reused while the counts match; --fresh inserts it again): one legal entity
and warehouse; a tenth of the products finished goods, 15 % assemblies, 15 % sub-assemblies and the rest bought
parts. A finished product's BOM takes two assemblies and a part, an assembly's two sub-assemblies and a part, a
sub-assembly's three parts (with scrap): three BOM levels, four product levels. Every part has a supplier price
(20 suppliers, minimum quantities and pack sizes), every other part some stock. --lines confirmed sales order
lines (10 per order) of finished goods and parts, wanted over the next 90 days. Then planning.services.run_planning
runs twice (the second replaces the first's open proposals) and each is timed. Target: under 10 s. Printed, not
asserted, with the machine load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.clients_api import configure  # noqa: E402  (after the path is set)

BATCH = 2000
SUPPLIERS = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--database-url", default=None, help="default sqlite:///var/bench/planning_run.sqlite3")
    parser.add_argument("--fresh", action="store_true", help="delete the bench data and insert it again")
    return parser.parse_args()


def populate(args):
    from django.db import transaction
    from django.utils import timezone

    from tandem.catalog.models import Product, Unit
    from tandem.core.models import LegalEntity, User
    from tandem.parties.models import Client, Counterparty
    from tandem.planning.models import PlanningPegging, PlanningProposal
    from tandem.production.models import Bom, BomLine
    from tandem.purchasing.models import SupplierPrice, SupplierProfile
    from tandem.sales.models import Order, OrderLine
    from tandem.stock.models import Warehouse, WarehouseStock

    warehouse = Warehouse.objects.filter(code="BENCH-PLAN").first()
    if warehouse is not None and not args.fresh:
        if (Product.objects.filter(sku__startswith="PLAN-").count() == args.products
                and OrderLine.objects.filter(order__warehouse=warehouse).count() == args.lines):
            return User.objects.get(username="bench-planner")
    started = time.monotonic()
    rng = random.Random(15)
    today = timezone.localdate()
    with transaction.atomic():
        if warehouse is not None:
            PlanningPegging.objects.all().delete()
            PlanningProposal.objects.all()._raw_delete(PlanningProposal.objects.db)
            OrderLine.objects.filter(order__warehouse=warehouse).delete()
            Order.objects.filter(warehouse=warehouse).delete()
            WarehouseStock.objects.filter(warehouse=warehouse).delete()
            BomLine.objects.filter(bom__product__sku__startswith="PLAN-").delete()
            Bom.objects.filter(product__sku__startswith="PLAN-").delete()
            SupplierPrice.objects.filter(product__sku__startswith="PLAN-").delete()
            Product.objects.filter(sku__startswith="PLAN-").delete()
            warehouse.delete()
        company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
            name="Bench planning", base_currency="EUR", is_default=True, country="DE")
        warehouse = Warehouse.objects.create(company=company, code="BENCH-PLAN", name="Bench planning")
        unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
        user = User.objects.filter(username="bench-planner").first()
        if user is None:
            user = User.objects.create_user("bench-planner", password="bench-planner-password", is_superuser=True)
        n = args.products
        finished, assemblies, subs = n // 10, n * 15 // 100, n * 15 // 100
        parts = n - finished - assemblies - subs
        kinds = ["F"] * finished + ["A"] * assemblies + ["S"] * subs + ["P"] * parts
        products = Product.objects.bulk_create(
            [Product(sku=f"PLAN-{k}-{i:05d}", name=f"Bench {k} {i}", unit=unit) for i, k in enumerate(kinds)],
            batch_size=BATCH)
        by_kind = {k: [p for p, kind in zip(products, kinds, strict=True) if kind == k] for k in "FASP"}
        boms = Bom.objects.bulk_create([Bom(product=p, code="v1", valid_from=datetime.date(2020, 1, 1))
                                        for p in by_kind["F"] + by_kind["A"] + by_kind["S"]], batch_size=BATCH)
        lines = []
        for bom in boms:
            kind = bom.product.sku.split("-")[1]
            if kind == "F":
                comps = rng.sample(by_kind["A"], 2) + [rng.choice(by_kind["P"])]
            elif kind == "A":
                comps = rng.sample(by_kind["S"], 2) + [rng.choice(by_kind["P"])]
            else:
                comps = rng.sample(by_kind["P"], 3)
            lines += [BomLine(bom=bom, position=i, component=c, quantity=Decimal(rng.randint(1, 4)),
                              scrap_percent=Decimal(rng.choice([0, 0, 2, 5]))) for i, c in enumerate(comps, 1)]
        BomLine.objects.bulk_create(lines, batch_size=BATCH)
        suppliers = []
        for i in range(SUPPLIERS):
            client = Client.objects.create(name=f"Bench supplier {i}", owner=user)
            counterparty = Counterparty.objects.create(client=client, legal_name=f"Bench supplier {i}",
                                                       valid_from=datetime.date(2024, 1, 1))
            suppliers.append(SupplierProfile.objects.create(counterparty=counterparty, currency="EUR"))
        SupplierPrice.objects.bulk_create([
            SupplierPrice(supplier=rng.choice(suppliers), product=p, currency="EUR",
                          unit_price=Decimal(rng.randint(1, 500)) / 10, min_quantity=Decimal(rng.choice([0, 10, 50])),
                          pack_size=Decimal(rng.choice([1, 1, 5, 12, 100])), lead_time_days=rng.randint(2, 30),
                          is_preferred=True) for p in by_kind["P"]], batch_size=BATCH)
        WarehouseStock.objects.bulk_create([WarehouseStock(product=p, warehouse=warehouse,
                                                           on_hand=Decimal(rng.randint(0, 200)))
                                            for p in by_kind["P"][::2]], batch_size=BATCH)
        client = Client.objects.create(name="Bench planning client", owner=user)
        counterparty = Counterparty.objects.create(client=client, legal_name="Bench planning client",
                                                   valid_from=datetime.date(2024, 1, 1))
        orders = Order.objects.bulk_create([
            Order(number=f"SO-PLAN-{i:05d}", company=company, client=client, counterparty=counterparty, owner=user,
                  currency="EUR", status=Order.Status.CONFIRMED, order_date=today, warehouse=warehouse,
                  requested_date=today + datetime.timedelta(days=rng.randint(0, 90)))
            for i in range((args.lines + 9) // 10)], batch_size=BATCH)
        sold = by_kind["F"] * 4 + by_kind["P"]
        OrderLine.objects.bulk_create([
            OrderLine(order=orders[i // 10], position=i % 10 + 1, product=rng.choice(sold), unit=unit,
                      quantity=Decimal(rng.randint(1, 20)), unit_price=Decimal(100))
            for i in range(args.lines)], batch_size=BATCH)
    print(f"  data: {n:,} products, {len(boms):,} BOMs, {len(lines):,} BOM lines, {args.lines:,} order lines: "
          f"{time.monotonic() - started:.1f} s")
    return user


def main():
    args = parse_args()
    configure(args, "planning_run.sqlite3")
    from django.core.management import call_command
    from django.db import connection

    from tandem.core.models import User
    from tandem.planning import services
    from tandem.planning.models import PlanningPegging

    call_command("migrate", verbosity=0, interactive=False)
    load = os.getloadavg()
    print(f"{connection.vendor}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    user = populate(args)
    user = User.objects.get(pk=user.pk)
    user.is_superuser = True  # the bench times the run, not the permission check
    for attempt in ("first run", "second run"):
        started, cpu = time.monotonic(), time.process_time()
        run = services.run_planning(by=user)
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        mark = "" if elapsed < 10 else "  OVER"
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.timings.items())
        print(f"{attempt}: {elapsed:.2f} s ({phases}; CPU of this process {cpu:.2f} s) — {run.products:,} items, "
              f"{run.demands:,} demands (with dependent), {run.proposals:,} proposals, "
              f"{PlanningPegging.objects.count():,} pegging rows (target < 10 s){mark}")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
