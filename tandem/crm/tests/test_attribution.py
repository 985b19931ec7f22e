"""Campaigns, marketing events, attendees and the attribution report."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.services import default_legal_entity
from tandem.crm.models import Campaign, Deal, EventAttendee, MarketingEvent
from tandem.crm.reports.attribution import attribution_report
from tandem.crm.services import attribution as services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
from tandem.parties.tests.factories import ClientFactory, SourceFactory


def test_create_campaign_rounds_cost_and_refuses_duplicates(sales_manager):
    campaign = services.create_campaign(by=sales_manager, name="Spring push", cost="1500.005", currency="eur")
    assert (campaign.cost, campaign.currency) == (Decimal("1500.01"), "EUR")
    with pytest.raises(ConflictError) as exc:
        services.create_campaign(by=sales_manager, name="spring PUSH")
    assert exc.value.field == "name"


@pytest.mark.parametrize(("values", "field"), [
    ({"name": ""}, "name"),
    ({"name": "X", "cost": "-1"}, "cost"),
    ({"name": "X", "cost": "abc"}, "cost"),
    ({"name": "X", "currency": "EURO"}, "currency"),
    ({"name": "X", "starts_on": datetime.date(2025, 2, 1), "ends_on": datetime.date(2025, 1, 1)}, "ends_on"),
])
def test_campaign_bad_input_is_refused_and_nothing_written(sales_manager, values, field):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_campaign(by=sales_manager, **values)
    assert exc.value.field == field
    assert Campaign.objects.count() == 0


def test_representative_cannot_create_campaigns(sales_rep):
    with pytest.raises(AccessDenied):
        services.create_campaign(by=sales_rep, name="Mine")


def test_update_campaign(sales_manager):
    campaign = CampaignFactory(name="Spring")
    campaign = services.update_campaign(campaign, by=sales_manager, cost="250")
    assert campaign.cost == Decimal("250.00")
    campaign = services.archive_campaign(campaign, by=sales_manager)
    assert (campaign.is_archived, campaign.is_active) == (True, False)


def test_event_inherits_source_of_its_campaign_and_checks_period(sales_manager):
    source = SourceFactory(name="Exhibitions")
    campaign = CampaignFactory(source=source)
    event = services.create_event(by=sales_manager, name="Hannover Messe", starts_on=datetime.date(2025, 4, 1),
                                  ends_on=datetime.date(2025, 4, 3), cost="4000", campaign=campaign,
                                  responsible=sales_manager)
    assert (event.source, event.cost, event.responsible) == (source, Decimal("4000.00"), sales_manager)
    with pytest.raises(BusinessRuleError) as exc:
        services.update_event(event, by=sales_manager, ends_on=datetime.date(2025, 3, 1))
    assert exc.value.field == "ends_on"
    with pytest.raises(BusinessRuleError) as exc:
        services.create_event(by=sales_manager, name="No date", starts_on=None)
    assert exc.value.field == "starts_on"
    assert MarketingEvent.objects.count() == 1


def test_attendees_are_clients_or_leads_once_each(sales_rep, sales_manager):
    event = MarketingEventFactory()
    client = ClientFactory(owner=sales_rep)
    lead = LeadFactory(owner=sales_rep)
    services.add_attendee(event, by=sales_rep, client=client)
    services.add_attendee(event, by=sales_rep, lead=lead)
    with pytest.raises(ConflictError):
        services.add_attendee(event, by=sales_rep, client=client)
    with pytest.raises(BusinessRuleError):
        services.add_attendee(event, by=sales_rep)
    with pytest.raises(BusinessRuleError):
        services.add_attendee(event, by=sales_rep, client=client, lead=lead)
    assert EventAttendee.objects.filter(event=event).count() == 2
    with pytest.raises(AccessDenied):
        services.remove_attendee(event.attendees.first(), by=sales_rep)
    services.remove_attendee(event.attendees.get(client=client), by=sales_manager)
    assert list(event.attendees.values_list("lead", flat=True)) == [lead.pk]


# --- Report -----------------------------------------------------------------------------------------

@pytest.fixture
def marketing(db):
    """Two sources: a trade fair (3000 EUR) and web ads (campaign 1000 EUR)."""
    fairs = SourceFactory(name="Exhibitions", channel="exhibition")
    web = SourceFactory(name="Website", channel="website")
    ads = CampaignFactory(name="Search ads", source=web, cost=Decimal("1000.00"))
    fair = MarketingEventFactory(name="Hannover Messe", source=fairs, cost=Decimal("3000.00"))
    return {"fairs": fairs, "web": web, "ads": ads, "fair": fair}


def _won(deal_amount, **kwargs):
    return DealFactory(status=Deal.Status.WON, amount=Decimal(deal_amount), **kwargs)


def test_report_per_source(marketing):
    fairs, web = marketing["fairs"], marketing["web"]
    for _ in range(3):
        LeadFactory(source=fairs, event=marketing["fair"])
    LeadFactory(source=web, campaign=marketing["ads"])
    LeadFactory()
    _won("1000.00", source=fairs, event=marketing["fair"])
    _won("2500.50", source=fairs)
    DealFactory(source=fairs)
    _won("99.99", source=web, currency="USD")
    default_legal_entity()

    with CaptureQueriesContext(connection) as queries:
        rows = {r.name: r for r in attribution_report("source", unattributed_label="None")}
    # 7 aggregates, the base currency, and one exchange rate lookup per foreign currency (USD).
    assert len(queries) <= 9

    fair_row = rows["Exhibitions"]
    assert (fair_row.leads, fair_row.deals, fair_row.won_deals) == (3, 3, 2)
    assert fair_row.won_amounts == {"EUR": Decimal("3500.50")}
    assert fair_row.costs == {"EUR": Decimal("3000.00")}
    assert fair_row.cost_per_lead == {"EUR": Decimal("1000.00")}
    assert fair_row.cost_per_won_deal == {"EUR": Decimal("1500.00")}
    web_row = rows["Website"]
    assert (web_row.leads, web_row.deals, web_row.won_deals) == (1, 1, 1)
    assert web_row.won_amounts == {"USD": Decimal("99.99")}
    assert web_row.cost_per_won_deal == {"EUR": Decimal("1000.00")}
    assert rows["None"].leads == 1
    assert rows["None"].costs == {}


def test_report_per_campaign_adds_its_events_costs_and_rounds(marketing):
    ads = marketing["ads"]
    MarketingEventFactory(name="Webinar", campaign=ads, cost=Decimal("100.00"))
    for _ in range(3):
        LeadFactory(campaign=ads)
    rows = {r.key: r for r in attribution_report("campaign")}
    row = rows[ads.pk]
    assert row.costs == {"EUR": Decimal("1100.00")}
    assert row.cost_per_lead == {"EUR": Decimal("366.67")}
    assert row.cost_per_won_deal == {"EUR": None}


def test_report_per_event_and_date_range(marketing):
    fair = marketing["fair"]
    old = LeadFactory(event=fair)
    LeadFactory(event=fair)
    type(old).objects.filter(pk=old.pk).update(created_at=datetime.datetime(2024, 1, 5, tzinfo=datetime.UTC))
    rows = {r.key: r for r in attribution_report("event", date_from=datetime.date(2025, 1, 1))}
    assert rows[fair.pk].leads == 1
    assert rows[fair.pk].costs == {"EUR": Decimal("3000.00")}
    rows = {r.key: r for r in attribution_report("event", date_to=datetime.date(2024, 12, 31))}
    assert rows[fair.pk].leads == 1
    assert rows[fair.pk].costs == {}  # the fair starts in 2025


def test_report_refuses_unknown_group(db):
    with pytest.raises(ValueError):
        attribution_report("owner")
