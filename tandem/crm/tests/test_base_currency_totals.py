"""Deal board and CRM reports add up amounts in the company's base currency, keep the per-currency amounts
visible, and flag currencies without an exchange rate instead of dropping them. Deal amounts are stored
rounded to the currency's minor unit."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core import exchange_rates
from tandem.core.services import default_legal_entity
from tandem.crm.models import Deal
from tandem.crm.reports import deals as reports
from tandem.crm.reports.attribution import attribution_report
from tandem.crm.reports.segments import compare_segments
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import DealFactory, LostReasonFactory
from tandem.crm.tests.factories_planning import SegmentFactory

JSON = "application/json"


@pytest.fixture
def usd_rate(admin_user):
    default_legal_entity()  # EUR, from the company settings
    exchange_rates.create_exchange_rate(by=admin_user, date=timezone.localdate() - datetime.timedelta(days=3),
                                        quote_currency="USD", rate="1.25")


def test_deal_amounts_are_stored_rounded(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, amount=Decimal("10.005"))
    deal.refresh_from_db()
    assert deal.amount == Decimal("10.01")
    services.update_deal(deal, by=sales_rep, amount="1234.5", currency="JPY")
    deal.refresh_from_db()
    assert deal.amount == Decimal("1235")
    created = services.create_deal(by=sales_rep, client=deal.client, title="Kuwait", amount="1.23456",
                                   currency="KWD")
    created.refresh_from_db()
    assert created.amount == Decimal("1.235")


def test_board_columns_show_the_base_total_with_the_breakdown(client, sales_manager, sales, usd_rate):
    stage = sales.stages.order_by("position").first()
    DealFactory(pipeline=sales, stage=stage, amount=Decimal("100.00"), currency="EUR")
    DealFactory(pipeline=sales, stage=stage, amount=Decimal("50.00"), currency="USD")
    client.force_login(sales_manager)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert "€140.00" in html  # 100 EUR + 50 USD / 1.25
    assert "€100.00 · $50.00" in html
    assert "no rate for" not in html


def test_board_flags_amounts_without_a_rate(client, sales_manager, sales, usd_rate):
    stage = sales.stages.order_by("position").first()
    DealFactory(pipeline=sales, stage=stage, amount=Decimal("100.00"), currency="EUR")
    DealFactory(pipeline=sales, stage=stage, amount=Decimal("7000"), currency="JPY")
    client.force_login(sales_manager)
    html = client.get(reverse("crm:deal-board")).content.decode()
    assert "€100.00" in html and "¥7,000" in html
    assert 'data-no-rate="JPY"' in html and "no rate for JPY: not in the total" in html


def test_lost_at_stage_converts_at_the_period_end(pipeline_with_losses, admin_user):
    pipeline, a, b = pipeline_with_losses
    exchange_rates.create_exchange_rate(by=admin_user, date=datetime.date(2025, 1, 1), quote_currency="USD",
                                        rate="1.50")
    exchange_rates.create_exchange_rate(by=admin_user, date=datetime.date(2025, 4, 1), quote_currency="USD",
                                        rate="1.00")
    report = reports.lost_at_stage(Deal.objects.all(), pipeline, datetime.date(2025, 3, 1),
                                   datetime.date(2025, 3, 31))
    rows = {row.name: row for row in report.stages}
    assert rows["B"].lost_base.amount == Decimal("450.26")  # 250.26 EUR + 300 USD / 1.50
    assert rows["B"].lost_base.by_currency == {"EUR": Decimal("250.26"), "USD": Decimal("300.00")}
    assert report.total_base.amount == Decimal("550.36") and report.total_base.missing == []
    assert report.total_base.on == datetime.date(2025, 3, 31)


def test_lost_at_stage_page_and_api_show_base_totals(client, api, sales_manager, pipeline_with_losses, usd_rate):
    pipeline = pipeline_with_losses[0]
    client.force_login(sales_manager)
    html = client.get(reverse("crm:report-lost-at-stage"), {"pipeline": pipeline.pk}).content.decode()
    assert "€590.36" in html  # 350.36 EUR + 300 USD / 1.25 at today's rate
    assert "€350.36 · $300.00" in html
    body = api(sales_manager).get("/api/v1/crm/reports/lost-at-stage", {"pipeline": pipeline.pk}).json()
    assert body["total_base"] == {"currency": "EUR", "amount": "590.36", "date": timezone.localdate().isoformat(),
                                  "missing": []}


def test_lost_at_stage_flags_missing_rates(pipeline_with_losses):
    pipeline = pipeline_with_losses[0]
    report = reports.lost_at_stage(Deal.objects.all(), pipeline)
    assert report.total_base.amount == Decimal("350.36") and report.total_base.missing == ["USD"]


def test_attribution_adds_won_amounts_and_costs_in_the_base_currency(usd_rate):
    DealFactory(status=Deal.Status.WON, amount=Decimal("100.00"), currency="EUR")
    DealFactory(status=Deal.Status.WON, amount=Decimal("25.00"), currency="USD")
    DealFactory(status=Deal.Status.WON, amount=Decimal("1000"), currency="JPY")
    (row,) = attribution_report("source", unattributed_label="None")
    assert row.won_base.amount == Decimal("120.00") and row.won_base.missing == ["JPY"]
    assert row.won_amounts == {"EUR": Decimal("100.00"), "USD": Decimal("25.00"), "JPY": Decimal("1000")}


def test_segment_comparison_adds_won_amounts_in_the_base_currency(client, admin_user, usd_rate):
    deal = DealFactory(status=Deal.Status.WON, amount=Decimal("25.00"), currency="USD")
    DealFactory(client=deal.client, owner=deal.owner, status=Deal.Status.WON, amount=Decimal("1.00"))
    segment = SegmentFactory(name="All")
    (row,) = compare_segments([segment], admin_user)
    assert row.won_base.amount == Decimal("21.00") and row.won_base.is_mixed
    client.force_login(admin_user)
    html = client.get(reverse("crm:report-segment-comparison"), {"ids": [segment.pk]}).content.decode()
    assert "€21.00" in html and "$25.00" in html


@pytest.fixture
def pipeline_with_losses(db):
    from tandem.crm.tests.factories import PipelineFactory

    pipeline = PipelineFactory(name="Test sales", stages=["A", "B"])
    a, b = pipeline.stages.order_by("position")
    closed = datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC)
    for stage, amount, currency in ((a, "100.10", "EUR"), (b, "250.26", "EUR"), (b, "300.00", "USD")):
        DealFactory(pipeline=pipeline, stage=stage, amount=Decimal(amount), currency=currency,
                    status=Deal.Status.LOST, lost_reason=LostReasonFactory(name="Price"), closed_at=closed,
                    visit=False)
    return pipeline, a, b


def test_board_header_adds_up_every_column(client, sales_manager, sales, usd_rate):
    first, second = sales.stages.order_by("position")[:2]
    DealFactory(pipeline=sales, stage=first, amount=Decimal("100.00"), currency="EUR")
    DealFactory(pipeline=sales, stage=second, amount=Decimal("50.00"), currency="USD")
    DealFactory(pipeline=sales, stage=second, amount=Decimal("10"), currency="JPY")
    client.force_login(sales_manager)
    response = client.get(reverse("crm:deal-board"))
    total = response.context["board_total"]
    assert total.amount == Decimal("140.00") and total.missing == ["JPY"]
    assert list(total.by_currency) == ["EUR", "JPY", "USD"]
    header = response.content.decode().split("data-board-total")[1].split("</p>")[0]
    assert "€140.00" in header and "no rate for JPY" in header
