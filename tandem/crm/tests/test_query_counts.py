"""Every CRM page, report and list API reads a fixed number of SQL queries, however many rows there are
(no N+1): each case is requested with a few rows, then again after more deals, tasks, leads,
interactions, complaints and segment members (of other owners and clients) were added."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.crm.models import DealStageVisit, LostReason, Segment
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import ComplaintFactory, InteractionFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, EventAttendeeFactory, LeadFactory
from tandem.crm.tests.factories_planning import SegmentFactory, TaskFactory
from tandem.parties.tests.factories import ClientFactory


def add_rows(owner, pipeline, manual: Segment, n: int) -> None:
    """n more of everything: deals in every stage and state, with stage visits, interactions, tasks
    (due today, overdue and upcoming), complaints, leads and segment members, each on a new client."""
    stages = list(pipeline.stages.order_by("position"))
    campaign = CampaignFactory(name="Spring")
    reason = LostReason.objects.first()
    now = timezone.now()
    for i in range(n):
        client = ClientFactory(owner=owner)
        status = ["open", "won", "lost"][i % 3]
        deal = DealFactory(owner=owner, client=client, stage=stages[i % len(stages)], campaign=campaign,
                           amount=100 + i, status=status, closed_at=None if status == "open" else now,
                           lost_reason=reason if status == "lost" else None)
        DealStageVisit.objects.create(deal=deal, stage=stages[(i + 1) % len(stages)],
                                      entered_at=now - datetime.timedelta(days=3), left_at=now)
        InteractionFactory(client=client, created_by=owner)
        TaskFactory(assignee=owner, client=client, due_at=now + datetime.timedelta(days=i - 1))
        ComplaintFactory(client=client, assignee=owner)
        LeadFactory(owner=owner, campaign=campaign)
        manual.members.add(client)
        EventAttendeeFactory(client=client)


@pytest.fixture
def world(sales, sales_manager, sales_rep):
    manual = SegmentFactory(name="Key accounts", kind=Segment.Kind.STATIC)
    rule = SegmentFactory(name="Active", criteria={"status": ["active"], "won_deals_max": 5})
    for stage in sales.stages.all():  # the board reads one query per stage holding open deals
        DealFactory(owner=sales_rep, stage=stage)
    add_rows(sales_rep, sales, manual, 2)
    deal = sales_rep.owned_deals.order_by("pk").first()
    return {"manual": manual, "rule": rule, "deal": deal}


def cases(world, pipeline) -> list[tuple[str, str, dict]]:
    manual, rule, deal = world["manual"], world["rule"], world["deal"]
    return [
        ("web", "/crm/deals/", {}),
        ("web", "/crm/deals/list/", {}),
        ("web", "/crm/deals/list/", {"status": "open"}),
        ("web", f"/crm/deals/{deal.pk}/", {}),
        ("web", f"/clients/{deal.client_id}/", {}),
        ("web", f"/crm/clients/{deal.client_id}/timeline/", {}),
        ("web", "/crm/my-day/", {}),
        ("web", "/crm/tasks/", {}),
        ("web", "/crm/leads/", {}),
        ("web", "/crm/complaints/", {}),
        ("web", "/crm/segments/", {}),
        ("web", f"/crm/segments/{manual.pk}/", {}),
        ("web", f"/crm/segments/{rule.pk}/", {}),
        ("web", "/crm/marketing/", {}),
        ("web", "/crm/reports/lost-at-stage/", {}),
        ("web", "/crm/reports/segment-comparison/", {"ids": [manual.pk, rule.pk]}),
        ("web", "/crm/marketing/report/", {}),
        ("api", "/api/v1/crm/deals", {}),
        ("api", "/api/v1/crm/deals", {"status": "open"}),
        ("api", "/api/v1/crm/deals/board", {}),
        ("api", f"/api/v1/crm/deals/{deal.pk}/activity", {}),
        ("api", "/api/v1/crm/interactions", {"deal_id": deal.pk}),
        ("api", "/api/v1/crm/tasks", {}),
        ("api", "/api/v1/crm/tasks/my-day", {}),
        ("api", "/api/v1/crm/interactions", {}),
        ("api", "/api/v1/crm/leads", {}),
        ("api", "/api/v1/crm/complaints", {}),
        ("api", f"/api/v1/crm/segments/{manual.pk}/clients", {}),
        ("api", f"/api/v1/crm/segments/{rule.pk}/clients", {}),
        ("api", f"/api/v1/crm/clients/{deal.client_id}/timeline", {}),
        ("api", "/api/v1/crm/reports/lost-at-stage", {"pipeline": pipeline.pk}),
        ("api", "/api/v1/crm/reports/segment-comparison", {"ids": f"{manual.pk},{rule.pk}"}),
        ("api", "/api/v1/crm/reports/attribution", {}),
        ("api", "/api/v1/clients", {"q": "gmbh"}),
    ]


def count_queries(http, path, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    # Reads only: a token's "last used" stamp is written at most once a minute, whatever the rows.
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")))


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_crm_pages_and_lists_read_a_fixed_number_of_queries(who, client, api, world, sales, sales_manager,
                                                             sales_rep):
    user = sales_manager if who == "manager" else sales_rep
    client.force_login(user)
    http = {"web": client, "api": api(user)}
    todo = cases(world, sales)
    for kind, path, params in todo:  # warm up: per-process caches (company, permissions, content types)
        http[kind].get(path, params)
    few = {(kind, path, str(params)): count_queries(http[kind], path, params) for kind, path, params in todo}

    add_rows(sales_rep, sales, world["manual"], 6)

    many = {(kind, path, str(params)): count_queries(http[kind], path, params) for kind, path, params in todo}
    grown = {case: (few[case], many[case]) for case in few if many[case] != few[case]}
    assert grown == {}
