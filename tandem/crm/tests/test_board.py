"""Running the week from the deal board, the deal page and the client card: filters kept in the URL, each
card's next activity and stage limit, the weighted forecast, the deal's activity feed with quick-add, the
client card's deals, tasks and buttons, and interactions logged with the fields of their kind."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.errors import BusinessRuleError
from tandem.core.services import default_legal_entity
from tandem.core.templatetags.badges import tone
from tandem.crm.models import Deal, Interaction, Task
from tandem.crm.queries import deals as queries
from tandem.crm.services import deals as services
from tandem.crm.services import interactions as interaction_services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import TaskFactory
from tandem.parties.models import Tag
from tandem.parties.tests.factories import SourceFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def base(db):
    default_legal_entity()  # EUR


def _cards(html: str) -> int:
    return html.count('<li class="deal-card')


# --- Board --------------------------------------------------------------------------------------------

def test_board_filters_by_owner_source_and_tag_kept_in_the_url(client, sales, sales_manager, sales_rep, base):
    web = SourceFactory(name="Website")
    fair = SourceFactory(name="Fair")
    vip = Tag.objects.create(name="VIP")
    mine = DealFactory(pipeline=sales, owner=sales_manager, title="Manager web deal", source=web)
    mine.client.tags.add(vip)
    DealFactory(pipeline=sales, owner=sales_manager, title="Manager fair deal", source=fair)
    DealFactory(pipeline=sales, owner=sales_rep, title="Rep web deal", source=web)
    client.force_login(sales_manager)
    url = reverse("crm:deal-board")

    html = client.get(url, {"owner": "me"}).content.decode()
    assert "Manager web deal" in html and "Manager fair deal" in html and "Rep web deal" not in html
    assert '<option value="me" selected>' in html  # the bar shows the filter the URL carries
    html = client.get(url, {"source": web.pk}).content.decode()
    assert "Manager web deal" in html and "Rep web deal" in html and "Manager fair deal" not in html
    html = client.get(url, {"tag": "vip"}).content.decode()
    assert _cards(html) == 1 and "Manager web deal" in html
    html = client.get(url, {"owner": "me", "source": web.pk}).content.decode()
    assert _cards(html) == 1
    # Counts follow the filter; a move keeps it (the board posts to the move URL with the page's query).
    assert 'data-column-count title="Open deals">1<' in html
    assert f"source={web.pk}" in html and "owner=me" in html


def test_a_move_answers_with_the_filtered_board(client, sales, stages, sales_manager, sales_rep, base):
    deal = DealFactory(pipeline=sales, owner=sales_manager, title="Mine")
    DealFactory(pipeline=sales, owner=sales_rep, title="Someone else's")
    client.force_login(sales_manager)
    response = client.post(f"{reverse('crm:deal-move', args=[deal.pk])}?owner=me&pipeline={sales.pk}",
                           {"stage_id": stages["Needs analysis"].pk}, headers={"X-Requested-With": "fetch"})
    html = response.content.decode()
    assert response.status_code == 200 and "Mine" in html and "Someone else" not in html


def test_cards_show_the_next_activity_and_mark_none_overdue_and_too_long_in_stage(sales, stages, sales_manager):
    now = timezone.now()
    first = stages["Qualification"]
    first.max_days = 7
    first.save()
    planned = DealFactory(pipeline=sales, title="Planned")
    TaskFactory(deal=planned, title="Send offer", due_at=now + datetime.timedelta(days=3))
    TaskFactory(deal=planned, title="Done already", due_at=now - datetime.timedelta(days=1),
                status=Task.Status.DONE)
    Interaction.objects.create(client=planned.client, deal=planned, kind=Interaction.Kind.MEETING,
                               occurred_at=now + datetime.timedelta(days=1), created_by=sales_manager)
    late = DealFactory(pipeline=sales, title="Late")
    TaskFactory(deal=late, title="Call back", due_at=now - datetime.timedelta(hours=5))
    idle = DealFactory(pipeline=sales, title="Idle", stage_entered_at=now - datetime.timedelta(days=9))

    column = queries.board_columns(Deal.objects.all(), sales, now=now)[0]
    cards = {deal.title: deal for deal in column["cards"]}
    # The meeting tomorrow comes before the task in three days.
    assert cards["Planned"].next_activity.kind == Interaction.Kind.MEETING
    assert not cards["Planned"].next_activity.overdue and not cards["Planned"].stale
    assert cards["Late"].next_activity.label == "Call back" and cards["Late"].next_activity.overdue
    assert cards["Idle"].next_activity is None
    assert cards["Idle"].stale and cards["Idle"].days_in_stage == 9
    assert {planned.pk, late.pk, idle.pk} == {deal.pk for deal in column["cards"]}


def test_board_page_marks_the_cards(client, sales, stages, sales_manager, base):
    first = stages["Qualification"]
    first.max_days = 2
    first.save()
    DealFactory(pipeline=sales, title="Idle", stage_entered_at=timezone.now() - datetime.timedelta(days=5))
    client.force_login(sales_manager)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert 'data-next-activity="none"' in html and "No next activity" in html
    assert "5 days in stage" in html and "is-stale" in html
    assert "max. 2 days" in html


def test_weighted_forecast_per_column_and_for_the_board(client, sales, stages, sales_manager, base):
    proposal = stages["Proposal"]  # default probability 50 %? read it, do not assume it
    DealFactory(pipeline=sales, stage=proposal, amount=Decimal("1000.00"))
    DealFactory(pipeline=sales, stage=proposal, amount=Decimal("333.33"))
    columns = queries.board_columns(Deal.objects.all(), sales)
    column = next(c for c in columns if c["stage"] == proposal)
    expected = (Decimal("1333.33") * proposal.probability / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert column["weighted"] == expected
    assert queries.board_weighted(columns) == expected
    client.force_login(sales_manager)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert f'data-column-weighted="{expected}"' in html and f'data-board-weighted="{expected}"' in html


def test_board_queries_do_not_grow_with_the_deals(client, sales, stages, sales_manager, base):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("crm:deal-board")).status_code == 200
        return len(captured)

    client.force_login(sales_manager)
    for stage in list(stages.values())[:3]:
        deal = DealFactory(pipeline=sales, stage=stage)
        TaskFactory(deal=deal)
    count_queries()  # the first request fills the caches (permissions, module switches)
    few = count_queries()
    for stage in list(stages.values())[:3]:
        for _ in range(6):
            deal = DealFactory(pipeline=sales, stage=stage, source=SourceFactory())
            TaskFactory(deal=deal)
            Interaction.objects.create(client=deal.client, deal=deal, kind=Interaction.Kind.CALL_OUT,
                                       occurred_at=timezone.now() + datetime.timedelta(days=1),
                                       created_by=sales_manager)
    assert count_queries() == few


def test_stage_limit_is_set_in_the_pipeline_settings(client, stages, sales_manager, sales_rep):
    stage = stages["Proposal"]
    client.force_login(sales_manager)
    response = client.post(reverse("crm:pipeline-list"),
                           {"action": "stage_limits", "stage": stage.pk, "probability": 40, "max_days": 14})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert (stage.probability, stage.max_days) == (40, 14)
    html = client.get(reverse("crm:pipeline-list")).content.decode()
    assert 'name="max_days" min="1" max="3650" value="14"' in html
    # Empty clears the limit; nonsense is refused on the page, nothing changed.
    client.post(reverse("crm:pipeline-list"), {"action": "stage_limits", "stage": stage.pk, "probability": 40,
                                               "max_days": ""})
    stage.refresh_from_db()
    assert stage.max_days is None
    response = client.post(reverse("crm:pipeline-list"), {"action": "stage_limits", "stage": stage.pk,
                                                          "probability": 40, "max_days": "0"}, follow=True)
    stage.refresh_from_db()
    assert stage.max_days is None and "greater than or equal to 1" in response.content.decode()
    # A representative reads the settings but may not change them.
    client.force_login(sales_rep)
    response = client.post(reverse("crm:pipeline-list"),
                           {"action": "stage_limits", "stage": stage.pk, "probability": 90, "max_days": 1})
    assert response.status_code == 403


def test_update_stage_refuses_out_of_range_values(stages, sales_manager):
    with pytest.raises(BusinessRuleError) as refused:
        services.update_stage(stages["Proposal"], by=sales_manager, probability=50, max_days=0)
    assert refused.value.field == "max_days"


# --- Deal page ----------------------------------------------------------------------------------------

def test_deal_page_links_the_client_and_orders_the_buttons(client, deal, sales_rep):
    client.force_login(sales_rep)
    html = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert f'href="{reverse("parties:client-detail", args=[deal.client_id])}" data-client-link' in html
    actions = html[html.index('class="toolbar deal-actions"'):html.index("</details>", html.index("deal-actions"))]
    order = [actions.index(f'data-action="{name}"') for name in ("win", "edit", "task", "lose")]
    assert order == sorted(order)  # primary first, destructive last


def test_deal_feed_merges_tasks_interactions_and_stages_newest_first(client, deal, stages, sales_rep):
    now = timezone.now()
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    TaskFactory(deal=deal, assignee=sales_rep, title="Prepare offer", due_at=now + datetime.timedelta(days=2))
    interaction_services.log_interaction(by=sales_rep, client=deal.client, deal=deal, kind=Interaction.Kind.NOTE,
                                         text="Budget approved", occurred_at=now - datetime.timedelta(hours=1))
    feed = queries.deal_feed(sales_rep, deal)
    assert [item.type for item in feed] == ["task", "stage", "stage", "note"]
    client.force_login(sales_rep)
    html = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert html.index("Prepare offer") < html.index("Entered “Needs analysis”") < html.index("Budget approved")
    assert 'class="feed-icon feed-icon-note"' in html


def test_quick_add_task_and_interaction_from_the_deal_page(client, deal, sales_rep):
    client.force_login(sales_rep)
    response = client.post(reverse("crm:deal-task-add", args=[deal.pk]),
                           {"title": "Call the CFO", "due_at": "2030-01-10T10:00", "priority": "high"}, headers=HTMX)
    assert response.status_code == 200 and "Call the CFO" in response.content.decode()
    task = Task.objects.get(title="Call the CFO")
    assert (task.deal, task.client, task.assignee) == (deal, deal.client, sales_rep)

    response = client.post(reverse("crm:deal-interaction-add", args=[deal.pk]), {
        "log-kind": "meeting", "log-occurred_at": "2030-01-05T09:30", "log-duration_minutes": "60",
        "log-place": "Their office, Hamburg", "log-attendees": "CFO, buyer", "log-subject": "Kick-off"},
        headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Kick-off" in html and "Their office, Hamburg" in html
    meeting = Interaction.objects.get(subject="Kick-off")
    assert (meeting.deal, meeting.client, meeting.place, meeting.attendees) == (
        deal, deal.client, "Their office, Hamburg", "CFO, buyer")

    # A note with a duration is refused on the form (400, swapped in), nothing written.
    response = client.post(reverse("crm:deal-interaction-add", args=[deal.pk]),
                           {"log-kind": "note", "log-text": "x", "log-duration_minutes": "5"}, headers=HTMX)
    assert response.status_code == 400 and "Only calls and meetings have a duration." in response.content.decode()
    assert not Interaction.objects.filter(kind="note").exists()
    # Without JavaScript: back to the deal page with the message.
    response = client.post(reverse("crm:deal-task-add", args=[deal.pk]), {"title": "", "due_at": ""})
    assert response.status_code == 302


def test_quick_add_needs_the_permissions(client, deal, viewer):
    client.force_login(viewer)
    assert client.post(reverse("crm:deal-task-add", args=[deal.pk]), {"title": "x"}).status_code == 403
    html = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert 'data-quick="task"' not in html and 'data-quick="interaction"' not in html


# --- Interactions by kind -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind, values, field", [
    ("call_out", {"place": "Office"}, "place"),
    ("email", {"subject": "Offer", "attendees": "Boss"}, "attendees"),
    ("note", {"text": "x", "outcome": "reached"}, "outcome"),
    ("note", {"text": "x", "duration_minutes": 3}, "duration_minutes"),
    ("sms", {"text": ""}, "text"),
    ("email", {}, "subject"),
])
def test_each_kind_has_its_own_fields(own_client, sales_rep, kind, values, field):
    with pytest.raises(BusinessRuleError) as refused:
        interaction_services.log_interaction(by=sales_rep, client=own_client, kind=kind, **values)
    assert refused.value.field == field


def test_interaction_form_marks_the_fields_of_each_kind(client, own_client, sales_rep):
    client.force_login(sales_rep)
    html = client.get(reverse("crm:interaction-create", args=[own_client.pk]), {"kind": "meeting"}).content.decode()
    assert 'data-kinds="meeting" data-field="place"' in html
    assert 'data-kinds="call_in call_out" data-field="outcome"' in html
    assert 'data-kinds="call_in call_out meeting" data-field="duration_minutes"' in html
    assert 'data-kind-switch' in html and '<option value="meeting" selected>' in html


# --- Client card --------------------------------------------------------------------------------------

def test_client_card_shows_deals_with_totals_open_tasks_and_buttons(client, own_client, sales_rep, sales, base):
    DealFactory(pipeline=sales, client=own_client, owner=sales_rep, title="Open one", amount=Decimal("100"))
    won = DealFactory(pipeline=sales, client=own_client, owner=sales_rep, title="Won one", amount=Decimal("250"))
    Deal.objects.filter(pk=won.pk).update(status=Deal.Status.WON)
    TaskFactory(client=own_client, assignee=sales_rep, title="Visit them")
    TaskFactory(client=own_client, assignee=sales_rep, title="Finished", status=Task.Status.DONE)
    TaskFactory(deal=won, assignee=sales_rep, title="Send the invoice")  # on the client's deal only
    TaskFactory(deal=DealFactory(pipeline=sales, owner=sales_rep), assignee=sales_rep, title="Other client task")
    client.force_login(sales_rep)
    html = client.get(reverse("parties:client-detail", args=[own_client.pk])).content.decode()
    assert "Open one" in html and "Won one" in html
    assert 'data-open-total><span class="base-total" data-base-total="100' in html
    assert 'data-won-total><span class="base-total" data-base-total="250' in html
    tasks = html[html.index('id="open-tasks"'):html.index("</section>", html.index('id="open-tasks"'))]
    assert "Visit them" in tasks and "Send the invoice" in tasks and "Finished" not in tasks
    assert "Other client task" not in tasks
    create = reverse("crm:interaction-create", args=[own_client.pk])
    for needle in (f'{reverse("crm:deal-create")}?client={own_client.pk}', f"{create}?kind=call_out",
                   f"{create}?kind=meeting", f"{create}?kind=sms", f"{create}?kind=email",
                   f'{reverse("crm:task-create")}?client={own_client.pk}'):
        assert needle in html
    assert html.count("<details class=\"card-section\"") >= 5  # folding sections, not one long page


def test_client_card_offers_no_new_work_for_an_archived_client(client, own_client, sales_rep):
    own_client.is_archived = True
    own_client.archived_at = timezone.now()
    own_client.save()
    client.force_login(sales_rep)
    html = client.get(reverse("parties:client-detail", args=[own_client.pk])).content.decode()
    assert 'data-action="deal"' not in html and 'data-action="meeting"' not in html


# --- Badges -------------------------------------------------------------------------------------------

def test_badges_are_coloured_by_meaning():
    assert tone("critical") == tone("overdue") == "badge-danger"
    assert tone("won") == "badge-success" and tone("lost") == "badge-negative"
    assert tone("low") == "badge-muted" and tone("something else") == "badge-neutral"


def test_complaint_list_shows_critical_and_overdue_badges(client, sales_manager, own_client):
    from tandem.crm.tests.factories_activity import ComplaintFactory

    ComplaintFactory(client=own_client, severity="critical", deadline=timezone.now() - datetime.timedelta(days=1),
                     assignee=sales_manager)
    client.force_login(sales_manager)
    html = client.get(reverse("crm:complaint-list")).content.decode()
    assert '<span class="badge badge-danger" data-value="critical">' in html
    assert '<span class="badge badge-danger" data-value="overdue">' in html
