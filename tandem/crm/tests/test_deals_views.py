"""Deal pages: board, list, detail, move refusals, checklist, win/lose, set-up, report, record rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core import roles
from tandem.crm.models import Deal, LostReason
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import DealFactory
from tandem.parties.tests.factories import ClientFactory


@pytest.fixture
def rep(client, sales_rep):
    client.force_login(sales_rep)
    return client


def test_board_shows_columns_cards_and_totals(rep, deal, stages, sales_rep):
    services.update_deal(deal, by=sales_rep, amount="1200.50")
    response = rep.get(reverse("crm:deal-board"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pumps for Acme" in html and "Needs analysis" in html
    assert "€1,200.50" in html and reverse("crm:deal-detail", args=[deal.pk]) in html
    assert "vendor/sortable/Sortable.min.js" in html and "crm/board.js" in html


def test_board_query_count_is_constant(client, sales_manager, sales):
    client.force_login(sales_manager)
    for _ in range(3):
        DealFactory(pipeline=sales)
    client.get(reverse("crm:deal-board"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("crm:deal-board"))
    for _ in range(10):
        DealFactory(pipeline=sales)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("crm:deal-board"))
    assert len(many) == len(few)


def test_board_limits_cards_and_links_the_rest(client, sales_manager, sales, monkeypatch):
    from tandem.crm.queries import deals as deal_queries

    monkeypatch.setattr(deal_queries, "CARDS_PER_COLUMN", 2)
    monkeypatch.setattr(deal_queries.board_columns, "__defaults__", (2,))
    client.force_login(sales_manager)
    for _ in range(5):
        DealFactory(pipeline=sales)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert html.count('class="deal-card"') == 2
    assert "3 more" in html


def test_move_refusal_is_text_for_the_board_and_a_message_on_the_page(rep, deal, stages):
    url = reverse("crm:deal-move", args=[deal.pk])
    response = rep.post(url, {"stage_id": stages["Proposal"].pk}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409 and "Needs identified" in response.content.decode()
    response = rep.post(url, {"stage_id": stages["Proposal"].pk}, follow=True)
    assert "Needs identified" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).stage == stages["Qualification"]
    response = rep.post(url, {"stage_id": stages["Needs analysis"].pk}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and 'id="board"' in response.content.decode()


def test_detail_checklist_tick_then_move(rep, deal, stages):
    rep.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": stages["Needs analysis"].pk})
    html = rep.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "Needs identified" in html and "Stage history" in html
    rule = stages["Needs analysis"].rules.get()
    response = rep.post(reverse("crm:deal-checklist", args=[deal.pk]), {"rule_id": rule.pk, "done": "on"},
                        headers={"HX-Request": "true"})
    assert response.status_code == 200 and "checked" in response.content.decode()
    rep.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": stages["Proposal"].pk})
    assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]


def test_lose_without_reason_is_refused_then_lost_then_reopened(rep, deal):
    rep.post(reverse("crm:deal-lose", args=[deal.pk]), {"lost_reason": ""})
    assert Deal.objects.get(pk=deal.pk).status == "open"
    rep.post(reverse("crm:deal-lose", args=[deal.pk]), {"lost_reason": LostReason.objects.first().pk})
    assert Deal.objects.get(pk=deal.pk).status == "lost"
    rep.post(reverse("crm:deal-reopen", args=[deal.pk]))
    rep.post(reverse("crm:deal-win", args=[deal.pk]))
    assert Deal.objects.get(pk=deal.pk).status == "won"


def test_create_edit_and_list(rep, sales, sales_rep):
    client = ClientFactory(owner=sales_rep)
    response = rep.post(reverse("crm:deal-create"), {"title": "Valves", "client": client.pk, "currency": "EUR"})
    deal = Deal.objects.get(title="Valves")
    assert response.status_code == 302 and deal.owner == sales_rep
    rep.post(reverse("crm:deal-edit", args=[deal.pk]), {"title": "Valves XL", "client": client.pk,
                                                        "amount": "20", "currency": "EUR"})
    assert str(Deal.objects.get(pk=deal.pk).amount) == "20.0000"
    html = rep.get(reverse("crm:deal-list"), {"q": "XL"}).content.decode()
    assert "Valves XL" in html


def test_representative_gets_404_for_others_deals(rep, sales, stages, make_user):
    foreign = DealFactory(owner=make_user(roles.SALES_REPRESENTATIVE, username="rep2"), pipeline=sales,
                          title="Secret deal")
    assert rep.get(reverse("crm:deal-detail", args=[foreign.pk])).status_code == 404
    assert rep.post(reverse("crm:deal-move", args=[foreign.pk]),
                    {"stage_id": stages["Needs analysis"].pk}).status_code == 404
    assert "Secret deal" not in rep.get(reverse("crm:deal-board")).content.decode()
    assert "Secret deal" not in rep.get(reverse("crm:deal-list")).content.decode()


def test_pipeline_setup_and_report_pages(client, sales_manager, db):
    client.force_login(sales_manager)
    client.post(reverse("crm:pipeline-list"), {"action": "default"})
    html = client.get(reverse("crm:pipeline-list")).content.decode()
    assert "Needs analysis" in html and "Offer sent" in html
    client.post(reverse("crm:pipeline-list"), {"action": "lost_reason", "lost_reason-name": "Went silent"})
    assert LostReason.objects.filter(name="Went silent").exists()
    response = client.get(reverse("crm:report-lost-at-stage"))
    assert response.status_code == 200 and "Qualification" in response.content.decode()


def test_representative_cannot_set_up(rep, sales):
    assert rep.post(reverse("crm:pipeline-list"), {"action": "lost_reason", "lost_reason-name": "X"}).status_code == 403
