"""Benchmark: export 1,000,000 journal lines to XLSX through finance.reports.xlsx (write-only openpyxl, rows
streamed from .iterator(chunk_size=…)). Prints the time to write the workbook, its size, the process's
RSS before the export and its max RSS (with --trace also the peak of Python allocations), and the load.

    DATABASE_URL=sqlite:///var/bench-xlsx.sqlite3 PYTHONPATH=. DJANGO_SETTINGS_MODULE=tandem.settings \
        python bench/finance_xlsx_export.py [--lines 1000000]

The ledger is made once (500,000 two-line entries over one fiscal year, written with bulk inserts; AccountBalance
is not needed by the export) and reused on later runs."""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--trace", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from tandem.core.services import default_legal_entity
    from tandem.finance import services
    from tandem.finance.models import Account, Entry, EntryLine, Journal, Period
    from tandem.finance.reports.xlsx import journal_lines_rows, write_workbook

    company = default_legal_entity()
    if not Account.objects.filter(company=company).exists():
        from tandem.core import roles
        from tandem.core.tests.factories import UserFactory

        user = UserFactory(username="bench-xlsx-accountant", role=roles.ACCOUNTANT)
        services.install_chart_template(company, by=user)
        services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=user)
    existing = EntryLine.objects.filter(company=company).count()
    if existing < args.lines:
        started = time.perf_counter()
        journal = Journal.objects.get(company=company, code="GEN")
        bank, sales = (Account.objects.get(company=company, code=c) for c in ("1010", "4100"))
        periods = list(Period.objects.filter(company=company).order_by("start_date"))
        year = periods[0].fiscal_year
        number = Entry.objects.filter(journal=journal).count()
        batch = 5000
        while existing < args.lines:
            with transaction.atomic():
                entries = []
                for _i in range(batch // 2):
                    number += 1
                    period = periods[number % 12]
                    day = period.start_date + datetime.timedelta(days=number % 28)
                    entries.append(Entry(company=company, journal=journal, fiscal_year=year, period=period, date=day,
                                         number=number, memo=f"Bench {number}", status="posted"))
                entries = Entry.objects.bulk_create(entries)
                lines = []
                for entry in entries:
                    amount = Decimal(entry.number % 997 + 1) + Decimal("0.25")
                    for account, debit, credit in ((bank, amount, 0), (sales, 0, amount)):
                        lines.append(EntryLine(entry=entry, company=company, account=account, period=entry.period,
                                               date=entry.date, debit=debit, credit=credit, currency="EUR",
                                               amount_currency=debit - credit))
                EntryLine.objects.bulk_create(lines)
            existing += batch
        print(f"made the ledger: {existing:,} lines in {time.perf_counter() - started:.0f} s")
    connection.close()
    load_before = os.getloadavg()
    rss_before = _rss_mb()
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    rows = 0
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        def counted():
            nonlocal rows
            for row in journal_lines_rows(company, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)):
                rows += 1
                yield row
        write_workbook(handle.name, "Journal lines", counted())
        elapsed = time.perf_counter() - started
        size = os.path.getsize(handle.name)
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"exported {rows - 1:,} lines in {elapsed:.1f} s ({(rows - 1) / elapsed:,.0f} lines/s), "
          f"file {size / 1e6:.1f} MB")
    if peak is not None:
        print(f"peak Python memory during the export (tracemalloc): {peak / 1e6:.1f} MB")
    print(f"RSS before the export: {rss_before:.0f} MB; max RSS of the process: {rss:.0f} MB")
    print(f"load average before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f} "
          f"({os.cpu_count()} CPUs); python {sys.version.split()[0]}, {connection.vendor}")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
