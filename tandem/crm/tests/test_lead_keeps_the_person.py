"""Qualifying a lead keeps the person: a company lead becomes a client with a contact person (the person's
name, phone and email), the deal gets that contact, and the lead's notes and history reach the client's
timeline."""

import json

import pytest
from django.urls import reverse

from tandem.core.models import AuditEntry
from tandem.crm.models import Interaction, Lead
from tandem.crm.queries.timeline import build_timeline
from tandem.crm.services import leads as services
from tandem.parties.models import Client, Contact
from tandem.parties.tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(sales):
    return sales


def test_company_lead_becomes_client_with_a_contact_person_and_notes(sales_rep, pipeline):
    lead = services.create_lead(by=sales_rep, name="Anna Maria Schulz", company_name="Schulz Hydraulik GmbH",
                                email="Anna@Schulz.example", phone="+49 30 1234567", notes="Wants 12 pumps in May.")
    services.update_lead(lead, by=sales_rep, notes="Wants 12 pumps in May. Call after 3 pm.")
    lead = services.qualify_lead(lead, by=sales_rep)

    client = lead.client
    assert (client.name, client.kind, client.email, client.phone) == ("Schulz Hydraulik GmbH", "b2b", "", "")
    contact = Contact.objects.get(client=client)
    assert (contact.first_name, contact.last_name, contact.email, contact.phone) == (
        "Anna Maria", "Schulz", "anna@schulz.example", "+49301234567")
    assert lead.deal.contact == contact

    note = Interaction.objects.get(client=client)
    assert (note.kind, note.text, note.contact, note.deal) == (
        "note", "Wants 12 pumps in May. Call after 3 pm.", contact, lead.deal)
    assert note.occurred_at == Lead.objects.get(pk=lead.pk).created_at

    # On the client's timeline: the note and the lead's own history (created, changed, qualified).
    timeline = build_timeline(sales_rep, client, limit=50)
    notes = [i.obj for i in timeline.items if i.kind == "interaction"]
    assert [n.text for n in notes] == ["Wants 12 pumps in May. Call after 3 pm."]
    actions = {i.obj.action for i in timeline.items if i.kind == "audit"}
    assert {"crm.lead.created", "crm.lead.updated", "crm.lead.qualified", "parties.contact.created"} <= actions


def test_person_lead_keeps_the_person_as_client_and_keeps_notes(sales_rep, pipeline):
    lead = services.create_lead(by=sales_rep, name="Jonas Weber", email="jonas@mail.example",
                                phone="+49 171 5550000", notes="Private garden pump.")
    lead = services.qualify_lead(lead, by=sales_rep)
    client = lead.client
    assert (client.name, client.kind, client.email, client.phone) == (
        "Jonas Weber", "b2c", "jonas@mail.example", "+491715550000")
    assert not client.contacts.exists() and lead.deal.contact is None
    assert Interaction.objects.get(client=client).text == "Private garden pump."
    actions = {i.obj.action for i in build_timeline(sales_rep, client, limit=50).items if i.kind == "audit"}
    assert "crm.lead.created" in actions


def test_linking_a_business_client_reuses_a_contact_with_the_same_email(sales_rep, pipeline):
    client = ClientFactory(owner=sales_rep, kind=Client.Kind.B2B, name="Berg AG")
    known = ContactFactory(client=client, first_name="Lena", last_name="Berg", email="lena@berg.example")
    lead = services.create_lead(by=sales_rep, name="Lena Berg", company_name="Berg AG", email="lena@berg.example")
    lead = services.qualify_lead(lead, by=sales_rep, client=client)
    assert list(client.contacts.all()) == [known] and lead.deal.contact == known
    assert not Interaction.objects.filter(client=client).exists()  # the lead had no notes


def test_a_lead_with_no_notes_writes_no_note(sales_rep, pipeline):
    lead = services.qualify_lead(services.create_lead(by=sales_rep, name="Ole Nord", company_name="Nord KG",
                                                      phone="+49 40 5551234"), by=sales_rep)
    assert not Interaction.objects.filter(client=lead.client).exists()
    assert AuditEntry.objects.filter(action="parties.contact.created").count() == 1


def test_api_qualify_answers_with_the_contact(api, sales_rep, pipeline):
    lead = services.create_lead(by=sales_rep, name="Eva Krause", company_name="Krause Bau AG",
                                email="eva@krause.example", notes="Met at the fair.")
    response = api(sales_rep).post(f"/api/v1/crm/leads/{lead.pk}/qualify", json.dumps({}),
                                   content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["contact"]["name"] == "Eva Krause" and body["client"]["name"] == "Krause Bau AG"
    deal = api(sales_rep).get(f"/api/v1/crm/deals/{body['deal']['id']}").json()
    assert deal["contact"]["id"] == body["contact"]["id"]
    timeline = api(sales_rep).get(f"/api/v1/crm/clients/{body['client']['id']}/timeline").json()
    assert "Met at the fair." in json.dumps(timeline)


def test_lead_page_and_client_timeline_show_the_person(client, sales_rep, pipeline):
    lead = services.create_lead(by=sales_rep, name="Eva Krause", company_name="Krause Bau AG",
                                email="eva@krause.example", notes="Met at the fair.")
    lead = services.qualify_lead(lead, by=sales_rep)
    client.force_login(sales_rep)
    page = client.get(reverse("crm:lead-detail", args=[lead.pk])).content.decode()
    assert "data-lead-contact>Eva Krause<" in page
    page = client.get(reverse("crm:client-timeline", args=[lead.client_id])).content.decode()
    assert "Met at the fair." in page and "created the lead" in page
