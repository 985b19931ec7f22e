"""History and timelines respect the record rules: a representative who gets 404 on a colleague's deal or
task does not read its title, owner, amount, stage moves, assignee or due date in the client's history (API and
card) or the CRM timeline. A manager, who may see every deal, still does."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.crm.services import deals as deal_services
from tandem.crm.services import tasks as task_services
from tandem.crm.services.interactions import log_interaction

SECRET_WORDS = ("Secret turbine deal", "Call the turbine CFO", "987654")


@pytest.fixture
def colleague_work(sales, stages, sales_rep, sales_manager, own_client):
    """On the representative's own client, the manager opens a deal of their own, moves it, and plans a task
    assigned to themself."""
    deal = deal_services.create_deal(by=sales_manager, client=own_client, title="Secret turbine deal",
                                     owner=sales_manager, amount=Decimal("987654"), currency="EUR")
    deal_services.update_deal(deal, by=sales_manager, amount=Decimal("987654.00"))
    next_stage = sorted(stages.values(), key=lambda s: s.position)[1]
    deal_services.move_deal_to_stage(deal, next_stage, by=sales_manager)
    due = timezone.now() + datetime.timedelta(days=3)
    task = task_services.create_task(by=sales_manager, title="Call the turbine CFO", due_at=due,
                                     assignee=sales_manager, client=own_client, deal=deal)
    task_services.update_task(task, by=sales_manager, title="Call the turbine CFO")
    return deal, task


def _leaks(text: str) -> list[str]:
    return [word for word in SECRET_WORDS if word in text]


def test_representative_gets_404_on_the_deal_and_task_themselves(client, sales_rep, colleague_work):
    deal, task = colleague_work
    client.force_login(sales_rep)
    assert client.get(reverse("crm:deal-detail", args=[deal.pk])).status_code == 404


def test_client_history_api_hides_a_colleagues_deal_and_task(api, sales_rep, sales_manager, own_client,
                                                             colleague_work):
    body = api(sales_rep).get(f"/api/v1/clients/{own_client.pk}/history").content.decode()
    assert _leaks(body) == []
    # The manager sees them (team visibility).
    manager_body = api(sales_manager).get(f"/api/v1/clients/{own_client.pk}/history").content.decode()
    assert "Secret turbine deal" in manager_body


def test_client_card_history_and_timeline_hide_a_colleagues_deal_and_task(client, sales_rep, own_client,
                                                                          colleague_work):
    client.force_login(sales_rep)
    card = client.get(reverse("parties:client-detail", args=[own_client.pk])).content.decode()
    assert _leaks(card) == []
    timeline = client.get(reverse("crm:client-timeline", args=[own_client.pk])).content.decode()
    assert _leaks(timeline) == []
    api_timeline = client.get(f"/api/v1/clients/{own_client.pk}/timeline").content.decode()
    assert _leaks(api_timeline) == []


def test_own_changes_stay_in_the_history(api, sales_rep, own_client, colleague_work):
    deal_services.create_deal(by=sales_rep, client=own_client, title="Rep's pump deal")
    body = api(sales_rep).get(f"/api/v1/clients/{own_client.pk}/history").content.decode()
    assert "Rep's pump deal" in body


def test_an_interaction_linked_to_a_colleagues_deal_does_not_name_it(client, sales_rep, sales_manager, own_client,
                                                                     colleague_work):
    deal, _task = colleague_work
    log_interaction(by=sales_manager, client=own_client, kind="note", text="Visited the plant", deal=deal)
    client.force_login(sales_rep)
    timeline = client.get(reverse("crm:client-timeline", args=[own_client.pk])).content.decode()
    assert "Visited the plant" in timeline
    assert _leaks(timeline) == []
