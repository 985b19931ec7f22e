"""Records the CRM refers to are archived, not deleted: a delete is refused (409) naming the deals and
interactions that use the record, never a 500; archived records leave the pickers, stay on the documents."""

import pytest
from django.urls import reverse

from tandem.core import deletion
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.crm.models import Campaign, Deal, Pipeline
from tandem.crm.services import attribution as attribution_services
from tandem.crm.services import deals as deal_services
from tandem.crm.tests.factories import PipelineFactory
from tandem.crm.tests.factories_activity import InteractionFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory
from tandem.crm.views.deals import DealForm
from tandem.parties import services as party_services
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory, ContactFactory


@pytest.fixture
def busy_client(sales, sales_manager):
    """A client with 3 deals and 2 interactions."""
    client = ClientFactory(name="Busy Bee GmbH", owner=sales_manager)
    for n in range(3):
        deal_services.create_deal(by=sales_manager, client=client, title=f"Deal {n}")
    InteractionFactory(client=client)
    InteractionFactory(client=client)
    return client


# --- Services ---------------------------------------------------------------------------------------

def test_deleting_a_client_with_deals_is_refused_naming_deals_and_interactions(busy_client, sales_manager):
    with pytest.raises(ConflictError) as refused:
        party_services.delete_client(busy_client, by=sales_manager)
    error = refused.value
    assert (error.status_code, error.code, error.field) == (409, "referenced", None)
    assert error.message == ("“Busy Bee GmbH” is used by 3 deals, 2 interactions: it cannot be deleted. "
                             "Archive it instead.")
    assert error.extra["references"] == [
        {"model": "crm.deal", "count": 3, "label": "3 deals"},
        {"model": "crm.interaction", "count": 2, "label": "2 interactions"},
    ]
    assert Client.objects.filter(pk=busy_client.pk).exists() and Deal.objects.count() == 3


def test_a_protected_error_the_registry_missed_is_the_same_refusal(busy_client, sales_manager, monkeypatch):
    # Without the CRM's declarations, the database's PROTECT on Deal.client still stops the delete.
    monkeypatch.setattr(deletion, "_BLOCKERS", [])
    with pytest.raises(ConflictError) as refused:
        party_services.delete_client(busy_client, by=sales_manager)
    assert refused.value.code == "referenced"
    assert "3 deals" in refused.value.message
    assert Client.objects.filter(pk=busy_client.pk).exists()
    assert busy_client.interactions.count() == 2


def test_every_crm_reference_to_a_client_is_registered():
    """Each foreign key from a CRM table to an archivable parties table is declared as a blocker."""
    from django.apps import apps

    from tandem.core.models import ArchivableModel

    declared = {(b.model.lower(), b.related_model.lower(), b.field) for b in deletion._BLOCKERS}
    for model in apps.get_app_config("crm").get_models():
        for field in model._meta.get_fields():
            if (field.is_relation and field.concrete and field.related_model is not None
                    and issubclass(field.related_model, ArchivableModel)
                    and field.related_model._meta.app_label == "parties"):
                key = (field.related_model._meta.label_lower, model._meta.label_lower, field.name)
                assert key in declared, f"{model.__name__}.{field.name} is not a registered deletion blocker"


def test_new_deal_for_an_archived_client_is_refused_but_its_deals_stay_editable(busy_client, sales_manager):
    deal = busy_client.deals.first()
    party_services.archive_client(busy_client, by=sales_manager)

    with pytest.raises(BusinessRuleError) as refused:
        deal_services.create_deal(by=sales_manager, client=busy_client, title="One more")
    assert (refused.value.code, refused.value.field) == ("archived", "client")

    deal = deal_services.update_deal(deal, by=sales_manager, title="Renamed", client=busy_client)
    assert deal.title == "Renamed" and deal.client == busy_client


def test_archived_contact_cannot_be_put_on_a_deal(sales, sales_manager):
    client = ClientFactory(owner=sales_manager)
    contact = ContactFactory(client=client)
    deal = deal_services.create_deal(by=sales_manager, client=client, title="Pumps")
    party_services.archive_contact(contact, by=sales_manager)
    with pytest.raises(BusinessRuleError) as refused:
        deal_services.update_deal(deal, by=sales_manager, contact=contact)
    assert (refused.value.code, refused.value.field) == ("archived", "contact")


