"""REST API side of the board work: deals filtered by source and client tag, stage limits on pipelines,
interactions with the fields of their kind (a meeting's place and attendees), the board itself (columns,
totals in the base currency, weighted forecast, cards with their next activity and marks) and a deal's
interactions and activity feed."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core import exchange_rates
from tandem.core.services import default_legal_entity
from tandem.crm.models import Deal, Interaction
from tandem.crm.queries import deals as queries
from tandem.crm.services import deals as services
from tandem.crm.services import interactions as interaction_services
from tandem.crm.tests.factories import DealFactory, PipelineFactory
from tandem.crm.tests.factories_planning import TaskFactory
from tandem.parties.models import Tag
from tandem.parties.tests.factories import SourceFactory

BASE = "/api/v1/crm"
JSON = "application/json"


def test_deals_filter_by_source_and_tag(api, sales, sales_manager):
    web = SourceFactory(name="Website")
    tagged = DealFactory(pipeline=sales, source=web, title="Tagged web")
    tagged.client.tags.add(Tag.objects.create(name="VIP"))
    DealFactory(pipeline=sales, source=web, title="Plain web")
    DealFactory(pipeline=sales, title="No source")
    http = api(sales_manager)
    titles = {d["title"] for d in http.get(f"{BASE}/deals", {"source_id": web.pk}).json()["items"]}
    assert titles == {"Tagged web", "Plain web"}
    titles = {d["title"] for d in http.get(f"{BASE}/deals", {"tag": "vip"}).json()["items"]}
    assert titles == {"Tagged web"}


def test_pipeline_stages_carry_their_day_limit(api, sales_manager):
    http = api(sales_manager)
    response = http.post(f"{BASE}/pipelines", {"name": "Projects", "stages": [
        {"name": "Offer", "probability": 30, "max_days": 10}, {"name": "Contract", "probability": 80}]},
        content_type=JSON)
    assert response.status_code == 201, response.json()
    stages = response.json()["stages"]
    assert [(s["name"], s["max_days"]) for s in stages] == [("Offer", 10), ("Contract", None)]
    refused = http.post(f"{BASE}/pipelines", {"name": "Bad", "stages": [{"name": "X", "max_days": 0}]},
                        content_type=JSON)
    assert refused.status_code in (400, 422) and refused.json()["field"].endswith("max_days")


def test_meeting_place_and_attendees_and_refusals_by_kind(api, sales_rep, own_client):
    http = api(sales_rep)
    response = http.post(f"{BASE}/interactions", {
        "client_id": own_client.pk, "kind": "meeting", "occurred_at": "2030-03-01T10:00:00Z",
        "duration_minutes": 90, "place": "Plant 2", "attendees": "Head of purchasing"}, content_type=JSON)
    assert response.status_code == 201, response.json()
    assert (response.json()["place"], response.json()["attendees"]) == ("Plant 2", "Head of purchasing")
    refused = http.post(f"{BASE}/interactions", {"client_id": own_client.pk, "kind": "call_out",
                                                 "place": "Plant 2"}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["field"] == "place"
    url = f"{BASE}/interactions/{response.json()['id']}"
    refused = http.patch(url, {"kind": "note", "text": "x"}, content_type=JSON)  # a note has no place
    assert refused.status_code == 400
    assert Interaction.objects.get().kind == "meeting"


def test_a_stage_day_limit_and_probability_change_through_the_api(api, stages, sales_manager, sales_rep):
    from tandem.core.models import AuditEntry

    stage = stages["Proposal"]
    url = f"{BASE}/stages/{stage.pk}"
    assert api(sales_rep).patch(url, {"max_days": 5}, content_type=JSON).status_code == 403
    http = api(sales_manager)
    response = http.patch(url, {"max_days": 14}, content_type=JSON)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["max_days"], body["probability"]) == (stage.pk, 14, stage.probability)
    stage.refresh_from_db()
    assert stage.max_days == 14
    assert AuditEntry.objects.filter(action="crm.stage.updated").exists()
    response = http.patch(url, {"probability": 55}, content_type=JSON)  # the limit stays
    assert (response.json()["probability"], response.json()["max_days"]) == (55, 14)
    response = http.patch(url, {"max_days": None}, content_type=JSON)  # null removes it
    assert response.status_code == 200 and response.json()["max_days"] is None
    for bad in ({"max_days": 0}, {"max_days": 3651}, {"probability": 101}, {"probability": None},
                {"max_days": "soon"}):
        refused = http.patch(url, bad, content_type=JSON)
        assert refused.status_code in (400, 422), bad
        assert refused.json()["field"].endswith(next(iter(bad))), refused.json()
    stage.refresh_from_db()
    assert (stage.probability, stage.max_days) == (55, None)
    assert http.patch(f"{BASE}/stages/999999", {"max_days": 3}, content_type=JSON).status_code == 404


# --- The board: GET /crm/deals/board ------------------------------------------------------------------

@pytest.fixture
def usd_rate(admin_user):
    default_legal_entity()  # EUR, from the company settings
    exchange_rates.create_exchange_rate(by=admin_user, date=timezone.localdate() - datetime.timedelta(days=3),
                                        quote_currency="USD", rate="1.25")


def _column(body: dict, stage) -> dict:
    return next(column for column in body["columns"] if column["stage"]["id"] == stage.pk)


def test_board_columns_add_up_in_the_base_currency_like_the_page(client, api, sales, stages, sales_manager,
                                                                  usd_rate):
    proposal, first = stages["Proposal"], stages["Qualification"]
    DealFactory(pipeline=sales, stage=proposal, amount=Decimal("100.00"), currency="EUR")
    DealFactory(pipeline=sales, stage=proposal, amount=Decimal("333.33"), currency="EUR")
    DealFactory(pipeline=sales, stage=proposal, amount=Decimal("50.00"), currency="USD")
    DealFactory(pipeline=sales, stage=first, amount=Decimal("7000"), currency="JPY")  # no rate
    DealFactory(pipeline=sales, stage=first, amount=Decimal("10.01"), currency="EUR")
    DealFactory(pipeline=sales, stage=first, status=Deal.Status.WON, amount=Decimal("999.00"))  # not open

    body = api(sales_manager).get(f"{BASE}/deals/board").json()
    assert body["pipeline"] == {"id": sales.pk, "name": sales.name}
    assert [column["stage"]["id"] for column in body["columns"]] == [
        s.pk for s in sales.stages.order_by("position")]
    column = _column(body, proposal)
    assert column["stage"] == {"id": proposal.pk, "name": proposal.name, "probability": proposal.probability,
                               "max_days": proposal.max_days}
    assert column["count"] == 3 and len(column["cards"]) == 3 and column["more"] == 0
    assert column["totals"] == [{"currency": "EUR", "amount": "433.33"}, {"currency": "USD", "amount": "50.00"}]
    assert column["base_total"] == {"currency": "EUR", "amount": "473.33", "date": timezone.localdate().isoformat(),
                                    "missing": []}  # 433.33 EUR + 50 USD / 1.25
    expected = (Decimal("473.33") * proposal.probability / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert column["weighted"] == str(expected)
    flagged = _column(body, first)
    assert flagged["count"] == 2 and flagged["base_total"]["amount"] == "10.01"
    assert flagged["base_total"]["missing"] == ["JPY"]
    assert body["total"]["missing"] == ["JPY"]

    # The same numbers, to the cent, as the board page and the query it reads.
    columns = queries.board_columns(Deal.objects.all(), sales)
    for page_column in columns:
        answered = _column(body, page_column["stage"])
        assert Decimal(answered["base_total"]["amount"]) == page_column["base_total"].amount
        assert Decimal(answered["weighted"]) == page_column["weighted"]
    assert Decimal(body["total"]["amount"]) == queries.board_total(columns).amount
    assert Decimal(body["weighted"]) == queries.board_weighted(columns)
    client.force_login(sales_manager)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert f'data-base-total="{column["base_total"]["amount"]}"' in html
    assert f'data-column-weighted="{column["weighted"]}"' in html
    assert f'data-board-weighted="{body["weighted"]}"' in html
    assert f'data-base-total="{body["total"]["amount"]}"' in html


def test_board_filters_by_owner_mine_source_and_tag(api, sales, sales_manager, sales_rep, usd_rate):
    web, fair = SourceFactory(name="Website"), SourceFactory(name="Fair")
    mine = DealFactory(pipeline=sales, owner=sales_manager, title="Manager web deal", source=web)
    mine.client.tags.add(Tag.objects.create(name="VIP"))
    DealFactory(pipeline=sales, owner=sales_manager, title="Manager fair deal", source=fair)
    DealFactory(pipeline=sales, owner=sales_rep, title="Rep web deal", source=web)
    http = api(sales_manager)

    def titles(**params):
        body = http.get(f"{BASE}/deals/board", params)
        assert body.status_code == 200, body.json()
        return {card["title"] for column in body.json()["columns"] for card in column["cards"]}

    assert titles() == {"Manager web deal", "Manager fair deal", "Rep web deal"}
    assert titles(mine="true") == {"Manager web deal", "Manager fair deal"}
    assert titles(owner_id=sales_rep.pk) == {"Rep web deal"}
    assert titles(mine="true", owner_id=sales_rep.pk) == set()
    assert titles(source_id=web.pk) == {"Manager web deal", "Rep web deal"}
    assert titles(tag="vip") == {"Manager web deal"}
    assert titles(mine="true", source_id=web.pk) == {"Manager web deal"}
    counts = http.get(f"{BASE}/deals/board", {"source_id": web.pk}).json()["columns"][0]["count"]
    assert counts == 2  # counts and totals follow the filters


def test_board_cards_carry_the_next_activity_and_the_marks(api, sales, stages, sales_manager, usd_rate):
    now = timezone.now()
    first = stages["Qualification"]
    first.max_days = 7
    first.save()
    planned = DealFactory(pipeline=sales, title="Planned", amount=Decimal("200.00"))
    TaskFactory(deal=planned, title="Send offer", due_at=now + datetime.timedelta(days=3))
    Interaction.objects.create(client=planned.client, deal=planned, kind=Interaction.Kind.MEETING,
                               occurred_at=now + datetime.timedelta(days=1), created_by=sales_manager)
    late = DealFactory(pipeline=sales, title="Late")
    TaskFactory(deal=late, title="Call back", due_at=now - datetime.timedelta(hours=5))
    DealFactory(pipeline=sales, title="Idle", stage_entered_at=now - datetime.timedelta(days=9))

    column = api(sales_manager).get(f"{BASE}/deals/board").json()["columns"][0]
    cards = {card["title"]: card for card in column["cards"]}
    card = cards["Planned"]
    assert card["next_activity"]["kind"] == "meeting" and card["next_activity"]["overdue"] is False
    assert (card["no_next_activity"], card["overdue"], card["stale"], card["days_in_stage"]) == (
        False, False, False, 0)
    assert card["amount"] == "200.00" and card["currency"] == "EUR"
    expected = (Decimal("200.00") * first.probability / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert card["weighted_amount"] == str(expected)
    assert card["client"] == {"id": planned.client_id, "name": planned.client.name}
    assert card["owner"]["id"] == planned.owner_id
    late_card = cards["Late"]
    assert late_card["next_activity"]["kind"] == "task" and late_card["next_activity"]["title"] == "Call back"
    assert late_card["overdue"] is True and late_card["next_activity"]["overdue"] is True
    idle = cards["Idle"]
    assert idle["next_activity"] is None and idle["no_next_activity"] is True and idle["overdue"] is False
    assert idle["stale"] is True and idle["days_in_stage"] == 9
    assert idle["amount"] is None and idle["weighted_amount"] is None
    assert column["stage"]["max_days"] == 7


def test_a_representative_sees_only_his_deals_on_the_board(api, sales, sales_rep, sales_manager, usd_rate):
    DealFactory(pipeline=sales, owner=sales_rep, title="Mine", amount=Decimal("10.00"))
    DealFactory(pipeline=sales, owner=sales_manager, title="The manager's", amount=Decimal("1000.00"))
    http = api(sales_rep)
    body = http.get(f"{BASE}/deals/board").json()
    assert [card["title"] for column in body["columns"] for card in column["cards"]] == ["Mine"]
    assert body["columns"][0]["count"] == 1 and body["total"]["amount"] == "10.00"
    body = http.get(f"{BASE}/deals/board", {"owner_id": sales_manager.pk}).json()
    assert sum(column["count"] for column in body["columns"]) == 0


def test_a_column_pages_through_its_cards(api, sales, stages, sales_manager, usd_rate):
    stage = stages["Proposal"]
    deals = [DealFactory(pipeline=sales, stage=stage) for _ in range(queries.CARDS_PER_COLUMN + 5)]
    http = api(sales_manager)
    column = _column(http.get(f"{BASE}/deals/board").json(), stage)
    assert (column["count"], len(column["cards"]), column["offset"], column["more"]) == (30, 25, 0, 5)
    rest = http.get(f"{BASE}/deals/board", {"stage_id": stage.pk, "offset": 25}).json()
    assert [c["stage"]["id"] for c in rest["columns"]] == [stage.pk]
    column2 = rest["columns"][0]
    assert (column2["count"], len(column2["cards"]), column2["offset"], column2["more"]) == (30, 5, 25, 0)
    seen = [card["id"] for card in column["cards"] + column2["cards"]]
    assert sorted(seen) == sorted(deal.pk for deal in deals) and len(set(seen)) == 30
    # Newest first, as on the page.
    assert seen == [deal.pk for deal in Deal.objects.filter(stage=stage).order_by("-created_at", "-id")]
    past = http.get(f"{BASE}/deals/board", {"stage_id": stage.pk, "offset": 40}).json()["columns"][0]
    assert (past["cards"], past["more"], past["count"]) == ([], 0, 30)
    # The stage must be one of the pipeline's; the offset has a range.
    other = PipelineFactory()
    refused = http.get(f"{BASE}/deals/board", {"pipeline": other.pk, "stage_id": stage.pk})
    assert refused.status_code == 400 and refused.json()["field"] == "stage_id"
    refused = http.get(f"{BASE}/deals/board", {"offset": -1})
    assert refused.status_code == 400 and refused.json()["field"].endswith("offset")
    assert http.get(f"{BASE}/deals/board", {"pipeline": 999999}).json()["field"] == "pipeline"
    assert http.get(f"{BASE}/deals/board", {"stage_id": 999999}).status_code == 400


def test_the_board_reads_a_fixed_number_of_queries(api, sales, stages, sales_manager, usd_rate):
    http = api(sales_manager)

    def count_queries(params=None):
        with CaptureQueriesContext(connection) as captured:
            assert http.get(f"{BASE}/deals/board", params or {}).status_code == 200
        return sum(1 for q in captured if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")))

    for stage in list(stages.values())[:3]:  # the same stages and currencies (a rate is read per currency)
        TaskFactory(deal=DealFactory(pipeline=sales, stage=stage, currency="USD", amount=Decimal("1.00")))
    count_queries()  # warm the caches (permissions, module switches)
    few, few_column = count_queries(), count_queries({"stage_id": stages["Proposal"].pk})
    for stage in list(stages.values())[:3]:
        for _ in range(8):
            deal = DealFactory(pipeline=sales, stage=stage, source=SourceFactory(), currency="USD",
                               amount=Decimal("5.00"))
            TaskFactory(deal=deal)
            Interaction.objects.create(client=deal.client, deal=deal, kind=Interaction.Kind.CALL_OUT,
                                       occurred_at=timezone.now() + datetime.timedelta(days=1),
                                       created_by=sales_manager)
    assert count_queries() == few
    assert count_queries({"stage_id": stages["Proposal"].pk}) == few_column


def test_a_deal_answers_what_its_card_shows(api, deal, stages, sales_rep):
    TaskFactory(deal=deal, assignee=sales_rep, title="Call", due_at=timezone.now() - datetime.timedelta(hours=1))
    body = api(sales_rep).get(f"{BASE}/deals/{deal.pk}").json()
    assert body["next_activity"]["title"] == "Call" and body["overdue"] is True
    assert (body["no_next_activity"], body["stale"], body["days_in_stage"], body["weighted_amount"]) == (
        False, False, 0, None)


# --- A deal's interactions and activity feed ----------------------------------------------------------

def test_interactions_list_by_deal(api, deal, sales_rep):
    other = services.create_deal(by=sales_rep, client=deal.client, title="Second")
    for about, text in ((deal, "first"), (deal, "second"), (other, "third"), (None, "fourth")):
        interaction_services.log_interaction(by=sales_rep, client=deal.client, deal=about,
                                             kind=Interaction.Kind.NOTE, text=text)
    http = api(sales_rep)
    items = http.get(f"{BASE}/interactions", {"deal_id": deal.pk}).json()["items"]
    assert sorted(item["text"] for item in items) == ["first", "second"]
    assert {item["deal_id"] for item in items} == {deal.pk}
    assert http.get(f"{BASE}/interactions", {"deal_id": other.pk}).json()["count"] == 1
    assert http.get(f"{BASE}/interactions", {"deal_id": "x"}).status_code == 400


def test_deal_activity_merges_tasks_interactions_and_stages_newest_first(api, deal, stages, sales_rep,
                                                                        sales_manager):
    now = timezone.now()
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    task = TaskFactory(deal=deal, assignee=sales_rep, title="Prepare offer", due_at=now + datetime.timedelta(days=2))
    late = TaskFactory(deal=deal, assignee=sales_rep, title="Chase", due_at=now - datetime.timedelta(days=2))
    note = interaction_services.log_interaction(by=sales_rep, client=deal.client, deal=deal,
                                                kind=Interaction.Kind.NOTE, text="Budget approved",
                                                occurred_at=now - datetime.timedelta(hours=1))
    http = api(sales_rep)
    response = http.get(f"{BASE}/deals/{deal.pk}/activity")
    assert response.status_code == 200, response.json()
    items = response.json()
    assert [item["kind"] for item in items] == ["task", "stage", "stage", "note", "task"]
    assert [item["kind"] for item in items] == [item.type for item in queries.deal_feed(sales_rep, deal)]
    ats = [datetime.datetime.fromisoformat(item["at"]) for item in items]
    assert ats == sorted(ats, reverse=True)
    first = items[0]
    assert (first["object_id"], first["title"], first["status"], first["overdue"]) == (
        task.pk, "Prepare offer", "open", False)
    assert first["actor"] == {"id": sales_rep.pk, "name": sales_rep.display_name}
    assert items[-1]["object_id"] == late.pk and items[-1]["overdue"] is True
    entered = items[1]
    assert entered["title"] == "Entered “Needs analysis”" and entered["left_at"] is None
    assert entered["stage"] == {"id": stages["Needs analysis"].pk, "name": "Needs analysis"}
    assert items[2]["left_at"] is not None
    logged = items[3]
    assert (logged["object_id"], logged["text"], logged["kind_label"]) == (note.pk, "Budget approved",
                                                                          note.get_kind_display())
    assert len(http.get(f"{BASE}/deals/{deal.pk}/activity", {"limit": 2}).json()) == 2
    assert http.get(f"{BASE}/deals/{deal.pk}/activity", {"limit": 0}).status_code == 400
    # Another representative's deal does not exist for this one.
    theirs = DealFactory(owner=sales_manager)
    assert http.get(f"{BASE}/deals/{theirs.pk}/activity").status_code == 404
