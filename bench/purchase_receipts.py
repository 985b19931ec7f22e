"""Benchmark: purchase receipts posted per second — goods of a sent purchase order received into stock, valued,
and posted to the ledger (stock_accounting: Dr inventory / Cr goods received not invoiced), each receipt one
request (one service call, one transaction) as the receive page and the API run it.

    TANDEM_DEBUG=1 .venv/bin/python bench/purchase_receipts.py [--receipts 500] [--profile]
    TANDEM_DEBUG=1 .venv/bin/python bench/purchase_receipts.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_receipts

Set-up (untimed): the generic chart and fiscal year 2026 are installed in the bench's legal entity so receipts
post; a supplier with prices for three goods; per receipt one purchase order with three lines, submitted and
sent (each line expected in the warehouse). Timed: `receive_purchase_order` of all three lines by a user with the
Warehouse role (not a superuser), loaded afresh as a request loads it: the order and its lines are locked, the
tolerance checked, three RECEIPT stock moves recorded at the lines' cost (valued: average cost), the expected
receipts taken off, the order becomes received, and three journal entries are posted through stock_accounting.
Printed, not asserted, with the machine's load average and the SQL statements per receipt; the end checks that
every move was posted (no StockPosting left waiting).
`--profile` prints the functions that take the time (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.clients_api import configure  # noqa: E402  (after the path is set)
from bench.sales_flow import QueryCounter  # noqa: E402

RECEIPT_DATE = datetime.date(2026, 6, 15)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed receipts; print the top 40")
    parser.add_argument("--database-url", default=None, help="default sqlite:///var/bench/purchase_receipts.sqlite3")
    return parser.parse_args()


def setup():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from tandem.catalog.models import Product, Unit
    from tandem.core import roles
    from tandem.core.models import LegalEntity, User
    from tandem.finance import services as finance
    from tandem.finance.models import Account, FiscalYear
    from tandem.parties.models import Client, Counterparty
    from tandem.purchasing import services as purchasing
    from tandem.purchasing.models import SupplierProfile
    from tandem.stock.models import Location, Warehouse

    call_command("migrate", verbosity=0)
    storeman = User.objects.filter(username="bench-storeman").first()
    if storeman is None:
        storeman = User.objects.create_user("bench-storeman", "bench-storeman@example.com", "bench-password")
        storeman.groups.set(Group.objects.filter(name=roles.WAREHOUSE))
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench-admin@example.com", "bench-admin-password")
    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Bench Trading GmbH", base_currency="EUR", is_default=True, country="DE")
    if not Account.objects.filter(company=company).exists():
        finance.install_chart_template(company, by=admin)
    if not FiscalYear.objects.filter(company=company, start_date=datetime.date(2026, 1, 1)).exists():
        finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=admin)
    warehouse, _ = Warehouse.objects.get_or_create(code="BENCH", defaults={"company": company, "name": "Bench"})
    Location.objects.get_or_create(warehouse=warehouse, code="A1", defaults={"is_default": True})
    unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    client, _ = Client.objects.get_or_create(name="Bench Supplier AG", defaults={"owner": admin})
    counterparty = client.counterparties.first() or Counterparty.objects.create(
        client=client, legal_name="Bench Supplier AG", valid_from=datetime.date(2020, 1, 1))
    supplier = SupplierProfile.objects.filter(counterparty=counterparty).first() or purchasing.create_supplier(
        counterparty=counterparty, currency="EUR", by=admin)
    goods = []
    for sku, name, price in (("BENCH-PUMP", "Bench pump", "50"), ("BENCH-VALVE", "Bench valve", "12"),
                             ("BENCH-HOSE", "Bench hose 2 m", "3.10")):
        good, created = Product.objects.get_or_create(sku=sku, defaults={"name": name, "unit": unit})
        if created or not supplier.prices.filter(product=good).exists():
            purchasing.add_supplier_price(supplier=supplier, product=good, unit_price=Decimal(price), by=admin)
        goods.append(good)
    return admin, storeman, company, supplier, warehouse, goods


def sent_orders(count, admin, supplier, warehouse, goods):
    from tandem.purchasing import services as purchasing

    orders = []
    for _ in range(count):
        order = purchasing.create_purchase_order(
            supplier=supplier, warehouse=warehouse, order_date=datetime.date(2026, 6, 1), by=admin,
            expected_date=datetime.date(2026, 6, 10),
            lines=[{"product": good, "quantity": Decimal(quantity)} for good, quantity in zip(goods, (2, 4, 10),
                                                                                            strict=True)])
        orders.append(purchasing.send_purchase_order(purchasing.submit_purchase_order(order, by=admin), by=admin))
    return orders


def run(receipts: int, profile: bool):
    from django.db import connection

    from tandem.purchasing import services as purchasing
    from tandem.purchasing.models import PurchaseOrder, PurchaseOrderLine
    from tandem.stock_accounting.models import StockPosting

    admin, storeman, company, supplier, warehouse, goods = setup()
    warm = min(20, receipts)
    started = time.perf_counter()
    orders = sent_orders(receipts + warm, admin, supplier, warehouse, goods)
    print(f"  set-up: {len(orders)} sent orders with 3 lines in {time.perf_counter() - started:.1f} s (untimed)")
    lines = {order.pk: list(PurchaseOrderLine.objects.filter(order=order).order_by("position"))
             for order in orders}
    user_model = type(storeman)
    counter = QueryCounter()
    seconds = cpu = 0.0
    queries = 0

    def receive(order):
        nonlocal seconds, cpu, queries
        by = user_model.objects.get(pk=storeman.pk)  # each request loads its user
        fresh = PurchaseOrder.objects.get(pk=order.pk)  # and its order (the page's get_object_or_404)
        items = [(line, line.quantity, None, None) for line in lines[order.pk]]
        before = counter.count
        start, cpu_start = time.perf_counter(), time.process_time()
        done = purchasing.receive_purchase_order(fresh, lines=items, date=RECEIPT_DATE, by=by)
        seconds += time.perf_counter() - start
        cpu += time.process_time() - cpu_start
        queries += counter.count - before
        assert done.status == PurchaseOrder.Status.RECEIVED

    with connection.execute_wrapper(counter):
        for order in orders[:warm]:  # warm-up: caches, prepared plans
            receive(order)
        seconds = cpu = 0.0
        queries = 0
        postings_before = StockPosting.objects.filter(status=StockPosting.Status.POSTED).count()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for order in orders[warm:]:
            receive(order)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
    posted = StockPosting.objects.filter(status=StockPosting.Status.POSTED).count() - postings_before
    waiting = StockPosting.objects.filter(status=StockPosting.Status.PENDING).count()
    print(f"{connection.vendor}: {receipts} receipts (3 lines each: 3 RECEIPT moves valued at average cost, 3 "
          f"journal entries) in {elapsed:.2f} s = {receipts / elapsed:.0f} receipts/s "
          f"({3 * receipts / elapsed:.0f} moves posted/s); {seconds / receipts * 1000:.2f} ms per receipt in the "
          f"service")
    print(f"  CPU time of this process: {cpu / receipts * 1000:.2f} ms per receipt (= at most "
          f"{receipts / max(cpu, 1e-9):.0f} receipts/s on an idle core); {queries / receipts:g} SQL statements "
          f"per receipt")
    print(f"  ledger: {posted} moves posted (expected {3 * receipts}), {waiting} postings waiting (expected 0)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main():
    args = parse_args()
    configure(args, sqlite_name="purchase_receipts.sqlite3")
    load = os.getloadavg()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}")
    run(args.receipts, args.profile)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
