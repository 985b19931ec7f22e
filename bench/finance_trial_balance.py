"""Benchmark: the trial balance over N journal lines.

    TANDEM_DEBUG=1 .venv/bin/python bench/finance_trial_balance.py [--lines 1000000] [--repeat 5]
    TANDEM_DEBUG=1 .venv/bin/python bench/finance_trial_balance.py --lines 10000000 \
        --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_finance

Uses its own database (default: SQLite at var/bench/finance.sqlite3; --fresh starts again), migrates it, opens
fiscal years 2020–2026 with the generic chart through the services, then generates the lines in SQL (one
INSERT … SELECT over a generated series: entries of two lines on 35 accounts, 7 years of dates) and fills the
per-account per-period balances the postings maintain (one INSERT … SELECT … GROUP BY). It then times
finance.queries.trial_balance (what the API and page call) for a month with its comparison, for a whole year,
and, for reference, the same year summed straight from the lines. Prints the machine's load average.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DAYS = 2557  # 2020-01-01 .. 2026-12-31


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (median printed)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--fresh", action="store_true", help="drop the generated data and insert it again")
    return parser.parse_args()


def configure(args) -> None:
    bench_dir = REPO / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    if args.fresh and not args.database_url:
        (bench_dir / "finance.sqlite3").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{bench_dir / 'finance.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("TANDEM_SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def series(vendor: str, count: int) -> str:
    if vendor == "postgresql":
        return f"SELECT i FROM generate_series(1, {count}) AS g(i)"
    return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s"


def generate(lines: int) -> tuple[object, float]:
    from django.db import connection, transaction

    from tandem.core import roles
    from tandem.core.services import default_legal_entity
    from tandem.core.tests.factories import UserFactory
    from tandem.finance import services
    from tandem.finance.models import Account, AccountBalance, EntryLine, FiscalYear, Journal

    company = default_legal_entity()
    have = EntryLine.objects.filter(company=company).count()
    if have == lines:
        return company, 0.0
    if have:
        sys.exit(f"The bench database holds {have:,} lines, not {lines:,}: run with --fresh.")
    started = time.monotonic()
    user = UserFactory(username=f"bench-accountant-{int(started)}", role=roles.ACCOUNTANT)
    services.install_chart_template(company, by=user)
    for year in range(2020, 2027):
        if not FiscalYear.objects.filter(company=company, start_date=datetime.date(year, 1, 1)).exists():
            services.create_fiscal_year(company, start_date=datetime.date(year, 1, 1), by=user)
    accounts = list(Account.objects.filter(company=company, code__regex=r"^\d{4}$").order_by("code")
                    .values_list("pk", flat=True))
    journal = Journal.objects.get(company=company, code="GEN")
    vendor = connection.vendor
    entries = lines // 2
    if vendor == "postgresql":
        day = f"(DATE '2020-01-01' + (s.i % {DAYS}))"
        now, false = "now()", "false"
    else:
        day = f"date('2020-01-01', '+' || (s.i % {DAYS}) || ' days')"
        now, false = "CURRENT_TIMESTAMP", "0"
    amount = "(((e.id * 7919) % 100000) / 100.0 + 1)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_account (idx integer primary key, account_id bigint)")
        cursor.executemany("INSERT INTO bench_account VALUES (%s, %s)", list(enumerate(accounts)))
        cursor.execute(f"""
            INSERT INTO finance_entry (created_at, updated_at, company_id, journal_id, fiscal_year_id, period_id,
                                       date, number, memo, status, is_closing, posted_at)
            SELECT {now}, {now}, {company.pk}, {journal.pk}, p.fiscal_year_id, p.id, d.day, d.i, 'bench', 'posted',
                   {false}, {now}
            FROM (SELECT s.i AS i, {day} AS day FROM ({series(vendor, entries)}) AS s) AS d
            JOIN finance_period p ON p.company_id = {company.pk} AND d.day BETWEEN p.start_date AND p.end_date""")
        for side, offset in (("debit", 0), ("credit", 3)):
            debit, credit = (amount, "0") if side == "debit" else ("0", amount)
            signed = amount if side == "debit" else f"-{amount}"
            cursor.execute(f"""
                INSERT INTO finance_entryline (entry_id, company_id, account_id, period_id, date, debit, credit,
                                               currency, amount_currency, rate, memo)
                SELECT e.id, e.company_id, a.account_id, e.period_id, e.date, {debit}, {credit}, 'EUR', {signed}, 1, ''
                FROM finance_entry e JOIN bench_account a ON a.idx = (e.id + {offset}) % {len(accounts)}
                WHERE e.company_id = {company.pk} AND e.memo = 'bench'""")
        cursor.execute("DROP TABLE bench_account")
        AccountBalance.objects.filter(company=company).delete()
        cursor.execute(f"""
            INSERT INTO finance_accountbalance (company_id, account_id, period_id, debit, credit)
            SELECT company_id, account_id, period_id, SUM(debit), SUM(credit) FROM finance_entryline
            WHERE company_id = {company.pk} GROUP BY company_id, account_id, period_id""")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return company, time.monotonic() - started


def timed(function, repeat: int) -> tuple[float, object]:
    result, times = None, []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    args = parse_args()
    configure(args)
    import django
    from django.db import connection
    from django.db.models import Sum

    from tandem.finance import queries
    from tandem.finance.models import AccountBalance, EntryLine

    company, seconds = generate(args.lines)
    line_count = EntryLine.objects.filter(company=company).count()
    balances = AccountBalance.objects.filter(company=company).count()
    print(f"{connection.vendor} ({connection.settings_dict['NAME']}), Django {django.get_version()}, "
          f"Python {sys.version.split()[0]}; {line_count:,} lines, {balances:,} balance rows"
          + (f"; generated in {seconds:.1f} s" if seconds else "; reused"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    month = (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    year = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    cut = (datetime.date(2025, 3, 15), datetime.date(2025, 9, 14))
    cases = [
        ("trial balance June 2026, compare previous", lambda: queries.trial_balance(company, *month,
                                                                                     compare="previous")),
        ("trial balance 2025, compare year", lambda: queries.trial_balance(company, *year, compare="year")),
        ("trial balance 15 Mar–14 Sep 2025 (cut periods)", lambda: queries.trial_balance(company, *cut)),
        ("reference: 2025 summed from the lines", lambda: list(
            EntryLine.objects.filter(company=company, date__range=year).values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit")).order_by())),
    ]
    for label, function in cases:
        repeat = 1 if label.startswith("reference") else args.repeat
        ms, result = timed(function, repeat)
        rows = len(result.rows) if hasattr(result, "rows") else len(result)
        print(f"  {label:<50} {ms:10.1f} ms  ({rows} accounts, median of {repeat})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
