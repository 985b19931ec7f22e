"""Benchmark: stock levels with many stock moves.

    TANDEM_DEBUG=1 .venv/bin/python bench/stock_levels.py                    # 1,000,000 moves on SQLite
    TANDEM_DEBUG=1 .venv/bin/python bench/stock_levels.py --moves 10000000   # the issue's 10 million
    TANDEM_DEBUG=1 .venv/bin/python bench/stock_levels.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_stock

Uses its own database (default SQLite var/bench/stock.sqlite3), migrates it, and generates the moves with one
bulk INSERT … SELECT per batch (a recursive CTE on SQLite, generate_series on PostgreSQL): 10,000 products in
two warehouses (Main with 4 bins, Second), receipts of 10 and shipments of 1 (every fifth move) over two
years. The balances (StockLevel per bin, WarehouseStock per warehouse) are then computed from the moves in SQL,
as stock.services would have kept them. A later run with the same --moves reuses the data (--fresh rebuilds).

Times (each printed as p50/p95/max in ms over --repeat runs, with the machine's load average):
- available of one product in one warehouse: stock.queries.available (target < 5 ms);
- a warehouse's stock list page of 50 products: the query (count + 50 rows) and the whole page over
  django.test.Client with a signed-in Warehouse user (target < 100 ms);
- sum of the moves of one product in one bin (the invariant the property test checks; not on a page).
Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PRODUCTS = 10_000
BATCH = 500_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per case")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true")
    return parser.parse_args()


def configure(args) -> None:
    bench_dir = REPO / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{bench_dir / 'stock.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("TANDEM_SECRET_KEY", "bench-only-secret-key")
    os.environ["TANDEM_ALLOWED_HOSTS"] = os.environ.get("TANDEM_ALLOWED_HOSTS", "localhost,127.0.0.1") + ",testserver"
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def populate(moves: int, fresh: bool) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from tandem.catalog.models import Product, Unit
    from tandem.core.services import default_legal_entity
    from tandem.stock import services
    from tandem.stock.models import Location, StockLevel, StockMove, Warehouse, WarehouseStock

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.monotonic() - started:.1f} s ({connection.vendor})")
    have = StockMove.objects.filter(reason="bench").count() if Warehouse.objects.filter(code="BMAIN").exists() else 0
    if have == moves and not fresh:
        print(f"reusing {have:,} moves")
        return
    with transaction.atomic():
        StockLevel.objects.all().delete()
        WarehouseStock.objects.all().delete()
        StockMove.objects.all().delete()
        Location.objects.filter(warehouse__code__in=["BMAIN", "BSECOND"]).delete()
        Warehouse.objects.filter(code__in=["BMAIN", "BSECOND"]).delete()
        Product.objects.filter(sku__startswith="BENCH-").delete()
        company = default_legal_entity()
        main = services.create_warehouse(company=company, code="BMAIN", name="Bench main", by=None)
        services.create_warehouse(company=company, code="BSECOND", name="Bench second", by=None)
        for code in ("A1", "A2", "B1", "B2"):
            services.create_location(warehouse=main, code=code, by=None)
        unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
        Product.objects.bulk_create(
            [Product(sku=f"BENCH-{n:05}", name=f"Bench part {n}", unit=unit) for n in range(PRODUCTS)],
            batch_size=5000)
    products = list(Product.objects.filter(sku__startswith="BENCH-").order_by("pk").values_list("pk", flat=True))
    first_product = products[0]
    assert products[-1] - first_product + 1 == PRODUCTS, "product ids are not consecutive"
    locations = list(Location.objects.filter(warehouse__code__in=["BMAIN", "BSECOND"]).order_by("pk")
                     .values_list("pk", flat=True))
    count_locations = len(locations)
    loc_case = "CASE " + " ".join(f"WHEN (i / {PRODUCTS}) % {count_locations} = {n} THEN {pk}"
                                  for n, pk in enumerate(locations)) + " END"
    company_id = Warehouse.objects.get(code="BMAIN").company_id
    columns = ("company_id, product_id, kind, quantity, from_location_id, to_location_id, lot_id, effective_date, "
               "unit_cost, value, reason, origin_type_id, origin_id, created_at, created_by_id")
    started = time.monotonic()
    for start in range(0, moves, BATCH):
        stop = min(start + BATCH, moves)
        # Every fifth move ships 1 from a bin the product got 10 in before; the rest receive 10.
        select = (
            f"SELECT {company_id}, {first_product} + i % {PRODUCTS}, "
            f"CASE WHEN i % 5 = 4 THEN 'shipment' ELSE 'receipt' END, "
            f"CASE WHEN i % 5 = 4 THEN 1 ELSE 10 END, "
            f"CASE WHEN i % 5 = 4 THEN {loc_case} END, CASE WHEN i % 5 = 4 THEN NULL ELSE {loc_case} END, NULL, ")
        if connection.vendor == "postgresql":
            select += (f"DATE '2025-01-01' + (i % 700)::int, 2.5, NULL, 'bench', NULL, NULL, "
                       f"TIMESTAMPTZ '2026-01-01 00:00:00+00', NULL FROM generate_series({start}, {stop - 1}) AS i")
            sql = f"INSERT INTO stock_stockmove ({columns}) {select}"
        else:
            select += ("date('2025-01-01', '+' || (i % 700) || ' days'), 2.5, NULL, 'bench', NULL, NULL, "
                       "'2026-01-01 00:00:00', NULL FROM seq")
            sql = (f"WITH RECURSIVE seq(i) AS (SELECT {start} UNION ALL SELECT i + 1 FROM seq WHERE i < {stop - 1}) "
                   f"INSERT INTO stock_stockmove ({columns}) {select}")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        print(f"  {stop:,} moves inserted ({time.monotonic() - started:.0f} s)", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO stock_stocklevel (product_id, location_id, lot_id, on_hand)
            SELECT product_id, location_id, NULL, SUM(delta) FROM (
                SELECT product_id, to_location_id AS location_id, quantity AS delta FROM stock_stockmove
                 WHERE to_location_id IS NOT NULL
                UNION ALL
                SELECT product_id, from_location_id, -quantity FROM stock_stockmove WHERE from_location_id IS NOT NULL
            ) AS d GROUP BY product_id, location_id""")
        cursor.execute("""
            INSERT INTO stock_warehousestock (product_id, warehouse_id, on_hand, reserved, incoming)
            SELECT l.product_id, loc.warehouse_id, SUM(l.on_hand), 0, 0
              FROM stock_stocklevel l JOIN stock_location loc ON loc.id = l.location_id
             GROUP BY l.product_id, loc.warehouse_id""")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    print(f"generated {moves:,} moves and their balances in {time.monotonic() - started:.1f} s")


