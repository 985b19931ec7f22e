"""Benchmark: every CRM page, report and list/search API with 100,000 deals, against the targets.

    TANDEM_DEBUG=1 .venv/bin/python bench/crm_pages.py [--deals 100000] [--requests 30]
    TANDEM_DEBUG=1 .venv/bin/python bench/crm_pages.py --database-url postgres://postgres@127.0.0.1:5432/tandem_bench_perf

Reuses crm_board.py's data (clients, deals, stage visits; same database file by default) and adds, once,
the rest of a sales team's year: one interaction per deal, tasks, leads, complaints, segments (a manual one
with members and a rule one), a campaign with an event and attendees. Then times each case in-process with
django.test.Client (warm-up, then --requests timed) and prints p50/p95/p99 in ms next to its target:
pages p50 < 100 ms and p99 < 150 ms, list/search APIs p99 < 50 ms, reports (page and API) < 200 ms (p50).
A case over its target is marked "OVER". Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.clients_api import configure, time_case  # noqa: E402  (after the path is set)
from bench.crm_board import BATCH, populate  # noqa: E402

TASKS_PER_DEAL = 2  # one task per two deals
LEADS_PER_DEAL = 3  # one lead per three deals
COMPLAINTS_PER_DEAL = 20
MANUAL_MEMBERS = 2000
ATTENDEES = 300

# kind: (p50 limit, p99 limit) in ms; None = not targeted
TARGETS = {"page": (100, 150), "api": (None, 50), "report": (200, None)}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case")
    parser.add_argument("--database-url", default=None,
                        help="default sqlite:///var/bench/crm_board.sqlite3; a PostgreSQL URL works too")
    parser.add_argument("--fresh", action="store_true", help="delete the bench data and insert it again")
    parser.add_argument("--only", default="", help="only cases whose label contains this text")
    return parser.parse_args()


# --- Data -------------------------------------------------------------------------------------------

def populate_activity(deals: int, reps, manager, fresh: bool) -> None:
    """Interactions, tasks, leads, complaints, segments and marketing rows next to the deals."""
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    from tandem.crm.models import (
        Campaign,
        Complaint,
        ComplaintCategory,
        Deal,
        EventAttendee,
        Interaction,
        Lead,
        MarketingEvent,
        Segment,
        Task,
    )
    from tandem.crm.services.reference_lists import ensure_default_complaint_categories
    from tandem.parties.models import Client

    if Interaction.objects.count() == deals and not fresh:
        print(f"reusing {deals} interactions, {Task.objects.count()} tasks, {Lead.objects.count()} leads")
        return
    started = time.monotonic()
    rng = random.Random(20261201)
    now = timezone.now()
    with transaction.atomic():
        for model in (EventAttendee, MarketingEvent, Task, Complaint, Interaction, Lead, Segment, Campaign):
            model.objects.all().delete()
        campaign = Campaign.objects.create(name="Bench campaign", starts_on=now.date() - datetime.timedelta(days=300),
                                           cost=Decimal("25000"), created_by=manager)
        event = MarketingEvent.objects.create(
            name="Bench fair", starts_on=now.date() - datetime.timedelta(days=200), campaign=campaign,
            cost=Decimal("12000"), responsible=manager, created_by=manager)
        ensure_default_complaint_categories()
        quality = ComplaintCategory.objects.filter(code="quality").first() or ComplaintCategory.objects.first()
        rows = Deal.objects.order_by("pk").values_list("pk", "client_id", "owner_id", "created_at")
        interactions, tasks, complaints = [], [], []
        kinds = [k for k, _ in Interaction.Kind.choices]
        for n, (deal_id, client_id, owner_id, created) in enumerate(rows.iterator(chunk_size=5000)):
            interactions.append(Interaction(
                client_id=client_id, deal_id=deal_id if n % 2 else None, kind=kinds[n % len(kinds)],
                occurred_at=created + datetime.timedelta(days=rng.uniform(0, 20)), subject=f"Talk {n}",
                created_by_id=owner_id))
            if n % TASKS_PER_DEAL == 0:
                status = "open" if n % 5 < 2 else "done"
                tasks.append(Task(
                    title=f"Follow up {n}", assignee_id=owner_id, status=status,
                    due_at=now + datetime.timedelta(days=rng.uniform(-60, 60)),
                    completed_at=now if status == "done" else None,
                    client_id=client_id if n % 4 else None, deal_id=deal_id if n % 4 == 0 else None,
                    created_by_id=owner_id))
            if n % COMPLAINTS_PER_DEAL == 0:
                complaints.append(Complaint(
                    client_id=client_id, deal_id=deal_id, category=quality, description=f"Broken {n}",
                    assignee_id=owner_id, deadline=now + datetime.timedelta(days=rng.uniform(-10, 20)),
                    status=["new", "in_progress", "resolved"][n % 3], created_by_id=owner_id))
            if len(interactions) >= BATCH:
                Interaction.objects.bulk_create(interactions, batch_size=1000)
                interactions = []
        Interaction.objects.bulk_create(interactions, batch_size=1000)
        Task.objects.bulk_create(tasks, batch_size=1000)
        Complaint.objects.bulk_create(complaints, batch_size=1000)
        leads = [Lead(name=f"Lead Person {i}", company_name=f"Lead Company {i:06d}", email=f"lead{i}@lead.example",
                      owner=reps[i % len(reps)], status=["new", "new", "disqualified", "qualified"][i % 4],
                      campaign=campaign if i % 10 == 0 else None, event=event if i % 50 == 0 else None,
                      created_by=reps[i % len(reps)])
                 for i in range(deals // LEADS_PER_DEAL)]
        Lead.objects.bulk_create(leads, batch_size=1000)
        Deal.objects.filter(pk__in=Deal.objects.order_by("pk").values("pk")[: deals // 10]).update(campaign=campaign)
        manual = Segment.objects.create(name="Bench manual", kind="static", created_by=manager)
        client_ids = list(Client.objects.order_by("pk").values_list("pk", flat=True))
        manual.members.add(*client_ids[:MANUAL_MEMBERS])
        Segment.objects.create(name="Bench rule", kind="rule", criteria={"status": ["active"], "won_deals_min": 3},
                               created_by=manager)
        EventAttendee.objects.bulk_create([EventAttendee(event=event, client_id=pk) for pk in client_ids[:ATTENDEES]])
    print(f"inserted {Interaction.objects.count()} interactions, {Task.objects.count()} tasks, "
          f"{Lead.objects.count()} leads, {Complaint.objects.count()} complaints, 2 segments "
          f"in {time.monotonic() - started:.1f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: planner statistics, and the visibility map without
        # which PostgreSQL will not answer from an index alone (every index-only scan fetched the rows).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- Timing -----------------------------------------------------------------------------------------

def cases(manager, reps, pipeline) -> list[tuple[str, str, str, str, dict | None]]:
    """(kind, who, label, path, params): who is web / rep_web (session) or api / rep_api (token)."""
    from tandem.crm.models import Complaint, Deal, Lead, Segment

    deal = Deal.objects.filter(status="open").order_by("pk")[Deal.objects.count() // 3]
    lead = Lead.objects.order_by("pk")[Lead.objects.count() // 2]
    complaint = Complaint.objects.order_by("pk")[Complaint.objects.count() // 2]
    manual = Segment.objects.get(name="Bench manual")
    rule = Segment.objects.get(name="Bench rule")
    d90 = {"date_from": (datetime.date.today() - datetime.timedelta(days=90)).isoformat()}
    name = deal.client.name.split()[2]  # "00042": a number in the clients' names
    return [
        ("page", "web", "home (manager dashboard)", "/", None),
        ("page", "rep_web", "home (rep: my day, pipeline)", "/", None),
        ("page", "web", "board (manager)", "/crm/deals/", None),
        ("page", "rep_web", "board (rep, own)", "/crm/deals/", None),
        ("page", "web", "deal list page", "/crm/deals/list/", None),
        ("page", "web", "deal list page, open", "/crm/deals/list/", {"status": "open"}),
        ("page", "rep_web", "deal list page (rep)", "/crm/deals/list/", None),
        ("page", "web", "deal detail", f"/crm/deals/{deal.pk}/", None),
        ("page", "web", "client card", f"/clients/{deal.client_id}/", None),
        ("page", "web", "client timeline", f"/crm/clients/{deal.client_id}/timeline/", None),
        ("page", "rep_web", "my day (rep)", "/crm/my-day/", None),
        ("page", "web", "task list", "/crm/tasks/", None),
        ("page", "rep_web", "task list (rep)", "/crm/tasks/", None),
        ("page", "web", "leads list", "/crm/leads/", None),
        ("page", "web", "complaints list", "/crm/complaints/", None),
        ("page", "web", "segments page", "/crm/segments/", None),
        ("page", "web", "segment (manual) + members", f"/crm/segments/{manual.pk}/", None),
        ("page", "web", "segment (rule) + members", f"/crm/segments/{rule.pk}/", None),
        ("page", "web", "campaigns page", "/crm/marketing/", None),
        ("page", "web", "pipelines page", "/crm/pipelines/", None),
        ("page", "web", "interaction list", "/crm/interactions/", None),
        ("page", "web", "lead detail", f"/crm/leads/{lead.pk}/", None),
        ("page", "web", "complaint detail", f"/crm/complaints/{complaint.pk}/", None),
        ("page", "web", "targets page", "/crm/targets/", None),
        ("page", "web", "reminders bell (every page)", "/crm/reminders/", None),
        ("page", "web", "board column, next 25 cards", f"/crm/deals/board/stages/{deal.stage_id}/more/",
         {"offset": 25}),
        ("page", "web", "client picker (typed)", "/clients/picker/", {"q": name}),
        ("page", "web", "owner picker (typed)", "/pickers/owners/", {"q": "rep"}),
        ("report", "web", "report lost-at-stage page", "/crm/reports/lost-at-stage/", None),
        ("report", "web", "report lost-at-stage page, 90 d", "/crm/reports/lost-at-stage/", d90),
        ("report", "api", "report lost-at-stage API", "/api/v1/crm/reports/lost-at-stage", {"pipeline": pipeline.pk}),
        ("report", "web", "report segment comparison page", "/crm/reports/segment-comparison/",
         {"ids": [manual.pk, rule.pk]}),
        ("report", "api", "report segment comparison API", "/api/v1/crm/reports/segment-comparison",
         {"ids": f"{manual.pk},{rule.pk}"}),
        ("report", "web", "report attribution page", "/crm/marketing/report/", None),
        ("report", "api", "report attribution API", "/api/v1/crm/reports/attribution", None),
        ("api", "api", "API deals page 1", "/api/v1/crm/deals", {"page_size": 50}),
        ("api", "api", "API deals status=open", "/api/v1/crm/deals", {"status": "open", "page_size": 50}),
        ("api", "rep_api", "API deals (rep)", "/api/v1/crm/deals", {"page_size": 50}),
        ("api", "api", "API tasks", "/api/v1/crm/tasks", {"page_size": 50}),
        ("api", "rep_api", "API my day (rep)", "/api/v1/crm/tasks/my-day", None),
        ("api", "api", "API interactions", "/api/v1/crm/interactions", {"page_size": 50}),
        ("api", "api", "API leads", "/api/v1/crm/leads", {"page_size": 50}),
        ("api", "api", "API complaints", "/api/v1/crm/complaints", {"page_size": 50}),
        ("api", "api", "API segments", "/api/v1/crm/segments", None),
        ("api", "api", "API segment members (manual)", f"/api/v1/crm/segments/{manual.pk}/clients",
         {"page_size": 50}),
        ("api", "api", "API segment members (rule)", f"/api/v1/crm/segments/{rule.pk}/clients", {"page_size": 50}),
        ("api", "api", "API client timeline", f"/api/v1/crm/clients/{deal.client_id}/timeline", None),
        ("api", "api", "API clients search q=", "/api/v1/clients", {"q": name, "page_size": 50}),
        ("api", "api", "API global search", "/api/v1/search", {"q": name}),
        # The board and the home dashboard through the API do the work of their pages (125 cards with totals;
        # the team's aggregates), so they are held to the page and the report targets, not to a list's.
        ("page", "api", "API board (manager)", "/api/v1/crm/deals/board", None),
        ("page", "rep_api", "API board (rep)", "/api/v1/crm/deals/board", None),
        ("api", "api", "API deal activity feed", f"/api/v1/crm/deals/{deal.pk}/activity", None),
        ("api", "api", "API interactions of a deal", "/api/v1/crm/interactions", {"deal_id": deal.pk}),
        ("report", "api", "API home dashboard", "/api/v1/crm/dashboard", None),
        ("report", "rep_api", "API home dashboard (rep)", "/api/v1/crm/dashboard", None),
    ]


def verdict(kind: str, result: dict) -> str:
    p50_limit, p99_limit = TARGETS[kind]
    over = (p50_limit and result["p50"] >= p50_limit) or (p99_limit and result["p99"] >= p99_limit)
    if not str(result["status"]).startswith("200"):
        return "FAIL"
    return "OVER" if over else "ok"


def target_text(kind: str) -> str:
    p50_limit, p99_limit = TARGETS[kind]
    return " ".join(t for t in (p50_limit and f"p50<{p50_limit}", p99_limit and f"p99<{p99_limit}") if t)


def run(manager, reps, pipeline, requests: int, only: str) -> list[dict]:
    from django.test import Client as HttpClient

    from tandem.core.services import create_api_token

    _t, secret = create_api_token(manager, "bench", by=manager)
    _t, rep_secret = create_api_token(reps[0], "bench", by=reps[0])
    http = {
        "api": HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False),
        "rep_api": HttpClient(headers={"Authorization": f"Bearer {rep_secret}"}, raise_request_exception=False),
        "web": HttpClient(raise_request_exception=False),
        "rep_web": HttpClient(raise_request_exception=False),
    }
    http["web"].force_login(manager)
    http["rep_web"].force_login(reps[0])
    print(f"\n{'case':<36} {'target':<16} {'status':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'queries':>7} "
          f"{'KiB':>6} {'found':>7}  verdict")
    results = []
    for kind, who, label, path, params in cases(manager, reps, pipeline):
        if only and only not in label:
            continue
        r = time_case(http[who], label, path, params, requests)
        r["verdict"] = verdict(kind, r)
        results.append(r)
        print(f"{label[:36]:<36} {target_text(kind):<16} {r['status'][:6]:>6} {r['p50']:>7.1f} {r['p95']:>7.1f} "
              f"{r['p99']:>7.1f} {r['queries']:>7} {r['kb']:>6.1f} {r['found']:>7}  {r['verdict']}", flush=True)
    over = [r["case"] for r in results if r["verdict"] != "ok"]
    print(f"\n{len(results) - len(over)} of {len(results)} cases within target"
          + (f"; over: {', '.join(over)}" if over else ""))
    return results


def main() -> None:
    args = parse_args()
    configure(args, sqlite_name="crm_board.sqlite3")
    from django.db import connection

    manager, reps, pipeline = populate(args.deals, args.fresh)
    populate_activity(args.deals, reps, manager, args.fresh)
    load = os.getloadavg()
    print(f"timing {args.requests} requests per case on {connection.vendor}, in ms; Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    run(manager, reps, pipeline, args.requests, args.only)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
