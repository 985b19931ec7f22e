"""Lead and marketing pages: render, refuse bad input with the field's error, follow record rules."""

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.crm.models import Campaign, Lead
from tandem.crm.tests.factories import PipelineFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
from tandem.parties.tests.factories import ClientFactory, SourceFactory


@pytest.fixture
def rep_client(client, sales_rep):
    client.force_login(sales_rep)
    return client


def test_lead_pages_render_with_attribution(rep_client, sales_rep):
    source = SourceFactory(name="Exhibitions")
    event = MarketingEventFactory(name="Hannover Messe")
    lead = LeadFactory(owner=sales_rep, source=source, event=event)
    page = rep_client.get(reverse("crm:lead-list"))
    assert page.status_code == 200
    assert lead.name in page.content.decode()
    page = rep_client.get(reverse("crm:lead-detail", args=[lead.pk])).content.decode()
    assert "Exhibitions" in page and "Hannover Messe" in page
    for name in ("crm:lead-edit", "crm:lead-qualify", "crm:lead-disqualify"):
        assert rep_client.get(reverse(name, args=[lead.pk])).status_code == 200


def test_representative_cannot_open_a_colleagues_lead(rep_client, make_user):
    lead = LeadFactory(owner=make_user(roles.SALES_REPRESENTATIVE, username="rep2"))
    assert rep_client.get(reverse("crm:lead-detail", args=[lead.pk])).status_code == 404


def test_create_lead_form_shows_field_errors_and_writes_nothing(rep_client, sales_rep):
    response = rep_client.post(reverse("crm:lead-create"), {"name": "Lena", "phone": "12", "owner": sales_rep.pk})
    assert response.status_code == 400
    assert Lead.objects.count() == 0
    response = rep_client.post(reverse("crm:lead-create"), {"name": "Lena", "phone": "+49 30 1234567",
                                                            "owner": sales_rep.pk})
    assert response.status_code == 302
    assert Lead.objects.get().phone == "+49301234567"


def test_qualify_page_offers_duplicates_then_creates_on_confirmation(rep_client, sales_rep):
    PipelineFactory(name="Sales", is_default=True)
    ClientFactory(owner=sales_rep, email="lena@berg.example", name="Berg AG")
    lead = LeadFactory(owner=sales_rep, email="lena@berg.example")
    url = reverse("crm:lead-qualify", args=[lead.pk])
    response = rep_client.post(url, {"deal_title": "Pumps"})
    assert response.status_code == 400
    assert "Berg AG" in response.content.decode()
    response = rep_client.post(url, {"deal_title": "Pumps", "create_client": "on"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.QUALIFIED and lead.deal.title == "Pumps"


def test_disqualify_needs_a_reason(rep_client, sales_rep):
    lead = LeadFactory(owner=sales_rep)
    url = reverse("crm:lead-disqualify", args=[lead.pk])
    assert rep_client.post(url, {"reason": ""}).status_code == 400
    assert rep_client.post(url, {"reason": "No budget"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.DISQUALIFIED
    assert rep_client.post(reverse("crm:lead-reopen", args=[lead.pk])).status_code == 302


def test_marketing_pages(client, sales_manager):
    client.force_login(sales_manager)
    campaign = CampaignFactory(name="Spring")
    event = MarketingEventFactory(name="Fair", campaign=campaign)
    for url in (reverse("crm:campaign-list"), reverse("crm:campaign-create"),
                reverse("crm:campaign-detail", args=[campaign.pk]), reverse("crm:campaign-edit", args=[campaign.pk]),
                reverse("crm:event-list"), reverse("crm:event-create"), reverse("crm:event-detail", args=[event.pk]),
                reverse("crm:event-edit", args=[event.pk]), reverse("crm:report-attribution"),
                reverse("crm:report-attribution") + "?group=campaign&date_from=2025-01-01"):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("crm:campaign-create"), {"name": "Ads", "cost": "-5", "currency": "EUR"})
    assert response.status_code == 400
    assert Campaign.objects.count() == 1
    response = client.post(reverse("crm:campaign-create"), {"name": "Ads", "cost": "500", "currency": "EUR"})
    assert response.status_code == 302
    lead = LeadFactory(owner=sales_manager)
    response = client.post(reverse("crm:event-attendee-add", args=[event.pk]), {"lead": lead.pk})
    assert response.status_code == 302
    attendee = event.attendees.get()
    response = client.post(reverse("crm:event-attendee-remove", args=[event.pk, attendee.pk]))
    assert response.status_code == 302
    assert not event.attendees.exists()