def timed(label: str, run, repeat: int, target_ms: float | None = None) -> None:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    verdict = "" if target_ms is None else ("  OK" if p95 < target_ms else f"  SLOWER than {target_ms:g} ms")
    print(f"{label:58} p50 {statistics.median(times):8.2f}  p95 {p95:8.2f}  max {times[-1]:8.2f} ms{verdict}")


def main() -> None:
    args = parse_args()
    configure(args)
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client

    from tandem.catalog.models import Product
    from tandem.core import roles
    from tandem.core.models import User
    from tandem.core.permissions import sync_roles
    from tandem.stock import queries
    from tandem.stock.models import Location, StockMove, Warehouse

    print(load())
    populate(args.moves, args.fresh)
    main_warehouse = Warehouse.objects.get(code="BMAIN")
    product = Product.objects.get(sku="BENCH-04321")
    bin_a = Location.objects.get(warehouse=main_warehouse, code="A1")
    print(f"{connection.vendor}: {StockMove.objects.count():,} moves, {Product.objects.count():,} products; "
          f"{load()}")

    timed("available(product, warehouse)", lambda: queries.available(product, main_warehouse), args.repeat, 5)

    def stock_list_query():
        page = Paginator(queries.warehouse_stock(main_warehouse), 50).get_page(37)
        return list(page.object_list)

    timed("stock list of a warehouse, page 37 of 50 products (query)", stock_list_query, args.repeat, 100)

    sync_roles()
    user, _created = User.objects.get_or_create(username="bench-storekeeper")
    from django.contrib.auth.models import Group

    user.groups.set([Group.objects.get(name=roles.WAREHOUSE)])
    http = Client()
    http.force_login(user)
    url = f"/stock/?warehouse={main_warehouse.pk}&page=37"
    status = http.get(url).status_code
    timed(f"stock list page over HTTP (status {status})", lambda: http.get(url), max(args.repeat // 4, 20), 100)
    timed("sum of one product's moves in one bin", lambda: queries.sum_of_moves(product, bin_a, None),
          max(args.repeat // 4, 20))
    print(load())


if __name__ == "__main__":
    main()
