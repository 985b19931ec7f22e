"""Benchmark: quote → order → reservation → full shipment flows per second, each step in its own transaction as
the pages and the API run it.

    TANDEM_DEBUG=1 .venv/bin/python bench/sales_flow.py [--flows 1000] [--profile]
    TANDEM_DEBUG=1 .venv/bin/python bench/sales_flow.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_sales

One flow is one request (one service call, one transaction) per step, by a user with the Sales manager and
Warehouse roles (not a superuser: the permission and record-rule checks run as for anyone), loaded afresh for
every step as a request loads it: make a quote with three lines of stocked goods priced from the price list
(`POST /api/v1/sales/quotes` with its lines), send it, accept it (the order with a copy of the lines), confirm
the order (reserving the three goods in the warehouse), make the shipment of everything left, confirm it
picked, packed and shipped (three SHIPMENT stock moves, valued, taking the reservations off; the order becomes
shipped). Target (issue #13, point 9): ≥ 300 flows/s on SQLite on 2 cores. Printed, not asserted, with the
machine's load average and the SQL statements per step (tandem/sales/tests/test_query_counts.py holds them).
`--profile` prints the functions that take the time (cProfile, cumulative).

`--finance` (issue #14) carries each flow on to the books, in its own database (var/bench/finance_flow.sqlite3):
the ledger exists (generic chart, fiscal year), so shipping also posts the cost of goods sold (stock_accounting),
then `invoice` (sales.services.invoicing.invoice_order of the shipment, issued at once: numbered, posted in the
sales journal) and `payment` (finance.banking register_payment of the invoice's total, allocated to it: the bank
entry, the invoice paid). The user also has the Accountant role.
    TANDEM_DEBUG=1 .venv/bin/python bench/sales_flow.py --finance --flows 300

`--floor` (SQLite) also measures the raw-SQL floor on this machine: the exact statements the timed flows ran
(recorded with their parameters), replayed through the sqlite3 driver with no Django and no Python logic, each
step's statements in its own BEGIN IMMEDIATE … COMMIT as the flow ran them. No flow can be faster than that here.
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

TARGET = 300
STEPS = ("quote", "send", "accept", "confirm", "shipment", "pick", "pack", "ship")
FINANCE_STEPS = (*STEPS, "invoice", "payment")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed flows; print the top 40")
    parser.add_argument("--finance", action="store_true", help="go on to invoice and payment (ledger on)")
    parser.add_argument("--floor", action="store_true", help="replay the flows' SQL through the raw driver "
                                                             "(SQLite): the floor on this machine")
    parser.add_argument("--database-url", default=None, help="default sqlite:///var/bench/sales_flow.sqlite3 "
                                                             "(finance_flow.sqlite3 with --finance)")
    return parser.parse_args()


def setup(finance: bool = False):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from tandem.catalog.models import PriceList, PriceListItem, Product, TaxCategory, Unit
    from tandem.core import roles
    from tandem.core.models import LegalEntity, User
    from tandem.parties.models import Client, Counterparty
    from tandem.stock import services as stock_services
    from tandem.stock.models import Location, StockMove, Warehouse

    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bench-sales").first()
    if user is None:
        user = User.objects.create_user("bench-sales", "bench-sales@example.com", "bench-sales-password")
        user.groups.set(Group.objects.filter(name__in=[roles.SALES_MANAGER, roles.WAREHOUSE]))
    if finance:
        user.groups.add(Group.objects.get(name=roles.ACCOUNTANT))
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench-admin@example.com", "bench-admin-password")
    company = LegalEntity.objects.filter(is_default=True).first() or LegalEntity.objects.create(
        name="Bench Trading GmbH", base_currency="EUR", is_default=True, country="DE")
    if finance:
        from tandem.finance import services as finance_services
        from tandem.finance.models import FiscalYear

        if not FiscalYear.objects.filter(company=company).exists():  # before the first receipt: it is posted
            finance_services.install_chart_template(company, by=admin)
            finance_services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=admin)
    warehouse, _ = Warehouse.objects.get_or_create(code="BENCH", defaults={"company": company, "name": "Bench"})
    location, _ = Location.objects.get_or_create(warehouse=warehouse, code="A1", defaults={"is_default": True})
    unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    tax, _ = TaxCategory.objects.get_or_create(name="Bench 19 %", defaults={"rate": Decimal(19)})
    price_list = PriceList.objects.filter(name="Bench EUR").first() or PriceList.objects.create(
        name="Bench EUR", currency="EUR")
    goods = []
    for sku, name, price, cost in (("BENCH-PUMP", "Bench pump", "120", "50"),
                                   ("BENCH-VALVE", "Bench valve", "35", "12"),
                                   ("BENCH-HOSE", "Bench hose 2 m", "9.90", "3.10")):
        good, created = Product.objects.get_or_create(sku=sku, defaults={"name": name, "unit": unit,
                                                                         "tax_category": tax})
        if created:
            stock_services.record_move(product=good, quantity=Decimal(10_000_000), kind=StockMove.Kind.RECEIPT,
                                       to_location=location, effective_date=datetime.date(2026, 1, 1),
                                       unit_cost=Decimal(cost), by=admin)
            PriceListItem.objects.create(price_list=price_list, product=good, unit_price=Decimal(price))
        goods.append(good)
    client, _ = Client.objects.get_or_create(name="Bench Client GmbH", defaults={"owner": user})
    counterparty = client.counterparties.first() or Counterparty.objects.create(
        client=client, legal_name="Bench Client GmbH", valid_from=datetime.date(2020, 1, 1))
    return user, client, counterparty, goods, warehouse


class QueryCounter:
    """Counts the SQL statements run (connection.execute_wrapper: works with DEBUG off); with `record`, keeps
    them with their parameters for the raw-SQL floor."""

    def __init__(self):
        self.count = 0
        self.recorded: list | None = None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if self.recorded is not None:
            self.recorded.append((sql, list(params) if many else params, many))
        return execute(sql, params, many, context)


def snapshot_for_floor() -> Path:
    """A copy of the database as it is before the timed flows (VACUUM INTO): replaying their statements there
    makes the same rows with the same ids, so every statement does what it did in the flow."""
    from django.db import connection

    path = Path(connection.settings_dict["NAME"]).with_suffix(".floor.sqlite3")
    path.unlink(missing_ok=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return path


def replay_floor(path: Path, statements: list, flows: int) -> None:
    """Run the recorded statements on the snapshot through the sqlite3 driver alone (the adapters Django
    registered for Decimal and dates; the connection's PRAGMAs as in settings): each step as recorded, from
    its BEGIN IMMEDIATE to the next (the wrapper does not see COMMIT, so one is issued before each BEGIN)."""
    import sqlite3

    raw = sqlite3.connect(path, isolation_level=None)
    # The settings' PRAGMAs; FLOOR_PRAGMAS adds others to try (e.g. "PRAGMA wal_autocheckpoint=100000;").
    raw.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                      + os.environ.get("FLOOR_PRAGMAS", ""))
    converted = [(sql.replace("%s", "?"), params, many) for sql, params, many in statements]
    per_statement: dict[str, float] = {}
    started = time.perf_counter()
    for sql, params, many in converted:
        before = time.perf_counter()
        if sql.startswith("BEGIN"):
            if raw.in_transaction:
                raw.execute("COMMIT")
            raw.execute(sql)
            sql = "COMMIT; BEGIN IMMEDIATE"
        elif many:
            raw.executemany(sql, params)
        else:
            raw.execute(sql, params or ()).fetchall()
        per_statement[sql] = per_statement.get(sql, 0.0) + time.perf_counter() - before
    if raw.in_transaction:
        raw.execute("COMMIT")
    elapsed = time.perf_counter() - started
    raw.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"  raw-SQL floor on this machine: the same {len(statements)} statements ({len(statements) / flows:g} per "
          f"flow) on a copy taken before the timed flows, through the sqlite3 driver alone: {elapsed:.2f} s = "
          f"{flows / elapsed:.0f} flows/s, {elapsed / flows * 1000:.2f} ms per flow; the costliest statements, "
          "ms per flow:")
    for sql, seconds in sorted(per_statement.items(), key=lambda item: -item[1])[:8]:
        print(f"    {seconds / flows * 1000:6.2f}  {' '.join(sql.split())[:110]}")


def run(flows: int, profile: bool, finance: bool = False, floor: bool = False):
    from django.db import connection

    from tandem.sales.services import invoicing, orders, quotes, shipments
    from tandem.stock.models import StockMove, WarehouseStock

    user, client, counterparty, goods, warehouse = setup(finance)
    steps = FINANCE_STEPS if finance else STEPS
    if finance:
        from tandem.finance.banking import services as banking
        from tandem.finance.models import Invoice, PaymentAccount

        company = warehouse.company
        bank = PaymentAccount.objects.filter(company=company, name="Bench bank").first() or \
            banking.create_payment_account(company, by=user, name="Bench bank", currency="EUR")
        today = datetime.date.today()
    user_model = type(user)
    quantities = (Decimal(2), Decimal(4), Decimal(10))
    seconds = dict.fromkeys(steps, 0.0)
    cpu = dict.fromkeys(steps, 0.0)  # this process's CPU time: what the flow costs whatever else runs
    queries = dict.fromkeys(steps, 0)
    counter = QueryCounter()

    def request_user():
        return user_model.objects.get(pk=user.pk)  # each request loads its user (permissions come from the cache)

    def flow():
        # Each step: (name, service call). The user is loaded outside the timing, as the session middleware does.
        doc = shipment = None
        for name in steps:
            by = request_user()
            before = counter.count
            start, cpu_start = time.perf_counter(), time.process_time()
            if name == "quote":
                doc = quotes.create_quote(by=by, client=client, counterparty=counterparty, lines=[
                    {"product": good, "quantity": quantity} for good, quantity in zip(goods, quantities, strict=True)])
            elif name == "send":
                doc = quotes.send_quote(doc, by=by)
            elif name == "accept":
                doc = quotes.accept_quote(doc, by=by)
            elif name == "confirm":
                doc = orders.confirm_order(doc, by=by)
            elif name == "shipment":
                doc = shipments.create_shipment(doc, by=by)
            elif name == "pick":
                doc = shipments.pick_shipment(doc, by=by)
            elif name == "pack":
                doc = shipments.pack_shipment(doc, by=by)
            elif name == "ship":
                doc = shipment = shipments.ship_shipment(doc, by=by, carrier="DHL", tracking_number="BENCH")
            elif name == "invoice":
                doc = invoicing.invoice_order(shipment.order, by=by, shipment=shipment, issue=True)
            else:
                banking.register_payment(company, direction="in", payment_account=bank, date=today,
                                         amount=doc.total, client=client, counterparty=counterparty, by=by,
                                         allocations=[(doc, doc.total)])
            seconds[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - cpu_start
            queries[name] += counter.count - before

    with connection.execute_wrapper(counter):
        for _ in range(min(20, flows)):  # warm-up: caches, prepared plans
            flow()
        for key in steps:
            seconds[key], cpu[key], queries[key] = 0.0, 0.0, 0
        reserved_before = sum(WarehouseStock.objects.filter(product__in=goods, warehouse=warehouse)
                              .values_list("reserved", flat=True))
        moves_before = StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, product__in=goods).count()
        profiler = cProfile.Profile() if profile else None
        if floor:
            snapshot = snapshot_for_floor()
            counter.recorded = []
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(flows):
            flow()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        recorded, counter.recorded = counter.recorded, None
    reserved = sum(WarehouseStock.objects.filter(product__in=goods, warehouse=warehouse)
                   .values_list("reserved", flat=True)) - reserved_before
    shipped = StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, product__in=goods).count() - moves_before
    rate = flows / elapsed
    in_steps = sum(seconds.values())
    print(f"{connection.vendor}: {flows} flows (quote with 3 lines → send → accept → confirm/reserve → shipment → "
          f"pick → pack → ship{' → invoice → payment' if finance else ''}) in {elapsed:.2f} s = {rate:.0f} flows/s, "
          f"{in_steps / flows * 1000:.2f} ms per flow "
          f"in the services (target ≥ {TARGET}/s on SQLite){'' if rate >= TARGET else '  BELOW TARGET'}")
    print("  per step, ms:      " + ", ".join(f"{k} {seconds[k] / flows * 1000:.2f}" for k in steps))
    print(f"  CPU time of this process: {sum(cpu.values()) / flows * 1000:.2f} ms per flow (= at most "
          f"{flows / max(sum(cpu.values()), 1e-9):.0f} flows/s on an idle core); per step: "
          + ", ".join(f"{k} {cpu[k] / flows * 1000:.2f}" for k in steps))
    print("  per step, queries: " + ", ".join(f"{k} {queries[k] / flows:g}" for k in steps)
          + f"; total {sum(queries.values()) / flows:g}")
    print(f"  still reserved after shipping: {reserved.normalize()} units (expected 0); {shipped} SHIPMENT moves "
          f"(expected {3 * flows})")
    if finance:
        unpaid = Invoice.objects.filter(client=client, status__in=Invoice.OPEN_STATUSES).count()
        print(f"  invoices of the bench client still open: {unpaid} (expected 0)")
    if recorded:
        replay_floor(snapshot, recorded, flows)
    if profiler:
        # BENCH_SORT=tottime, BENCH_TOP=80: another order or length of the listing
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            int(os.environ.get("BENCH_TOP", "40")))


def main():
    args = parse_args()
    configure(args, sqlite_name="finance_flow.sqlite3" if args.finance else "sales_flow.sqlite3")
    load = os.getloadavg()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}")
    if args.floor and "sqlite" not in os.environ["DATABASE_URL"]:
        sys.exit("--floor replays through the sqlite3 driver: SQLite only")
    run(args.flows, args.profile, args.finance, args.floor)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
