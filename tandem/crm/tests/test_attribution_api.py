"""The campaigns, events, attendees and attribution report API."""

from decimal import Decimal

import pytest

from tandem.crm.models import Campaign, Deal, EventAttendee, MarketingEvent
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
from tandem.parties.tests.factories import ClientFactory, SourceFactory

JSON = "application/json"
BASE = "/api/v1/crm"


def test_campaign_crud_keeps_money_as_strings(api, sales_manager):
    http = api(sales_manager)
    source = SourceFactory(name="Website")
    response = http.post(f"{BASE}/campaigns", {"name": "Search ads", "cost": "1200.50", "source_id": source.pk},
                         content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["cost"], body["currency"], body["source"]["name"]) == ("1200.50", "EUR", "Website")
    response = http.patch(f"{BASE}/campaigns/{body['id']}", {"cost": "99"}, content_type=JSON)
    assert response.json()["cost"] == "99.00"
    assert http.get(f"{BASE}/campaigns").json()["count"] == 1


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "X", "cost": 10.5}, "cost"),
    ({"name": "X", "cost": "-5"}, "cost"),
    ({"name": "X", "cost": "ten"}, "cost"),
    ({"name": ""}, "name"),
    ({"name": "X", "starts_on": "2025-02-01", "ends_on": "2025-01-01"}, "ends_on"),
    ({"name": "X", "source_id": 999999}, "source_id"),
    ({"name": "X", "budget": "5"}, "budget"),
])
def test_campaign_bad_input_is_400_and_nothing_written(api, sales_manager, payload, field):
    http = api(sales_manager)
    response = http.post(f"{BASE}/campaigns", payload, content_type=JSON)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert Campaign.objects.count() == 0


def test_representative_reads_campaigns_but_cannot_create(api, sales_rep):
    CampaignFactory()
    http = api(sales_rep)
    assert http.get(f"{BASE}/campaigns").json()["count"] == 1
    assert http.post(f"{BASE}/campaigns", {"name": "Mine"}, content_type=JSON).status_code == 403


def test_events_and_attendees(api, sales_manager, sales_rep):
    http = api(sales_manager)
    response = http.post(f"{BASE}/events", {"name": "Hannover Messe", "starts_on": "2025-04-01",
                                            "ends_on": "2025-04-03", "cost": "4000", "kind": "exhibition",
                                            "responsible_id": sales_manager.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["cost"], event["responsible"]["id"], event["attendee_count"]) == ("4000.00", sales_manager.pk, 0)
    assert http.post(f"{BASE}/events", {"name": "X", "starts_on": "2025-13-01"},
                     content_type=JSON).json()["field"] == "starts_on"
    assert MarketingEvent.objects.count() == 1

    client = ClientFactory(owner=sales_rep)
    lead = LeadFactory(owner=sales_rep)
    rep = api(sales_rep)
    url = f"{BASE}/events/{event['id']}/attendees"
    assert rep.post(url, {"client_id": client.pk}, content_type=JSON).status_code == 201
    assert rep.post(url, {"lead_id": lead.pk}, content_type=JSON).status_code == 201
    response = rep.post(url, {"client_id": client.pk}, content_type=JSON)
    assert (response.status_code, response.json()["code"]) == (409, "already_attending")
    assert rep.post(url, {}, content_type=JSON).status_code == 400
    foreign = ClientFactory(owner=sales_manager)
    assert rep.post(url, {"client_id": foreign.pk}, content_type=JSON).json()["field"] == "client_id"
    assert rep.get(url).json()["count"] == 2
    assert http.get(f"{BASE}/events/{event['id']}").json()["attendee_count"] == 2
    attendee = EventAttendee.objects.get(lead=lead)
    assert rep.delete(f"{url}/{attendee.pk}").status_code == 403
    assert http.delete(f"{url}/{attendee.pk}").status_code == 204
    assert EventAttendee.objects.count() == 1


def test_attribution_report(api, sales_manager, sales_rep):
    source = SourceFactory(name="Exhibitions")
    event = MarketingEventFactory(source=source, cost=Decimal("3000.00"))
    LeadFactory(source=source, event=event, owner=sales_rep)
    LeadFactory(source=source, event=event, owner=sales_manager)
    DealFactory(source=source, event=event, status=Deal.Status.WON, amount=Decimal("5000"), owner=sales_rep)
    body = api(sales_manager).get(f"{BASE}/reports/attribution?group=source").json()
    assert body["group"] == "source"
    row = next(r for r in body["rows"] if r["id"] == source.pk)
    assert (row["leads"], row["deals"], row["won_deals"]) == (2, 1, 1)
    assert row["won_amount"] == [{"currency": "EUR", "amount": "5000.00"}]
    assert row["cost_per_lead"] == [{"currency": "EUR", "amount": "1500.00"}]
    assert row["cost_per_won_deal"] == [{"currency": "EUR", "amount": "3000.00"}]
    body = api(sales_manager).get(f"{BASE}/reports/attribution?group=event&from=2099-01-01").json()
    assert body["from"] == "2099-01-01"
    assert body["rows"] == []
    # A representative counts only own leads and deals.
    row = next(r for r in api(sales_rep).get(f"{BASE}/reports/attribution?group=event").json()["rows"]
               if r["id"] == event.pk)
    assert row["leads"] == 1
    response = api(sales_manager).get(f"{BASE}/reports/attribution?group=owner")
    assert (response.status_code, response.json()["field"]) == (400, "group")
    assert api(sales_manager).get(f"{BASE}/reports/attribution?from=yesterday").json()["field"] == "from"
