"""Benchmark: quote → order → reservation flows per second, each step in its own transaction as the UI runs it.

    TANDEM_DEBUG=1 .venv/bin/python bench/sales_flow.py [--flows 1000]
    TANDEM_DEBUG=1 .venv/bin/python bench/sales_flow.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_sales

One flow is what the pages do, one request (one transaction) per step: make a quote with two lines priced from
the price list (a good and a service), send it, accept it (the order with a copy of the lines), confirm the
order (reserving the good in the warehouse). The full shipment step joins once shipments exist; until then the
flow stops at the reservation. Target (issue #13, point 9): ≥ 300 flows/s on SQLite on 2 cores. Printed, not
asserted, with the machine's load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.clients_api import configure  # noqa: E402  (after the path is set)

TARGET = 300


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default sqlite:///var/bench/sales_flow.sqlite3")
    return parser.parse_args()


def setup():
    from django.core.management import call_command

    from tandem.catalog.models import PriceList, PriceListItem, Product, TaxCategory, Unit
    from tandem.core.models import LegalEntity, User
    from tandem.parties.models import Client, Counterparty
    from tandem.stock import services as stock_services
    from tandem.stock.models import Location, StockMove, Warehouse

    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bench-sales").first() or User.objects.create_superuser(
        "bench-sales", "bench-sales@example.com", "bench-sales-password")
    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Bench Trading GmbH", base_currency="EUR", is_default=True, country="DE")
    warehouse, _ = Warehouse.objects.get_or_create(code="BENCH", defaults={"company": company, "name": "Bench"})
    location, _ = Location.objects.get_or_create(warehouse=warehouse, code="A1", defaults={"is_default": True})
    unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    tax, _ = TaxCategory.objects.get_or_create(name="Bench 19 %", defaults={"rate": Decimal(19)})
    good, created = Product.objects.get_or_create(sku="BENCH-PUMP", defaults={"name": "Bench pump", "unit": unit,
                                                                             "tax_category": tax})
    service, _ = Product.objects.get_or_create(sku="BENCH-SVC", defaults={
        "name": "Bench installation", "unit": unit, "kind": Product.Kind.SERVICE, "tax_category": tax})
    if created:
        stock_services.record_move(product=good, quantity=Decimal(10_000_000), kind=StockMove.Kind.RECEIPT,
                                   to_location=location, effective_date=datetime.date(2026, 1, 1),
                                   unit_cost=Decimal(50), by=user)
        price_list = PriceList.objects.create(name="Bench EUR", currency="EUR")
        PriceListItem.objects.create(price_list=price_list, product=good, unit_price=Decimal("120"))
        PriceListItem.objects.create(price_list=price_list, product=service, unit_price=Decimal("80"))
    client, _ = Client.objects.get_or_create(name="Bench Client GmbH", defaults={"owner": user})
    counterparty = client.counterparties.first() or Counterparty.objects.create(
        client=client, legal_name="Bench Client GmbH", valid_from=datetime.date(2020, 1, 1))
    return user, client, counterparty, good, service, warehouse


def run(flows: int):
    from django.db import connection

    from tandem.sales.services import orders, quotes
    from tandem.stock.models import WarehouseStock

    user, client, counterparty, good, service, warehouse = setup()
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache like a request's
    lines = [{"product": good, "quantity": Decimal(2)}, {"product": service, "quantity": Decimal(1)}]
    steps = {"quote": 0.0, "send": 0.0, "accept": 0.0, "confirm": 0.0}

    def flow():
        t0 = time.perf_counter()
        quote = quotes.create_quote(by=user, client=client, counterparty=counterparty, lines=lines)
        t1 = time.perf_counter()
        quote = quotes.send_quote(quote, by=user)
        t2 = time.perf_counter()
        order = quotes.accept_quote(quote, by=user)
        t3 = time.perf_counter()
        orders.confirm_order(order, by=user)
        t4 = time.perf_counter()
        steps["quote"] += t1 - t0
        steps["send"] += t2 - t1
        steps["accept"] += t3 - t2
        steps["confirm"] += t4 - t3

    for _ in range(min(20, flows)):  # warm-up: caches, prepared plans
        flow()
    for key in steps:
        steps[key] = 0.0
    reserved_before = WarehouseStock.objects.get(product=good, warehouse=warehouse).reserved
    started = time.perf_counter()
    for _ in range(flows):
        flow()
    elapsed = time.perf_counter() - started
    reserved = WarehouseStock.objects.get(product=good, warehouse=warehouse).reserved - reserved_before
    rate = flows / elapsed
    print(f"{connection.vendor}: {flows} flows (quote → send → accept → confirm/reserve) in {elapsed:.2f} s = "
          f"{rate:.0f} flows/s (target ≥ {TARGET}/s on SQLite){'' if rate >= TARGET else '  BELOW TARGET'}")
    print("  per step, ms: " + ", ".join(f"{k} {v / flows * 1000:.2f}" for k, v in steps.items()))
    print(f"  reserved {reserved.normalize()} units in this run (expected {2 * flows})")
    print("  full shipment: not in the flow yet (shipments are not built); the flow stops at the reservation")


def main():
    args = parse_args()
    configure(args, sqlite_name="sales_flow.sqlite3")
    load = os.getloadavg()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}")
    run(args.flows)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
