"""Benchmark: the clients API and pages with 100,000 clients.

    TANDEM_DEBUG=1 .venv/bin/python bench/clients_api.py [--clients 100000] [--requests 50]
    TANDEM_DEBUG=1 .venv/bin/python bench/clients_api.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench

Uses its own database (default: SQLite at var/bench/bench.sqlite3), migrates it, bulk-inserts the
clients with counterparties and contacts (once: a later run with the same --clients reuses them; --fresh
rebuilds), then times each request in-process with django.test.Client and prints p50/p95/p99 in ms.
Numbers are printed, not asserted. A case that does not answer 200 shows its status code instead.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STEMS = ["Nord", "Süd", "Alpen", "Rhein", "Elb", "Spree", "Hansa", "Berg", "Wald", "Stern", "Falken",
         "Linden", "Ost", "West", "Donau", "Isar", "Volga", "Ural", "Neva", "Baltika"]
TRADES = ["Bau", "Logistik", "Maschinenbau", "Technik", "Elektro", "Metall", "Holz", "Druck", "Handel",
          "Medizintechnik", "Kunststoff", "Energie", "Software", "Möbel", "Textil", "Lebensmittel"]
SURNAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
            "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Ivanov", "Petrov", "Sokolov", "Popov", "Lebedev",
            "Kozlov", "Novikov", "Morozov", "Volkov", "Braun"]
FIRST_NAMES = ["Anna", "Lukas", "Sophie", "Felix", "Marie", "Jan", "Ivan", "Olga", "Sergey", "Elena", "Pavel",
               "Julia", "Thomas", "Nina", "Stefan", "Irina"]
FORMS = ["GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "OOO"]
STATUSES = ["active"] * 5 + ["prospect"] * 3 + ["inactive"] * 2  # every 10th client is also archived
OWNERS = 10  # sales representatives owning the clients
BATCH = 5000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case")
    parser.add_argument("--database-url", default=None,
                        help="default sqlite:///var/bench/bench.sqlite3; a PostgreSQL URL works too")
    parser.add_argument("--fresh", action="store_true", help="delete the bench data and insert it again")
    return parser.parse_args()


def configure(args, sqlite_name: str = "bench.sqlite3") -> None:
    """Point Django at the bench database before it starts (settings read the environment once)."""
    bench_dir = REPO / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{bench_dir / sqlite_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("TANDEM_SECRET_KEY", "bench-only-secret-key")
    hosts = os.environ.get("TANDEM_ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ["TANDEM_ALLOWED_HOSTS"] = hosts + ",testserver"
    import django

    django.setup()
    from django.conf import settings

    # Time the production code path: no SQL logging into connection.queries, no debug pages.
    settings.DEBUG = False
    # A view that fails shows as status 500 in the table, not as a traceback per request.
    logging.getLogger("django.request").disabled = True


# --- Data -------------------------------------------------------------------------------------------

def populate(count: int, fresh: bool):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from tandem.core import roles
    from tandem.core.models import User
    from tandem.parties.models import Client, Contact, Counterparty, Source, Tag

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.monotonic() - started:.1f} s ({connection.vendor})")
    foreign = Client.objects.exclude(owner__username__startswith="bench-")
    if foreign.exists():
        sys.exit("This database holds clients that the benchmark did not create; use another --database-url.")

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"first_name": "Bench"})
    manager.groups.add(Group.objects.get(name=roles.SALES_MANAGER))
    reps = []
    for n in range(OWNERS):
        rep, _ = User.objects.get_or_create(username=f"bench-rep{n}", defaults={"first_name": f"Rep {n}"})
        rep.groups.add(Group.objects.get(name=roles.SALES_REPRESENTATIVE))
        reps.append(rep)

    existing = Client.objects.count()
    if existing == count and not fresh:
        print(f"reusing {existing} clients already in the bench database (--fresh to rebuild)")
        return manager, reps
    started = time.monotonic()
    with transaction.atomic():
        Client.objects.all().delete()
        sources = [Source.objects.get_or_create(name=name, defaults={"channel": channel})[0]
                   for name, channel in [("Website", "website"), ("Referral", "referral"),
                                         ("Exhibition", "exhibition"), ("Cold call", "cold_call")]]
        tags = [Tag.objects.get_or_create(name=name)[0] for name in ["VIP", "Wholesale", "Retail", "Export"]]
        for first in range(0, count, BATCH):
            insert_batch(range(first, min(first + BATCH, count)), reps, sources, tags)
    elapsed = time.monotonic() - started
    print(f"inserted {Client.objects.count()} clients, {Counterparty.objects.count()} counterparties, "
          f"{Contact.objects.count()} contacts in {elapsed:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return manager, reps


def client_name(i: int) -> tuple[str, str]:
    if i % 3 == 2:  # every third client is a consumer
        return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i // 7) % len(SURNAMES)]}", "b2c"
    stem, trade = STEMS[i % len(STEMS)], TRADES[(i // len(STEMS)) % len(TRADES)]
    return f"{stem} {trade} {SURNAMES[(i // 320) % len(SURNAMES)]}", "b2b"


def tax_id(i: int, generation: int) -> str:
    return german_vat_id(10_000_000 + i * 2 + generation)


def german_vat_id(number: int) -> str:
    from tandem.parties.demo import german_vat_id_from

    return german_vat_id_from(str(number))


def landline(i: int) -> str:
    return f"+4930{20_000_000 + i}"  # +49 30 2xxxxxxx: valid Berlin numbers


def mobile(i: int, n: int) -> str:
    return f"+49151{10_000_000 + i * 3 + n}"  # +49 151 1xxxxxxx


def insert_batch(numbers: range, reps, sources, tags) -> None:
    import datetime

    from tandem.parties.models import Client, Contact, Counterparty

    clients = []
    for i in numbers:
        name, kind = client_name(i)
        clients.append(Client(
            name=name, search_name=name.lower(), kind=kind, status=STATUSES[i % len(STATUSES)],
            is_archived=i % len(STATUSES) == len(STATUSES) - 1,
            owner=reps[i % len(reps)], first_source=sources[i % len(sources)],
            email=f"info{i}@client{i}.example", phone=landline(i), created_by=reps[i % len(reps)],
        ))
    Client.objects.bulk_create(clients, batch_size=1000)  # sets pk on SQLite and PostgreSQL

    counterparties, contacts, tag_links = [], [], []
    through = Client.tags.through
    for client, i in zip(clients, numbers, strict=True):
        if client.kind == "b2b":
            start = datetime.date(2018, 1, 1) + datetime.timedelta(days=i % 1500)
            legal = f"{client.name} {FORMS[i % len(FORMS)]}"
            if i % 5 == 0:  # the legal entity changed: a closed predecessor and the current one
                switch = start + datetime.timedelta(days=365)
                old = f"{client.name} {FORMS[(i + 1) % len(FORMS)]}"
                counterparties.append(Counterparty(
                    client=client, legal_name=old, search_name=old.lower(), tax_id=tax_id(i, 1),
                    valid_from=start, valid_to=switch - datetime.timedelta(days=1),
                    legal_address="Friedrichstraße 1, 10117 Berlin"))
                start = switch
            counterparties.append(Counterparty(
                client=client, legal_name=legal, search_name=legal.lower(), tax_id=tax_id(i, 0),
                registration_number=f"HRB {100000 + i}", valid_from=start,
                legal_address="Friedrichstraße 1, 10117 Berlin"))
        for n in range(1 + (i % 2 if client.kind == "b2b" else 0)):
            first, last = FIRST_NAMES[(i + n) % len(FIRST_NAMES)], SURNAMES[(i * 7 + n) % len(SURNAMES)]
            contacts.append(Contact(
                client=client, first_name=first, last_name=last, search_name=f"{first} {last}".lower(),
                email=f"{first}.{last}.{i}.{n}@client{i}.example".lower(), mobile_phone=mobile(i, n),
                position="Purchasing Manager" if n == 0 else ""))
        if i % 4 == 0:
            tag_links.append(through(client_id=client.pk, tag_id=tags[i % len(tags)].pk))
    Counterparty.objects.bulk_create(counterparties, batch_size=1000)
    Contact.objects.bulk_create(contacts, batch_size=1000)
    through.objects.bulk_create(tag_links, batch_size=1000)


# --- Timing -----------------------------------------------------------------------------------------

def percentile(sorted_ms: list[float], p: float) -> float:
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    k = (len(sorted_ms) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(sorted_ms) - 1)
    return sorted_ms[low] + (sorted_ms[high] - sorted_ms[low]) * (k - low)


def time_case(http, label: str, path: str, params: dict | None, requests: int) -> dict:
    from django.db import connection

    statuses: Counter[int] = Counter()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # one untimed warm-up request, counting its SQL queries
        response = http.get(path, params or {})
    statuses[response.status_code] += 1
    size = len(response.content)
    found = "-"
    if response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        found = str(data.get("count", "?")) if isinstance(data, dict) and "items" in data else (
            str(len(data)) if isinstance(data, list) else "1")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = http.get(path, params or {})
        timings.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] += 1
    timings.sort()
    return {
        "case": label, "status": ",".join(f"{code}×{n}" if len(statuses) > 1 else str(code)
                                          for code, n in sorted(statuses.items())),
        "p50": percentile(timings, 50), "p95": percentile(timings, 95), "p99": percentile(timings, 99),
        "mean": statistics.fmean(timings), "queries": len(queries), "kb": size / 1024, "found": found,
    }


def run_cases(manager, reps, count: int, requests: int) -> list[dict]:
    from django.test import Client as HttpClient

    from tandem.core.services import create_api_token
    from tandem.parties.models import Client, Contact, Counterparty

    _token, secret = create_api_token(manager, "bench", by=manager)
    # A failing view answers 500 here (reported in the status column) instead of stopping the run.
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)
    _token, rep_secret = create_api_token(reps[0], "bench", by=reps[0])
    rep_api = HttpClient(headers={"Authorization": f"Bearer {rep_secret}"}, raise_request_exception=False)
    web = HttpClient(raise_request_exception=False)
    web.force_login(manager)

    page_size = 50
    deep_page = max(1, min(1500, count // page_size - 1))
    middle = Client.objects.filter(kind="b2b").order_by("pk")[count // 3]
    cp = Counterparty.objects.filter(valid_to__isnull=True, client__kind="b2b").order_by("pk")[count // 4]
    contact = Contact.objects.exclude(mobile_phone="").order_by("pk")[count // 3]
    words = middle.name.lower().split()
    fragment = f"{words[0]} {words[1][:3]}"  # e.g. "alpen bau": matches a few hundred names
    phone = f"+49 151 {contact.mobile_phone[6:10]} {contact.mobile_phone[10:]}"

    cases = [
        ("API clients page 1", "/api/v1/clients", {"page": 1, "page_size": page_size}),
        (f"API clients page {deep_page}", "/api/v1/clients", {"page": deep_page, "page_size": page_size}),
        (f"API clients q={fragment!r}", "/api/v1/clients", {"q": fragment, "page_size": page_size}),
        ("API clients status+q", "/api/v1/clients", {"q": "alpen", "status": "active",
                                                     "page_size": page_size}),
        ("API clients page 1 (rep, own)", "/api/v1/clients", {"page": 1, "page_size": page_size}),
        (f"API search name {fragment!r}", "/api/v1/search", {"q": fragment}),
        (f"API search tax ID {cp.tax_id}", "/api/v1/search", {"q": cp.tax_id}),
        (f"API search phone {phone}", "/api/v1/search", {"q": phone}),
        ("API client detail", f"/api/v1/clients/{middle.pk}", None),
        ("page /clients/", "/clients/", None),
        (f"page /clients/?page={deep_page}", "/clients/", {"page": deep_page}),
        (f"page /clients/?q={fragment}", "/clients/", {"q": fragment}),
        ("page /clients/<id>/", f"/clients/{cp.client_id}/", None),
        (f"page /search/?q={cp.tax_id}", "/search/", {"q": cp.tax_id}),
    ]
    results = []
    for label, path, params in cases:
        http = web if label.startswith("page") else rep_api if "(rep" in label else api
        result = time_case(http, label, path, params, requests)
        results.append(result)
        print_row(result)
    return results


def print_header() -> None:
    print(f"\n{'case':<46} {'status':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'queries':>8} {'KiB':>7} "
          f"{'found':>7}")


def print_row(r: dict) -> None:
    print(f"{r['case'][:46]:<46} {r['status']:>7} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
          f"{r['queries']:>8} {r['kb']:>7.1f} {r['found']:>7}", flush=True)


def main() -> None:
    args = parse_args()
    configure(args)
    from django.db import connection

    manager, reps = populate(args.clients, args.fresh)
    print(f"timing {args.requests} requests per case on {connection.vendor}, in ms; queries, size and "
          f"rows found (list count or search hits) of one response; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print_header()
    run_cases(manager, reps, args.clients, args.requests)


if __name__ == "__main__":
    main()
