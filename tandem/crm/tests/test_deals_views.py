"""Deal pages: board, list, detail, move refusals, checklist, win/lose, set-up, report, record rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core import roles
from tandem.crm.models import Deal, LostReason, Pipeline
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
    """A column shows its CARDS_PER_COLUMN newest cards, its exact count, and "N more", which links to the
    deal list of the stage and loads the next cards into the column (htmx), in the board's order."""
    from tandem.crm.queries import deals as deal_queries

    monkeypatch.setattr(deal_queries, "CARDS_PER_COLUMN", 2)
    monkeypatch.setattr(deal_queries.board_columns, "__defaults__", (2,))
    monkeypatch.setattr(deal_queries.board_cards, "__kwdefaults__", {"offset": 0, "limit": 2, "now": None})
    client.force_login(sales_manager)
    deals = [DealFactory(pipeline=sales, title=f"Deal {n}", amount=10) for n in range(5)]
    stage = deals[0].stage
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert html.count('<li class="deal-card') == 2
    assert "Deal 4" in html and "Deal 3" in html and "Deal 2" not in html  # the newest first
    assert '<span class="badge" data-column-count title="Open deals">5</span>' in html  # the exact count
    assert "€50.00" in html  # and the exact sum
    more_url = reverse("crm:deal-board-more", args=[stage.pk])
    assert "3 more" in html and f'hx-get="{more_url}?pipeline={sales.pk}&amp;offset=2"' in html
    assert f'href="{reverse("crm:deal-list")}?pipeline={sales.pk}&amp;stage={stage.pk}&amp;status=open"' in html

    # "3 more" loads the next two, each one movable (its move URL), and replaces itself with "1 more".
    response = client.get(more_url, {"pipeline": sales.pk, "offset": 2}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<li class="deal-card') == 2 and "Deal 2" in html and "Deal 1" in html
    assert f'data-move-url="{reverse("crm:deal-move", args=[deals[2].pk])}"' in html
    assert "1 more" in html and 'hx-swap-oob="true"' in html and "offset=4" in html
    # The last one: the link goes away.
    html = client.get(more_url, {"pipeline": sales.pk, "offset": 4}).content.decode()
    assert html.count('<li class="deal-card') == 1 and "Deal 0" in html
    assert f'<span id="column-more-{stage.pk}" hx-swap-oob="true" hidden></span>' in html
    # Nonsense offsets start from the top; a stage that does not exist is a 404.
    html = client.get(more_url, {"offset": "x"}).content.decode()
    assert "Deal 4" in html
    assert client.get(reverse("crm:deal-board-more", args=[999999])).status_code == 404


def test_board_more_keeps_the_filters_and_the_record_rules(client, sales_rep, sales_manager, sales, monkeypatch):
    from tandem.crm.queries import deals as deal_queries

    monkeypatch.setattr(deal_queries.board_cards, "__kwdefaults__", {"offset": 0, "limit": 2, "now": None})
    mine = [DealFactory(pipeline=sales, owner=sales_rep, title=f"Mine {n}") for n in range(3)]
    DealFactory(pipeline=sales, owner=sales_manager, title="Not mine")
    url = reverse("crm:deal-board-more", args=[mine[0].stage_id])
    client.force_login(sales_rep)  # a representative sees her own deals only
    html = client.get(url, {"offset": 0}).content.decode()
    assert "Not mine" not in html and "Mine 2" in html and "Mine 1" in html and "1 more" in html
    client.force_login(sales_manager)
    html = client.get(url, {"offset": 0, "owner": sales_rep.pk}).content.decode()
    assert "Not mine" not in html and "1 more" in html
    html = client.get(url, {"offset": 0}).content.decode()
    assert "Not mine" in html and "2 more" in html


def test_board_more_query_count_is_constant(client, sales_manager, sales):
    client.force_login(sales_manager)
    deals = [DealFactory(pipeline=sales) for _ in range(3)]
    url = reverse("crm:deal-board-more", args=[deals[0].stage_id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        DealFactory(pipeline=sales)
    with CaptureQueriesContext(connection) as many:
        assert 'class="deal-card' in client.get(url, {"offset": 1}).content.decode()
    assert len(many) == len(few)


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
    assert "Needs identified" in html and "Entered “Needs analysis”" in html  # the stage history, in the feed
    rule = stages["Needs analysis"].rules.get()
    response = rep.post(reverse("crm:deal-checklist", args=[deal.pk]), {"rule_id": rule.pk, "done": "on"},
                        headers={"HX-Request": "true"})
    assert response.status_code == 200 and "checked" in response.content.decode()
    rep.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": stages["Proposal"].pk})
    assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]


def test_lose_without_reason_is_refused_then_lost_then_reopened(rep, deal):
    Pipeline.objects.update(win_rules=Pipeline.WinRules.CURRENT)  # winning checks the deal's stage only
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
