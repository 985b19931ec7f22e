"""Benchmark: the deal board, the lost-at-stage report and the deal list API with 100,000 deals.

    TANDEM_DEBUG=1 .venv/bin/python bench/crm_board.py [--deals 100000] [--requests 30]
    TANDEM_DEBUG=1 .venv/bin/python bench/crm_board.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_crm

Uses its own database (default: SQLite at var/bench/crm_board.sqlite3), migrates it, bulk-inserts clients,
deals over the default pipeline's stages (~40 % open, ~35 % won, ~25 % lost with a reason at various
stages) and their stage visits (once: a later run with the same --deals reuses them; --fresh rebuilds),
then times each request in-process with django.test.Client and prints p50/p95/p99 in ms.
Numbers are printed, not asserted. A case that does not answer 200 shows its status code instead.
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

from bench.clients_api import configure, print_header, print_row, time_case  # noqa: E402  (after the path is set)

OWNERS = 10  # sales representatives owning clients and deals
CLIENTS_PER_DEAL = 20  # one client per 20 deals
BATCH = 5000
# Where lost deals were lost (index into the default pipeline's five stages) and open deals stand.
LOST_STAGE_WEIGHTS = [30, 25, 25, 15, 5]
OPEN_STAGE_WEIGHTS = [25, 25, 20, 18, 12]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
    parser.add_argument("--database-url", default=None,
                        help="default sqlite:///var/bench/crm_board.sqlite3; a PostgreSQL URL works too")
    parser.add_argument("--fresh", action="store_true", help="delete the bench data and insert it again")
    return parser.parse_args()




# --- Data -------------------------------------------------------------------------------------------

def populate(count: int, fresh: bool):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from tandem.core import roles
    from tandem.core.models import User
    from tandem.crm.models import Deal, DealStageVisit
    from tandem.crm.services.deals import ensure_default_pipeline
    from tandem.parties.models import Client

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.monotonic() - started:.1f} s ({connection.vendor})")
    if Deal.objects.exclude(owner__username__startswith="bench-").exists() or \
            Client.objects.exclude(owner__username__startswith="bench-").exists():
        sys.exit("This database holds deals or clients the benchmark did not create; use another --database-url.")

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"first_name": "Bench"})
    manager.groups.add(Group.objects.get(name=roles.SALES_MANAGER))
    reps = []
    for n in range(OWNERS):
        rep, _ = User.objects.get_or_create(username=f"bench-rep{n}", defaults={"first_name": f"Rep {n}"})
        rep.groups.add(Group.objects.get(name=roles.SALES_REPRESENTATIVE))
        reps.append(rep)
    pipeline = ensure_default_pipeline(by=manager)

    existing = Deal.objects.count()
    if existing == count and not fresh:
        print(f"reusing {existing} deals already in the bench database (--fresh to rebuild)")
        return manager, reps, pipeline
    started = time.monotonic()
    with transaction.atomic():
        Deal.objects.all().delete()  # cascades to stage visits and checklist items
        Client.objects.all().delete()
        clients = insert_clients(max(1, count // CLIENTS_PER_DEAL), reps)
        rng = random.Random(20240917)
        for first in range(0, count, BATCH):
            insert_deals(rng, range(first, min(first + BATCH, count)), clients, reps, pipeline)
    elapsed = time.monotonic() - started
    print(f"inserted {len(clients)} clients, {Deal.objects.count()} deals "
          f"({Deal.objects.filter(status='won').count()} won, {Deal.objects.filter(status='lost').count()} lost), "
          f"{DealStageVisit.objects.count()} stage visits in {elapsed:.1f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: planner statistics, and the visibility map without
        # which PostgreSQL will not answer from an index alone (every index-only scan fetched the rows).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return manager, reps, pipeline


def insert_clients(count: int, reps) -> list:
    from tandem.parties.models import Client

    clients = [Client(name=f"Deal Client {i:05d} GmbH", search_name=f"deal client {i:05d} gmbh", kind="b2b",
                      status="active", owner=reps[i % len(reps)], email=f"info{i}@deal-client{i}.example",
                      created_by=reps[i % len(reps)]) for i in range(count)]
    Client.objects.bulk_create(clients, batch_size=1000)  # sets pk on SQLite and PostgreSQL
    return clients


def insert_deals(rng: random.Random, numbers: range, clients, reps, pipeline) -> None:
    """Deals with every required field set (bulk_create skips the services) and their stage visits:
    one per stage the deal passed, each ending when the next begins; a closed deal's last one ends at
    closing, an open deal's last one is still open."""
    from django.utils import timezone

    from tandem.crm.models import Deal, DealStageVisit, LostReason

    stages = list(pipeline.stages.order_by("position"))
    reasons = list(LostReason.objects.all())
    now = timezone.now()
    deals, paths = [], []
    for i in numbers:
        client = clients[i % len(clients)]
        outcome = rng.choices(["open", "won", "lost"], [40, 35, 25])[0]
        if outcome == "won":
            final = len(stages) - 1
        else:
            weights = (LOST_STAGE_WEIGHTS if outcome == "lost" else OPEN_STAGE_WEIGHTS)[:len(stages)]
            final = rng.choices(range(len(stages)), weights)[0]
        created = now - datetime.timedelta(days=rng.uniform(1, 365))
        entries = [created]
        for _ in range(final):
            entries.append(entries[-1] + datetime.timedelta(days=rng.uniform(0.5, 12)))
        closed = entries[-1] + datetime.timedelta(days=rng.uniform(0.5, 10)) if outcome != "open" else None
        if closed and closed > now:  # keep history in the past
            shift = closed - now + datetime.timedelta(hours=1)
            entries, closed = [e - shift for e in entries], closed - shift
        deals.append(Deal(
            title=f"Deal {i:06d}", client=client, owner=client.owner, stage=stages[final],
            status=outcome, amount=Decimal(rng.randrange(500, 80000, 50)), currency="EUR",
            expected_close_date=(entries[-1] + datetime.timedelta(days=30)).date(), stage_entered_at=entries[-1],
            closed_at=closed, status_changed_at=closed, created_by=client.owner,
            lost_reason=rng.choice(reasons) if outcome == "lost" else None,
        ))
        paths.append((entries, closed))
    Deal.objects.bulk_create(deals, batch_size=1000)
    visits = []
    for deal, (entries, closed) in zip(deals, paths, strict=True):
        for n, entered in enumerate(entries):
            left = entries[n + 1] if n + 1 < len(entries) else closed
            visits.append(DealStageVisit(deal_id=deal.pk, stage=stages[n], entered_at=entered, left_at=left,
                                         entered_by_id=deal.owner_id))
    DealStageVisit.objects.bulk_create(visits, batch_size=2000)