def test_qualifying_a_lead_of_an_archived_campaign_keeps_its_attribution(sales, sales_manager):
    campaign = CampaignFactory(name="Spring fair")
    lead = LeadFactory(owner=sales_manager, campaign=campaign, email="lead@example.com")
    attribution_services.archive_campaign(campaign, by=sales_manager)
    from tandem.crm.services import leads as lead_services

    lead = lead_services.qualify_lead(lead, by=sales_manager, create_client=True)
    assert lead.deal.campaign == campaign


def test_archived_stage_takes_no_new_deals(deal, stages, sales_manager, sales_rep):
    proposal = stages["Needs analysis"]
    deal_services.archive_stage(proposal, by=sales_manager)
    with pytest.raises(BusinessRuleError) as refused:
        deal_services.move_deal_to_stage(deal, proposal, by=sales_rep)
    assert refused.value.code == "archived"


def test_the_default_pipeline_is_not_archived(sales, sales_manager):
    with pytest.raises(ConflictError) as refused:
        deal_services.archive_pipeline(sales, by=sales_manager)
    assert refused.value.code == "default_pipeline"


def test_campaign_delete_refused_while_leads_use_it(sales_manager):
    campaign = CampaignFactory(name="Autumn")
    LeadFactory(campaign=campaign)
    with pytest.raises(ConflictError) as refused:
        attribution_services.delete_campaign(campaign, by=sales_manager)
    assert refused.value.extra["references"] == [{"model": "crm.lead", "count": 1, "label": "1 lead"}]
    unused = CampaignFactory(name="Never ran")
    attribution_services.delete_campaign(unused, by=sales_manager)
    assert list(Campaign.objects.values_list("name", flat=True)) == ["Autumn"]


# --- Pickers and documents --------------------------------------------------------------------------

def test_deal_form_offers_no_archived_client_but_a_deal_keeps_and_shows_its_own(
        client, busy_client, sales_manager):
    deal = busy_client.deals.first()
    party_services.archive_client(busy_client, by=sales_manager)
    other = ClientFactory(name="Open Door KG", owner=sales_manager)

    assert list(DealForm(user=sales_manager).fields["client"].queryset) == [other]
    editing = DealForm(user=sales_manager, deal=deal).fields["client"].queryset
    assert sorted(c.name for c in editing) == ["Busy Bee GmbH", "Open Door KG"]

    client.force_login(sales_manager)
    page = client.get(reverse("crm:deal-detail", args=[deal.pk]))
    assert page.status_code == 200 and "Busy Bee GmbH" in page.content.decode()
    # The new deal's client picker lists no client in the page; its search offers the open one only.
    new_deal_page = client.get(reverse("crm:deal-create")).content.decode()
    assert "Busy Bee GmbH" not in new_deal_page and "Open Door KG" not in new_deal_page
    offered = "".join(client.get(reverse("parties:client-picker"), {"q": text}).content.decode()
                      for text in ("Busy", "Door"))
    assert "Busy Bee GmbH" not in offered and "Open Door KG" in offered
    # The deal that names the archived client shows it in its picker.
    assert "Busy Bee GmbH" in client.get(reverse("crm:deal-edit", args=[deal.pk])).content.decode()


# --- API --------------------------------------------------------------------------------------------

def test_api_delete_of_a_client_with_deals_is_409_and_nothing_is_deleted(api, busy_client, sales_manager):
    response = api(sales_manager).delete(f"/api/v1/clients/{busy_client.pk}")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "referenced" and body["field"] is None
    assert "is used by 3 deals, 2 interactions" in body["message"]
    assert [(r["model"], r["count"]) for r in body["references"]] == [("crm.deal", 3), ("crm.interaction", 2)]
    assert body["errors"] == [{"field": None, "message": body["message"]}]
    assert Client.objects.filter(pk=busy_client.pk).exists() and Deal.objects.count() == 3


