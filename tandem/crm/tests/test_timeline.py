"""The client timeline: one chronological list of interactions, deals, complaints, tasks and changes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core import roles, workflow
from tandem.crm.models import Complaint, Deal
from tandem.crm.queries.timeline import build_timeline
from tandem.crm.services.complaints import register_complaint, resolve_complaint
from tandem.crm.services.interactions import log_interaction
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import ComplaintCategoryFactory, InteractionFactory, TimelineTaskFactory
from tandem.parties import services as parties_services
from tandem.parties.tests.factories import ClientFactory

HTMX = {"HX-Request": "true"}


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def card(sales_rep):
    return parties_services.create_client(by=sales_rep, name="Timeline GmbH")


def kinds(timeline):
    return [(item.kind, item.event) for item in timeline.items]


def test_merges_all_sources_newest_first_without_duplicate_audit(sales_rep, card):
    log_interaction(by=sales_rep, client=card, kind="meeting", occurred_at=ago(days=5), text="Kick-off")
    deal = DealFactory(client=card, owner=sales_rep)
    Deal.objects.filter(pk=deal.pk).update(created_at=ago(days=4), status=Deal.Status.WON, closed_at=ago(days=1))
    complaint = register_complaint(by=sales_rep, client=card, category="delivery", description="Late")
    resolve_complaint(complaint, by=sales_rep, resolution="Credit note")
    TimelineTaskFactory(client=card, assignee=sales_rep, due_at=ago(days=3))

    timeline = build_timeline(sales_rep, card)

    assert kinds(timeline) == [
        ("complaint", "resolved"),
        ("complaint", "registered"),
        ("audit", "created"),  # the client itself; the interaction's and complaint's entries are not repeated
        ("deal", "won"),
        ("task", "open"),
        ("deal", "opened"),
        ("interaction", "meeting"),
    ]
    assert [item.at for item in timeline.items] == sorted((item.at for item in timeline.items), reverse=True)
    assert timeline.older is None


def test_filter_by_type(sales_rep, card):
    log_interaction(by=sales_rep, client=card, kind="call_in", outcome="reached")
    log_interaction(by=sales_rep, client=card, kind="note", text="n")
    register_complaint(by=sales_rep, client=card, category=ComplaintCategoryFactory(), description="Scratched")

    assert kinds(build_timeline(sales_rep, card, type="call")) == [("interaction", "call_in")]
    assert {k for k, _e in kinds(build_timeline(sales_rep, card, type="interaction"))} == {"interaction"}
    assert kinds(build_timeline(sales_rep, card, type="complaint")) == [("complaint", "registered")]
    assert kinds(build_timeline(sales_rep, card, type="audit")) == [("audit", "created")]
    assert len(build_timeline(sales_rep, card, type="nonsense").items) == 4  # unknown type: everything


def test_older_pages_continue_where_the_last_stopped(sales_rep, card):
    for day in range(7):
        InteractionFactory(client=card, created_by=sales_rep, occurred_at=ago(days=day + 1), text=f"day {day}")
    first = build_timeline(sales_rep, card, type="note", limit=3)
    second = build_timeline(sales_rep, card, type="note", limit=3, before=first.older)
    third = build_timeline(sales_rep, card, type="note", limit=3, before=second.older)
    texts = [i.obj.text for page in (first, second, third) for i in page.items]
    assert texts == [f"day {d}" for d in range(7)]
    assert third.older is None


def test_query_count_does_not_grow_with_items(sales_rep, card, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            InteractionFactory(client=card, created_by=sales_rep)
            deal = DealFactory(client=card, owner=sales_rep)
            workflow.transition(deal, Deal.Status.LOST, by=sales_rep)
            complaint = register_complaint(by=sales_rep, client=card, category="other", description="x")
            workflow.transition(complaint, Complaint.Status.IN_PROGRESS, by=sales_rep)
            TimelineTaskFactory(client=card, assignee=sales_rep)

    add(1)
    build_timeline(sales_rep, card)  # warm the permission and content type caches
    with django_assert_max_num_queries(20) as few:
        build_timeline(sales_rep, card)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        timeline = build_timeline(sales_rep, card, limit=200)
    assert len(timeline.items) > 50


def test_representative_sees_only_own_deals_and_tasks_on_own_client(sales_rep, sales_manager, card):
    DealFactory(client=card, owner=sales_manager, title="Manager's deal")
    TimelineTaskFactory(client=card, assignee=sales_manager, title="Manager's task")
    rep_view = build_timeline(sales_rep, card, type="deal").items + build_timeline(sales_rep, card, type="task").items
    assert rep_view == []
    assert len(build_timeline(sales_manager, card, type="deal").items) == 1


def test_timeline_partial_and_page(client, sales_rep, card):
    log_interaction(by=sales_rep, client=card, kind="sms", text="On my way")
    client.force_login(sales_rep)
    url = reverse("crm:client-timeline", args=[card.pk])

    partial = client.get(url, {"type": "sms"}, headers=HTMX)
    assert partial.status_code == 200
    assert partial.content.decode().lstrip().startswith('<div id="timeline-items"')
    assert "On my way" in partial.content.decode()

    page = client.get(url, {"type": "note"})
    assert page.status_code == 200
    assert "On my way" not in page.content.decode()


def test_timeline_of_another_owners_client_is_404(client, sales_rep, make_user):
    other = ClientFactory(owner=make_user(roles.SALES_REPRESENTATIVE, username="rep2"))
    InteractionFactory(client=other)
    client.force_login(sales_rep)
    assert client.get(reverse("crm:client-timeline", args=[other.pk])).status_code == 404
