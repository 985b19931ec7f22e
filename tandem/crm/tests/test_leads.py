"""Lead rules: creation, record rules, qualification with the duplicate check, disqualification, reopening."""

from decimal import Decimal

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, EventAttendee, Lead
from tandem.crm.queries.visibility import visible_leads
from tandem.crm.services import leads as services
from tandem.crm.tests.factories import PipelineFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory, SourceFactory


@pytest.fixture
def pipeline(db):
    return PipelineFactory(name="Sales", is_default=True)


def test_create_lead_normalises_phone_and_email_and_audits(sales_rep):
    lead = services.create_lead(by=sales_rep, name=" Lena Berg ", company_name="Berg AG",
                                phone="+49 (30) 123-4567", email=" Lena@Berg.Example ")
    assert (lead.name, lead.phone, lead.email) == ("Lena Berg", "+49301234567", "lena@berg.example")
    assert lead.owner == sales_rep
    assert lead.status == Lead.Status.NEW
    assert AuditEntry.objects.filter(action="crm.lead.created", object_id=str(lead.pk)).exists()


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"name": "  ", "email": "a@b.example"}, "name", "required"),
    ({"name": "Lena"}, "email", "contact_required"),
    ({"name": "Lena", "phone": "12"}, "phone", "invalid_phone"),
    ({"name": "Lena", "email": "not-an-email"}, "email", "invalid"),
])
def test_create_lead_refuses_bad_input_and_writes_nothing(sales_rep, values, field, code):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_lead(by=sales_rep, **values)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert Lead.objects.count() == 0


def test_event_brings_its_campaign_and_source_and_lists_the_lead_as_attendee(sales_rep):
    source = SourceFactory(name="Exhibitions", channel="exhibition")
    campaign = CampaignFactory(name="Spring push", source=source)
    event = MarketingEventFactory(name="Hannover Messe", campaign=campaign)
    lead = services.create_lead(by=sales_rep, name="Lena", email="lena@x.example", event=event)
    assert (lead.campaign, lead.source) == (campaign, source)
    assert EventAttendee.objects.filter(event=event, lead=lead).exists()


def test_representative_cannot_give_a_lead_to_someone_else(sales_rep, sales_manager):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_lead(by=sales_rep, name="Lena", email="l@x.example", owner=sales_manager)
    assert exc.value.field == "owner"
    lead = services.create_lead(by=sales_manager, name="Lena", email="l@x.example", owner=sales_rep)
    assert lead.owner == sales_rep


def test_representatives_see_only_own_leads(sales_rep, make_user, sales_manager):
    from tandem.core import roles

    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    own = LeadFactory(owner=sales_rep)
    foreign = LeadFactory(owner=other)
    assert list(visible_leads(sales_rep)) == [own]
    assert set(visible_leads(sales_manager)) == {own, foreign}


def test_viewer_cannot_create_leads(viewer):
    with pytest.raises(AccessDenied):
        services.create_lead(by=viewer, name="Lena", email="l@x.example")


def test_update_lead_records_changes(sales_rep):
    lead = LeadFactory(owner=sales_rep, phone="")
    lead = services.update_lead(lead, by=sales_rep, phone="+49 30 1234567", notes="Call after fair")
    assert lead.phone == "+49301234567"
    entry = AuditEntry.objects.get(action="crm.lead.updated")
    assert set(entry.changes) == {"phone", "notes"}


def test_update_lead_refuses_unknown_fields(sales_rep):
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.update_lead(lead, by=sales_rep, status="qualified")
    assert exc.value.field == "status"


# --- Qualification ----------------------------------------------------------------------------------

def test_qualify_creates_client_with_first_source_and_opens_attributed_deal(sales_rep, pipeline):
    source = SourceFactory(name="Exhibitions", channel="exhibition")
    event = MarketingEventFactory(name="Hannover Messe", source=source)
    lead = services.create_lead(by=sales_rep, name="Lena Berg", company_name="Berg AG", email="lena@berg.example",
                                event=event)
    lead = services.qualify_lead(lead, by=sales_rep, amount=Decimal("12000.00"), currency="EUR")
    assert lead.status == Lead.Status.QUALIFIED
    client = lead.client
    # The client is the company; Lena is its contact person with her own email, and the deal's contact.
    assert (client.name, client.kind, client.first_source, client.owner, client.email) == (
        "Berg AG", Client.Kind.B2B, source, sales_rep, "")
    (contact,) = client.contacts.all()
    assert (contact.first_name, contact.last_name, contact.email) == ("Lena", "Berg", "lena@berg.example")
    deal = lead.deal
    assert (deal.client, deal.source, deal.event, deal.owner, deal.amount, deal.contact) == (
        client, source, event, sales_rep, Decimal("12000.00"), contact)
    assert deal.pipeline == pipeline
    # The lead's attendance moves to the client.
    assert EventAttendee.objects.get(event=event, lead=lead).client == client
    entry = AuditEntry.objects.get(action="crm.lead.qualified")
    assert entry.root_object_id == str(client.pk)