def test_api_a_protected_error_that_escapes_a_service_is_409_not_500(api, busy_client, sales_manager,
                                                                     monkeypatch):
    monkeypatch.setattr(party_services, "delete_client", lambda client, *, by: Client.objects.get(
        pk=client.pk).delete())
    response = api(sales_manager).delete(f"/api/v1/clients/{busy_client.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "referenced"
    assert response.json()["references"] == [{"model": "crm.deal", "count": 3, "label": "3 deals"}]


def test_api_new_deal_for_an_archived_client_is_400(api, busy_client, sales_manager):
    party_services.archive_client(busy_client, by=sales_manager)
    response = api(sales_manager).post("/api/v1/crm/deals", {"client_id": busy_client.pk, "title": "More"},
                                       content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("archived", "client")


def test_api_campaign_archive_restore_and_delete(api, sales_manager):
    http = api(sales_manager)
    campaign = CampaignFactory(name="Winter")
    LeadFactory(campaign=campaign)
    assert http.post(f"/api/v1/crm/campaigns/{campaign.pk}/archive").json()["is_archived"] is True
    assert http.get("/api/v1/crm/campaigns").json()["items"] == []
    assert [c["name"] for c in http.get("/api/v1/crm/campaigns?archived=true").json()["items"]] == ["Winter"]
    assert http.post(f"/api/v1/crm/campaigns/{campaign.pk}/restore").json()["is_archived"] is False
    response = http.delete(f"/api/v1/crm/campaigns/{campaign.pk}")
    assert response.status_code == 409 and response.json()["references"][0]["model"] == "crm.lead"


def test_api_pipeline_archive_and_delete(api, sales, sales_manager):
    http = api(sales_manager)
    projects = PipelineFactory(name="Projects")
    assert http.post(f"/api/v1/crm/pipelines/{projects.pk}/archive").json()["is_active"] is False
    assert [p["name"] for p in http.get("/api/v1/crm/pipelines").json()] == ["Sales"]
    assert [p["name"] for p in http.get("/api/v1/crm/pipelines?archived=all").json()] == ["Sales", "Projects"]
    assert http.post(f"/api/v1/crm/pipelines/{sales.pk}/archive").status_code == 409
    assert http.delete(f"/api/v1/crm/pipelines/{projects.pk}").status_code == 204
    assert not Pipeline.objects.filter(pk=projects.pk).exists()


# --- Pages ------------------------------------------------------------------------------------------

def test_delete_page_names_the_references_and_offers_archiving(client, busy_client, sales_manager):
    client.force_login(sales_manager)
    url = reverse("parties:client-delete", args=[busy_client.pk])
    page = client.get(url).content.decode()
    assert "is used by 3 deals, 2 interactions" in page
    assert reverse("parties:client-archive", args=[busy_client.pk]) in page

    response = client.post(url)
    assert response.status_code == 409
    assert "is used by 3 deals, 2 interactions" in response.content.decode()
    assert Client.objects.filter(pk=busy_client.pk).exists()


def test_page_a_protected_error_that_escapes_is_a_clear_409_page(client, busy_client, sales_manager, monkeypatch):
    monkeypatch.setattr(party_services, "delete_client", lambda client, *, by: Client.objects.get(
        pk=client.pk).delete())
    monkeypatch.setattr(deletion, "_BLOCKERS", [])  # the page does not know in advance either
    client.force_login(sales_manager)
    response = client.post(reverse("parties:client-delete", args=[busy_client.pk]))
    assert response.status_code == 409
    assert "This record is used by 3 deals" in response.content.decode()
    assert Client.objects.filter(pk=busy_client.pk).exists()


def test_campaign_page_archives_and_the_list_shows_it_under_archived(client, sales_manager):
    campaign = CampaignFactory(name="Old mailing")
    CampaignFactory(name="New mailing")
    client.force_login(sales_manager)
    response = client.post(reverse("crm:campaign-archive", args=[campaign.pk]))
    assert response.status_code == 302
    assert "archived" in client.get(response.url).content.decode()  # the message, shown once
    assert Campaign.objects.get(pk=campaign.pk).is_archived
    listing = client.get(reverse("crm:campaign-list")).content.decode()
    assert "New mailing" in listing and "Old mailing" not in listing
    assert "Old mailing" in client.get(reverse("crm:campaign-list"), {"archived": "true"}).content.decode()
    assert reverse("crm:campaign-restore", args=[campaign.pk]) in client.get(
        reverse("crm:campaign-detail", args=[campaign.pk])).content.decode()
    # A new lead cannot pick it; the form does not offer it.
    from tandem.crm.views.leads import LeadForm

    assert "Old mailing" not in [c.name for c in LeadForm(user=sales_manager).fields["campaign"].queryset]
