"""Benchmark: receivables aging over N open invoices (target: under one second at 100,000).

    TANDEM_DEBUG=1 .venv/bin/python bench/finance_aging.py [--invoices 100000] [--repeat 5] [--fresh]
    TANDEM_DEBUG=1 .venv/bin/python bench/finance_aging.py \
        --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_aging

Uses its own database (default: SQLite at var/bench/aging.sqlite3; --fresh starts again), migrates it, makes
2,000 clients and N open customer invoices with bulk_create (three currencies, due dates spread over a year
around today, one in ten partly paid, a few credit notes, plus paid and draft invoices the query must skip), then
times finance.receivables.queries.aging (what the page, API and XLSX call): per client, per counterparty, and for
one client; and client_exposure for one client. Prints the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CLIENTS = 2000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (median printed)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="drop the generated data and insert it again")
    return parser.parse_args()


def configure(args) -> None:
    bench_dir = REPO / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if args.fresh and not args.database_url:
        (bench_dir / "aging.sqlite3").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{bench_dir / 'aging.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("TANDEM_SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(count: int, fresh: bool) -> None:
    from django.db import transaction

    from tandem.core.services import default_legal_entity
    from tandem.finance.models import Invoice
    from tandem.parties.models import Client

    company = default_legal_entity()
    if fresh:
        Invoice.objects.filter(company=company, number__startswith="BENCH-").delete()
    have = Invoice.objects.filter(company=company, number__startswith="BENCH-").count()
    if have >= count:
        print(f"reusing {have} generated invoices")
        return
    rng = random.Random(14)
    with transaction.atomic():
        clients = list(Client.objects.filter(name__startswith="Aging bench ").values_list("pk", flat=True))
        if len(clients) < CLIENTS:
            from tandem.core.models import User

            owner, _created = User.objects.get_or_create(username="aging-bench-owner")
            Client.objects.bulk_create([Client(name=f"Aging bench {i:05d}", search_name=f"aging bench {i:05d}",
                                               owner=owner)
                                        for i in range(len(clients), CLIENTS)], batch_size=1000)
            clients = list(Client.objects.filter(name__startswith="Aging bench ").values_list("pk", flat=True))
        today = datetime.date.today()
        currencies = (("EUR", Decimal(1)), ("USD", Decimal("0.92")), ("PLN", Decimal("0.23")))
        batch = []
        for i in range(have, count + count // 20):
            due = today + datetime.timedelta(days=rng.randint(-200, 60))
            currency, rate = currencies[0] if rng.random() < 0.7 else rng.choice(currencies[1:])
            total = Decimal(rng.randint(1000, 500_000)) / 100
            roll = rng.random()
            if i >= count:  # beyond the open ones: paid or draft, which the query must skip
                status, due_amount = rng.choice(((Invoice.Status.PAID, Decimal(0)), (Invoice.Status.DRAFT, total)))
                kind = Invoice.Kind.CUSTOMER_INVOICE
            elif roll < 0.1:
                status, due_amount, kind = Invoice.Status.PARTLY_PAID, (total / 2).quantize(Decimal("0.01")), \
                    Invoice.Kind.CUSTOMER_INVOICE
            elif roll < 0.13:
                status, due_amount, kind = Invoice.Status.ISSUED, total, Invoice.Kind.CUSTOMER_CREDIT_NOTE
            else:
                status, due_amount, kind = Invoice.Status.ISSUED, total, Invoice.Kind.CUSTOMER_INVOICE
            batch.append(Invoice(company=company, kind=kind, status=status, number=f"BENCH-{i:07d}",
                                 client_id=rng.choice(clients), invoice_date=due - datetime.timedelta(days=30),
                                 due_date=due, currency=currency, rate=rate, total=total, amount_due=due_amount))
            if len(batch) == 5000:
                Invoice.objects.bulk_create(batch)
                batch = []
        Invoice.objects.bulk_create(batch)
    print(f"generated {count - have} open invoices (+ {count // 20} paid or draft)")


def timed(repeat: int, run) -> tuple[float, float, object]:
    """Median wall-clock and CPU time of this process in ms (on SQLite the CPU time includes the SQL: it runs in
    the process; on a loaded machine it is the steadier figure)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(times), statistics.median(cpu), result


def main() -> None:
    args = parse_args()
    configure(args)
    import django
    from django.db import connection

    from tandem.core.services import default_legal_entity
    from tandem.finance.models import Invoice
    from tandem.finance.receivables import queries

    print(f"{connection.vendor} ({connection.settings_dict['NAME']}), Django {django.get_version()}")
    generate(args.invoices, args.fresh)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE finance_invoice")
    company = default_legal_entity()
    today = datetime.date.today()
    open_count = Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES).count()
    print(f"open invoices: {open_count}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    one_client = Invoice.objects.filter(company=company).values_list("client_id", flat=True).first()
    client = queries.Client.objects.get(pk=one_client)
    cases = [
        ("aging per client (receivables)", lambda: queries.aging(company, today)),
        ("aging per counterparty", lambda: queries.aging(company, today, group="counterparty")),
        ("aging of one client", lambda: queries.aging(company, today, client_id=one_client)),
        ("client_exposure of one client", lambda: queries.client_exposure(client, on=today, company=company)),
    ]
    for label, run in cases:
        ms, cpu, result = timed(args.repeat, run)
        rows = len(result.rows) if hasattr(result, "rows") else 1
        print(f"  {label:<40} {ms:10.1f} ms  (CPU of this process {cpu:8.1f} ms; {rows} rows, median of "
              f"{args.repeat})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