def test_qualify_with_a_matching_client_asks_the_user_to_choose(sales_rep, pipeline):
    existing = ClientFactory(name="Berg AG", owner=sales_rep, email="lena@berg.example")
    lead = LeadFactory(owner=sales_rep, email="lena@berg.example")
    with pytest.raises(ConflictError) as exc:
        services.qualify_lead(lead, by=sales_rep)
    assert exc.value.code == "duplicate"
    assert [d["client_id"] for d in exc.value.extra["duplicates"]] == [existing.pk]
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
    assert (Client.objects.count(), Deal.objects.count()) == (1, 0)

    # The user links the existing client.
    lead = services.qualify_lead(lead, by=sales_rep, client=existing, deal_title="Berg AG: 20 pumps")
    assert lead.client == existing
    assert lead.deal.title == "Berg AG: 20 pumps"
    assert Client.objects.count() == 1


def test_qualify_can_create_a_new_client_despite_a_match(sales_rep, pipeline):
    ClientFactory(name="Berg AG", owner=sales_rep, phone="+49301234567")
    lead = LeadFactory(owner=sales_rep, email="", phone="+49301234567")
    lead = services.qualify_lead(lead, by=sales_rep, create_client=True)
    assert Client.objects.count() == 2
    assert lead.client.contacts.get().phone == "+49301234567" and lead.deal.contact.phone == "+49301234567"


def test_linking_fills_a_missing_first_source_but_keeps_an_existing_one(sales_rep, pipeline):
    first, second = SourceFactory(name="Website"), SourceFactory(name="Referral")
    without = ClientFactory(owner=sales_rep)
    with_source = ClientFactory(owner=sales_rep, first_source=first)
    lead = services.qualify_lead(LeadFactory(owner=sales_rep, source=second), by=sales_rep, client=without)
    assert Client.objects.get(pk=without.pk).first_source == second
    lead = services.qualify_lead(LeadFactory(owner=sales_rep, source=second), by=sales_rep, client=with_source)
    assert Client.objects.get(pk=with_source.pk).first_source == first
    assert lead.deal.source == second


def test_a_representative_cannot_link_another_owners_client(sales_rep, make_user, pipeline):
    from tandem.core import roles

    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    foreign = ClientFactory(owner=other)
    with pytest.raises(BusinessRuleError) as exc:
        services.qualify_lead(LeadFactory(owner=sales_rep), by=sales_rep, client=foreign)
    assert exc.value.field == "client"


def test_qualify_without_pipeline_writes_nothing(sales_rep):
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.qualify_lead(lead, by=sales_rep)
    assert exc.value.code == "no_pipeline"
    lead.refresh_from_db()
    assert (lead.status, lead.client, Client.objects.count()) == (Lead.Status.NEW, None, 0)


def test_a_qualified_lead_cannot_be_qualified_again_or_changed(sales_rep, pipeline):
    lead = services.qualify_lead(LeadFactory(owner=sales_rep), by=sales_rep)
    with pytest.raises(ConflictError):
        services.qualify_lead(lead, by=sales_rep, create_client=True)
    with pytest.raises(BusinessRuleError) as exc:
        services.update_lead(lead, by=sales_rep, name="Someone else")
    assert exc.value.code == "lead_qualified"
    services.update_lead(lead, by=sales_rep, notes="Signed at the fair")
    assert Deal.objects.count() == 1


# --- Disqualification -------------------------------------------------------------------------------

def test_disqualify_requires_a_reason(sales_rep):
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.disqualify_lead(lead, by=sales_rep, reason="   ")
    assert exc.value.field == "reason"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_disqualify_and_reopen(sales_rep):
    lead = services.disqualify_lead(LeadFactory(owner=sales_rep), by=sales_rep, reason="Student, no budget")
    assert (lead.status, lead.disqualify_reason) == (Lead.Status.DISQUALIFIED, "Student, no budget")
    entry = AuditEntry.objects.get(action="crm.lead.disqualified")
    assert entry.changes["reason"] == "Student, no budget"
    assert not lead.can_qualify()
    lead = services.reopen_lead(lead, by=sales_rep)
    assert (lead.status, lead.disqualify_reason) == (Lead.Status.NEW, "")
