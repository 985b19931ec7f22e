"""The home page's sales dashboard: a small story of two representatives checked to the cent, on the page,
in the API and through the lists each number links to. Amounts are added up in the base currency as the deal
board adds them; a currency without an exchange rate is flagged, not dropped silently."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core import exchange_rates, roles
from tandem.core.services import get_company
from tandem.crm.models import Deal, Interaction, Pipeline, Stage
from tandem.crm.queries.deals import board_columns, board_total, board_weighted
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.reports import dashboard as report
from tandem.crm.reports.dashboard import start_of
from tandem.crm.services import deals as deal_services
from tandem.crm.services import targets as target_services
from tandem.crm.tests.factories import DealFactory, PipelineFactory
from tandem.crm.tests.factories_planning import InteractionFactory, TaskFactory
from tandem.parties.tests.factories import ClientFactory


@pytest.fixture
def story(db, sales_manager, sales_rep, other_rep):
    """rep1 and rep2 (base currency EUR): open deals in two stages (20 % and 50 %), deals won this month and
    last month, a target for rep1; this week rep1 made 2 calls and a meeting, moved one deal twice, and has
    an overdue task."""
    company = get_company()
    company.base_currency = "EUR"
    company.save()
    p = report.periods()
    pipeline = PipelineFactory(stages=[])
    early = Stage.objects.create(pipeline=pipeline, name="Early", position=1, probability=20)
    late = Stage.objects.create(pipeline=pipeline, name="Late", position=2, probability=50)
    Stage.objects.create(pipeline=pipeline, name="Last", position=3, probability=80)
    rep1, rep2 = sales_rep, other_rep
    this_month = start_of(p.month) + datetime.timedelta(hours=1)
    last_month = start_of(p.last_month) + datetime.timedelta(days=1)

    def deal(owner, title, amount, currency="EUR", stage=early, **kw):
        return DealFactory(owner=owner, title=title, pipeline=pipeline, stage=stage, amount=Decimal(amount),
                           currency=currency, **kw)

    opened = deal(rep1, "Open early", "1000.00")
    deal(rep1, "Open late", "333.33", stage=late)
    deal(rep2, "Open dollars", "500.00", currency="USD", stage=late)
    won = {"status": Deal.Status.WON, "stage": late}
    deal(rep1, "Won A", "1200.50", closed_at=this_month, **won)
    deal(rep1, "Won B", "799.50", closed_at=this_month, **won)
    deal(rep1, "Won last month", "1500.00", closed_at=last_month, **won)
    deal(rep1, "Won long ago", "9999.00", closed_at=start_of(p.last_month) - datetime.timedelta(days=3), **won)
    deal(rep2, "Won by rep2", "300.00", closed_at=this_month, **won)
    deal(rep2, "Won by rep2 in dollars", "100.00", currency="USD", closed_at=this_month, **won)
    deal(rep2, "Lost by rep2", "700.00", status=Deal.Status.LOST, closed_at=this_month)
    target_services.set_target(rep1, p.month, "2500", by=sales_manager)
    # This week's activity of rep1.
    client = ClientFactory(owner=rep1)
    InteractionFactory(client=client, created_by=rep1, kind=Interaction.Kind.CALL_OUT)
    InteractionFactory(client=client, created_by=rep1, kind=Interaction.Kind.CALL_IN)
    InteractionFactory(client=client, created_by=rep1, kind=Interaction.Kind.MEETING)
    InteractionFactory(client=client, created_by=rep1, kind=Interaction.Kind.CALL_OUT,
                       occurred_at=start_of(p.week) - datetime.timedelta(hours=1))  # last week
    deal_services.move_deal_to_stage(opened, late, by=rep1)
    deal_services.move_deal_to_stage(Deal.objects.get(pk=opened.pk), early, by=rep1)
    created = deal_services.create_deal(by=rep1, client=client, title="Just created", pipeline=pipeline,
                                        amount=Decimal("0"))
    overdue = TaskFactory(assignee=rep1, title="Overdue call", due_at=p.now - datetime.timedelta(hours=3))
    TaskFactory(assignee=rep1, title="Later", due_at=p.now + datetime.timedelta(days=3))
    return {"rep1": rep1, "rep2": rep2, "periods": p, "moved": opened, "created": created, "overdue": overdue}


@pytest.fixture
def usd_rate(story, admin_user):
    """1 EUR = 1.0850 USD since three days ago (so 1,234.57 USD = 1,137.85 EUR)."""
    exchange_rates.create_exchange_rate(by=admin_user, date=timezone.localdate() - datetime.timedelta(days=3),
                                        quote_currency="USD", rate="1.0850")


def _row(board, user):
    return next(r for r in board.reps if r.user.pk == user.pk)


def test_manager_numbers_to_the_cent(story, sales_manager):
    """No USD rate: the dollars are listed beside each total and flagged, not added to it."""
    board = report.manager_dashboard(sales_manager)
    assert board.currency == "EUR" and board.rates_on == timezone.localdate()
    assert board.pipeline.count == 4  # 3 open deals and the one rep1 just opened
    assert board.pipeline.value.amount == Decimal("1333.33")
    assert board.pipeline.value.by_currency == {"EUR": Decimal("1333.33"), "USD": Decimal("500.00")}
    assert board.pipeline.value.missing == ["USD"] and board.pipeline.weighted.missing == ["USD"]
    # 1000.00 × 20 % + 333.33 × 50 % (166.665 -> 166.67) = 366.67; the 500 USD × 50 % are not in it.
    assert board.pipeline.weighted.amount == Decimal("366.67")
    assert board.pipeline.weighted.by_currency == {"EUR": Decimal("366.67"), "USD": Decimal("250.00")}
    rep1 = _row(board, story["rep1"])
    assert rep1.won_this_month.amount == Decimal("2000.00") and rep1.won_this_month.missing == []
    assert rep1.won_last_month.amount == Decimal("1500.00")
    assert (rep1.won_count_this_month, rep1.won_count_last_month) == (2, 1)
    assert rep1.target.amount == Decimal("2500.00") and rep1.target_percent == 80
    assert (rep1.calls, rep1.meetings, rep1.deals_moved, rep1.tasks_overdue) == (2, 1, 1, 1)
    rep2 = _row(board, story["rep2"])
    assert rep2.won_this_month.amount == Decimal("300.00") and rep2.won_this_month.missing == ["USD"]
    assert rep2.won_this_month.by_currency == {"EUR": Decimal("300.00"), "USD": Decimal("100.00")}
    assert rep2.won_last_month.amount == 0 and rep2.won_last_month.by_currency == {}
    assert rep2.target is None and rep2.target_percent is None
    assert (rep2.calls, rep2.meetings, rep2.deals_moved, rep2.tasks_overdue) == (0, 0, 0, 0)
    assert {r.user.pk for r in board.reps} == {story["rep1"].pk, story["rep2"].pk}  # not the manager
    assert board.missing == ["USD"]


def test_representative_numbers(story):
    board = report.representative_dashboard(story["rep1"])
    assert (board.overdue_tasks, board.today_tasks) == (1, 0)
    assert board.pipeline.count == 3
    assert board.pipeline.value.amount == Decimal("1333.33") and board.pipeline.value.by_currency == {
        "EUR": Decimal("1333.33")}
    assert board.pipeline.weighted.amount == Decimal("366.67")
    assert board.won_this_month.amount == Decimal("2000.00")
    assert board.target.amount == Decimal("2500.00") and board.target_percent == 80
    assert board.missing == []


def test_a_dollar_win_counts_toward_a_euro_target(story, usd_rate, sales_manager):
    """rep2 (target 1,500.00 EUR) wins 300.00 EUR and 100.00 + 1,234.57 USD this month: at 1.0850 the
    1,334.57 USD are 1,230.02 EUR (the per-currency sum is converted, as on the board), so 1,530.02 EUR won,
    102 % of the target."""
    p = story["periods"]
    rep2 = story["rep2"]
    DealFactory(owner=rep2, title="Big dollars", amount=Decimal("1234.57"), currency="USD",
                status=Deal.Status.WON, closed_at=start_of(p.month) + datetime.timedelta(hours=2))
    target_services.set_target(rep2, p.month, "1500", by=sales_manager)
    board = report.manager_dashboard(sales_manager)
    row = _row(board, rep2)
    assert row.won_this_month.amount == Decimal("1530.02") and row.won_this_month.missing == []
    assert row.won_count_this_month == 3
    assert row.target.amount == Decimal("1500.00") and row.target_percent == 102
    assert board.missing == []
    mine = report.representative_dashboard(rep2)
    assert mine.won_this_month.amount == Decimal("1530.02") and mine.target_percent == 102
    # The pipeline's 500 USD are converted too: 1333.33 + 460.83 EUR; weighted 366.67 + 230.41 (50 %).
    assert board.pipeline.value.amount == Decimal("1794.16") and board.pipeline.value.missing == []
    assert board.pipeline.weighted.amount == Decimal("597.08")


@pytest.mark.parametrize("with_rate", [True, False], ids=["usd-rate", "no-usd-rate"])
def test_manager_pipeline_equals_the_deal_board(story, sales_manager, admin_user, with_rate):
    if with_rate:
        exchange_rates.create_exchange_rate(by=admin_user, date=timezone.localdate(), quote_currency="USD",
                                            rate="1.0850")
    pipeline = Pipeline.objects.get(stages__deals__title="Open early")
    columns = board_columns(visible_deals(sales_manager), pipeline)
    total = board_total(columns)
    board = report.manager_dashboard(sales_manager)
    assert board.pipeline.value.amount == total.amount
    assert board.pipeline.value.missing == total.missing == ([] if with_rate else ["USD"])
    assert board.pipeline.value.by_currency == total.by_currency
    assert board.pipeline.weighted.amount == board_weighted(columns)
    assert board.pipeline.count == sum(column["count"] for column in columns)


def test_api_dashboard_as_manager_and_representative(story, sales_manager, api):
    data = api(sales_manager).get("/api/v1/crm/dashboard").json()
    assert data["view"] == "manager" and data["currency"] == "EUR"
    assert data["rates_date"] == timezone.localdate().isoformat() and data["missing_rates"] == ["USD"]
    assert data["pipeline"]["value"] == {
        "currency": "EUR", "amount": "1333.33", "date": timezone.localdate().isoformat(), "missing": ["USD"],
        "by_currency": [{"currency": "EUR", "amount": "1333.33"}, {"currency": "USD", "amount": "500.00"}]}
    assert data["pipeline"]["weighted"]["amount"] == "366.67"
    assert data["pipeline"]["weighted"]["by_currency"] == [{"currency": "EUR", "amount": "366.67"},
                                                           {"currency": "USD", "amount": "250.00"}]
    rep1 = next(r for r in data["representatives"] if r["user"]["id"] == story["rep1"].pk)
    assert rep1["won_this_month"]["amount"] == "2000.00" and rep1["won_this_month"]["missing"] == []
    assert rep1["won_this_month"]["by_currency"] == [{"currency": "EUR", "amount": "2000.00"}]
    assert rep1["won_last_month"]["amount"] == "1500.00"
    assert rep1["target"] == {"currency": "EUR", "amount": "2500.00"} and rep1["target_percent"] == 80
    assert (rep1["calls"], rep1["meetings"], rep1["deals_moved"], rep1["tasks_overdue"]) == (2, 1, 1, 1)
    rep2 = next(r for r in data["representatives"] if r["user"]["id"] == story["rep2"].pk)
    assert rep2["won_this_month"]["amount"] == "300.00" and rep2["won_this_month"]["missing"] == ["USD"]
    assert rep2["won_last_month"]["amount"] == "0.00" and rep2["target"] is None
    mine = api(story["rep1"]).get("/api/v1/crm/dashboard").json()
    assert mine["view"] == "representative" and mine["representatives"] is None
    assert mine["my_day"] == {"overdue_tasks": 1, "today_tasks": 0}
    assert mine["won_this_month"]["amount"] == "2000.00" and mine["missing_rates"] == []
    assert mine["target_percent"] == 80


def test_api_gives_the_converted_numbers_of_the_page(story, usd_rate, sales_manager, api):
    p = story["periods"]
    rep2 = story["rep2"]
    DealFactory(owner=rep2, title="Big dollars", amount=Decimal("1234.57"), currency="USD",
                status=Deal.Status.WON, closed_at=start_of(p.month) + datetime.timedelta(hours=2))
    target_services.set_target(rep2, p.month, "1500", by=sales_manager)
    board = report.manager_dashboard(sales_manager)
    data = api(sales_manager).get("/api/v1/crm/dashboard").json()
    assert data["missing_rates"] == []
    assert data["pipeline"]["value"]["amount"] == str(board.pipeline.value.amount) == "1794.16"
    assert data["pipeline"]["weighted"]["amount"] == str(board.pipeline.weighted.amount) == "597.08"
    row = next(r for r in data["representatives"] if r["user"]["id"] == rep2.pk)
    assert row["won_this_month"]["amount"] == "1530.02" and row["won_this_month"]["missing"] == []
    assert row["won_this_month"]["by_currency"] == [{"currency": "EUR", "amount": "300.00"},
                                                    {"currency": "USD", "amount": "1334.57"}]
    assert row["target"] == {"currency": "EUR", "amount": "1500.00"} and row["target_percent"] == 102
    mine = api(rep2).get("/api/v1/crm/dashboard").json()
    assert mine["won_this_month"]["amount"] == "1530.02" and mine["target_percent"] == 102
    assert mine["pipeline"]["value"]["amount"] == "460.83"  # rep2's 500 USD open


def test_home_shows_converted_totals_and_flags_a_missing_rate(story, client, sales_manager):
    client.force_login(sales_manager)
    html = client.get(reverse("core:home")).content.decode()
    pipeline = html.split('id="pipeline-value"', 1)[1].split("</a>", 1)[0]
    assert "€1,333.33" in pipeline and "$500.00" in pipeline and 'data-no-rate="USD"' in pipeline
    assert "no rate for USD: not in the total" in pipeline
    row = html.split('id="team-won"', 1)[1].split(f'data-user="{story["rep2"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "€300.00" in row and "$100.00" in row and 'data-no-rate="USD"' in row
    rep1 = html.split('id="team-won"', 1)[1].split(f'data-user="{story["rep1"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "€2,000.00" in rep1 and "data-no-rate" not in rep1
    client.force_login(story["rep2"])
    mine = client.get(reverse("core:home")).content.decode()
    won = mine.split('id="my-won"', 1)[1].split("</a>", 1)[0]
    assert "€300.00" in won and 'data-no-rate="USD"' in won


def test_home_shows_a_dollar_win_against_a_euro_target(story, usd_rate, client, sales_manager):
    p = story["periods"]
    rep2 = story["rep2"]
    DealFactory(owner=rep2, title="Big dollars", amount=Decimal("1234.57"), currency="USD",
                status=Deal.Status.WON, closed_at=start_of(p.month) + datetime.timedelta(hours=2))
    target_services.set_target(rep2, p.month, "1500", by=sales_manager)
    client.force_login(sales_manager)
    html = client.get(reverse("core:home")).content.decode()
    assert "data-no-rate" not in html
    row = html.split('id="team-won"', 1)[1].split(f'data-user="{rep2.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "€1,530.02" in row and "€300.00 · $1,334.57" in row and "102 %" in row
    assert "€1,794.16" in html.split('id="pipeline-value"', 1)[1].split("</a>", 1)[0]
    client.force_login(rep2)
    mine = client.get(reverse("core:home")).content.decode()
    assert "€1,530.02" in mine.split('id="my-won"', 1)[1].split("</a>", 1)[0]
    assert "of €1,500.00 (102 %)" in mine


def _titles(html: str) -> set[str]:
    body = html.split('<tbody>', 1)[1].split('</tbody>', 1)[0]
    return set(re.findall(r'<a href="/crm/deals/\d+/">([^<]+)</a>', body))


def _href(html: str, row_user, cell: str, table: str) -> str:
    section = html.split(f'id="{table}"', 1)[1]
    row = section.split(f'data-user="{row_user.pk}"', 1)[1].split("</tr>", 1)[0]
    return re.search(rf'class="{cell}"><a href="([^"]+)"', row).group(1).replace("&amp;", "&")


def test_manager_home_links_show_exactly_the_counted_records(story, client, sales_manager):
    client.force_login(sales_manager)
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-view="manager"' in html and "my-target-card" not in html
    assert "80 %" in html
    won = client.get(_href(html, story["rep1"], "won-this", "team-won")).content.decode()
    assert _titles(won) == {"Won A", "Won B"}
    last = client.get(_href(html, story["rep1"], "won-last", "team-won")).content.decode()
    assert _titles(last) == {"Won last month"}
    moved = client.get(_href(html, story["rep1"], "moved", "team-activity")).content.decode()
    assert _titles(moved) == {"Open early"}
    calls = client.get(_href(html, story["rep1"], "calls", "team-activity")).content.decode()
    assert calls.split('id="interaction-table"', 1)[1].count("<tr>") - 1 == 2
    assert "Incoming call" in calls and "Meeting" not in calls.split('id="interaction-table"', 1)[1]
    meetings = client.get(_href(html, story["rep1"], "meetings", "team-activity")).content.decode()
    assert meetings.split('id="interaction-table"', 1)[1].count("<tr>") - 1 == 1
    overdue = client.get(_href(html, story["rep1"], "overdue", "team-activity")).content.decode()
    assert "Overdue call" in overdue and "Later" not in overdue
    pipeline = client.get(re.search(r'id="pipeline-value" href="([^"]+)"', html).group(1).replace("&amp;", "&"))
    assert _titles(pipeline.content.decode()) == {"Open early", "Open late", "Open dollars", "Just created"}


def test_representative_home_shows_own_sections_and_links(story, client):
    client.force_login(story["rep1"])
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-view="representative"' in html and "team-won" not in html
    assert "80 %" in html
    won_url = re.search(r'id="my-won" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert _titles(client.get(won_url).content.decode()) == {"Won A", "Won B"}
    pipeline_url = re.search(r'id="my-pipeline-value" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert _titles(client.get(pipeline_url).content.decode()) == {"Open early", "Open late", "Just created"}
    # Every figure of the card leads to the deals behind it, the weighted forecast too.
    weighted_url = re.search(r'id="my-pipeline-weighted" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert weighted_url == pipeline_url
    assert re.search(r'id="my-pipeline-count" href="([^"]+)"', html).group(1).replace("&amp;", "&") == pipeline_url
    overdue_url = re.search(r'id="my-overdue" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    overdue = client.get(overdue_url).content.decode()
    assert "Overdue call" in overdue and "Later" not in overdue


def test_users_without_crm_see_no_dashboard(make_user, client):
    client.force_login(make_user(roles.WAREHOUSE, username="store"))
    assert "crm-dashboard" not in client.get(reverse("core:home")).content.decode()


def test_manager_home_query_count_is_bounded(story, client, sales_manager, make_user):
    make_user(roles.SALES_REPRESENTATIVE, username="rep3")
    DealFactory(owner=story["rep2"], amount=Decimal("10"), status=Deal.Status.WON,
                closed_at=start_of(story["periods"].month) + datetime.timedelta(hours=2))
    client.force_login(sales_manager)
    client.get(reverse("core:home"))  # warm the caches of the shell
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert len(queries) <= 15, [q["sql"] for q in queries]