# --- Timing -----------------------------------------------------------------------------------------

def run_cases(manager, reps, pipeline, requests: int) -> list[dict]:
    from django.test import Client as HttpClient

    from tandem.core.services import create_api_token

    _token, secret = create_api_token(manager, "bench", by=manager)
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
    web = HttpClient(raise_request_exception=False)
    web.force_login(manager)
    rep_web = HttpClient(raise_request_exception=False)
    rep_web.force_login(reps[0])
    cases = [
        ("page /crm/deals/ (board)", web, "/crm/deals/", None),
        ("page /crm/deals/ (board, rep, own)", rep_web, "/crm/deals/", None),
        ("page /crm/reports/lost-at-stage/", web, "/crm/reports/lost-at-stage/", None),
        ("page lost-at-stage, last 90 days", web, "/crm/reports/lost-at-stage/",
         {"date_from": (datetime.date.today() - datetime.timedelta(days=90)).isoformat()}),
        ("API reports/lost-at-stage", api, "/api/v1/crm/reports/lost-at-stage", {"pipeline": pipeline.pk}),
        ("API deals page 1 (page_size 50)", api, "/api/v1/crm/deals", {"page": 1, "page_size": 50}),
        ("API deals status=open page 1", api, "/api/v1/crm/deals", {"status": "open", "page_size": 50}),
    ]
    results = []
    for label, http, path, params in cases:
        result = time_case(http, label, path, params, requests)
        results.append(result)
        print_row(result)
    return results


def main() -> None:
    args = parse_args()
    configure(args, sqlite_name="crm_board.sqlite3")
    from django.db import connection

    manager, reps, pipeline = populate(args.deals, args.fresh)
    load = os.getloadavg()
    print(f"timing {args.requests} requests per case on {connection.vendor}, in ms; queries, size and rows found "
          f"(list count) of one response; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print_header()
    run_cases(manager, reps, pipeline, args.requests)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
