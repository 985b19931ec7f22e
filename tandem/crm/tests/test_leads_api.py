"""The leads API: list with record rules and filters, create, patch, qualify, disqualify; refusals write nothing."""

from contextlib import contextmanager

import pytest

from tandem.core import roles
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Lead
from tandem.crm.tests.factories import PipelineFactory
from tandem.crm.tests.factories_marketing import LeadFactory, MarketingEventFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory, SourceFactory

JSON = "application/json"
URL = "/api/v1/crm/leads"


@pytest.fixture
def unchanged(db):
    @contextmanager
    def check():
        before = [m.objects.count() for m in (Lead, Client, Deal, AuditEntry)]
        yield
        assert [m.objects.count() for m in (Lead, Client, Deal, AuditEntry)] == before

    return check


@pytest.fixture
def pipeline(db):
    return PipelineFactory(name="Sales", is_default=True)


def test_list_shows_own_leads_to_a_representative_and_filters(api, sales_rep, sales_manager, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    source = SourceFactory(name="Website")
    own = LeadFactory(owner=sales_rep, source=source, company_name="Berg AG")
    LeadFactory(owner=sales_rep)
    LeadFactory(owner=other, source=source)
    body = api(sales_rep).get(URL).json()
    assert body["count"] == 2
    assert {item["owner"]["id"] for item in body["items"]} == {sales_rep.pk}
    body = api(sales_rep).get(f"{URL}?source_id={source.pk}").json()
    assert [item["id"] for item in body["items"]] == [own.pk]
    assert body["items"][0]["source"] == {"id": source.pk, "name": "Website"}
    assert api(sales_manager).get(f"{URL}?source_id={source.pk}").json()["count"] == 2
    assert api(sales_manager).get(f"{URL}?q=berg&page_size=1").json()["count"] == 1


def test_a_representative_gets_404_for_another_owners_lead(api, sales_rep, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    lead = LeadFactory(owner=other)
    http = api(sales_rep)
    assert http.get(f"{URL}/{lead.pk}").status_code == 404
    assert http.post(f"{URL}/{lead.pk}/disqualify", {"reason": "x"}, content_type=JSON).status_code == 404


def test_create_get_and_patch(api, sales_rep):
    event = MarketingEventFactory(name="Hannover Messe")
    http = api(sales_rep)
    response = http.post(URL, {"name": "Lena Berg", "company_name": "Berg AG", "phone": "+49 30 1234567",
                               "event_id": event.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phone"], body["status"], body["event"]["name"]) == ("+49301234567", "new", "Hannover Messe")
    assert body["actions"] == ["qualify", "disqualify"]
    response = http.patch(f"{URL}/{body['id']}", {"notes": "Wants 20 pumps"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["notes"] == "Wants 20 pumps"
    assert http.get(f"{URL}/{body['id']}").json()["name"] == "Lena Berg"


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({}, "name", "invalid"),
    ({"name": "Lena"}, "email", "contact_required"),
    ({"name": "Lena", "phone": "abc"}, "phone", "invalid_phone"),
    ({"name": "Lena", "email": "nope"}, "email", "invalid"),
    ({"name": "Lena", "email": "l@x.example", "source_id": 999999}, "source_id", "unknown_reference"),
    ({"name": "Lena", "email": "l@x.example", "campaign_id": "spring"}, "campaign_id", "invalid"),
    ({"name": "Lena", "email": "l@x.example", "status": "qualified"}, "status", "invalid"),
])
def test_bad_input_is_400_with_field_and_nothing_written(api, sales_rep, unchanged, payload, field, code):
    http = api(sales_rep)
    with unchanged():
        response = http.post(URL, payload, content_type=JSON)
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


def test_qualify_reports_duplicates_then_links_the_chosen_client(api, sales_rep, pipeline, unchanged):
    existing = ClientFactory(owner=sales_rep, email="lena@berg.example", name="Berg AG")
    lead = LeadFactory(owner=sales_rep, email="lena@berg.example")
    http = api(sales_rep)
    with unchanged():
        response = http.post(f"{URL}/{lead.pk}/qualify", {}, content_type=JSON)
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("duplicate", "client")
    assert body["duplicates"][0]["client_id"] == existing.pk

    response = http.post(f"{URL}/{lead.pk}/qualify", {"client_id": existing.pk, "amount": "1250.00"},
                         content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "qualified"
    assert body["client"]["id"] == existing.pk
    assert Deal.objects.get(pk=body["deal"]["id"]).amount == 1250
    assert body["actions"] == []


def test_qualify_refuses_float_amounts_and_unknown_clients(api, sales_rep, pipeline, unchanged):
    lead = LeadFactory(owner=sales_rep)
    http = api(sales_rep)
    with unchanged():
        response = http.post(f"{URL}/{lead.pk}/qualify", {"amount": 12.5}, content_type=JSON)
        assert (response.status_code, response.json()["field"]) == (400, "amount")
        response = http.post(f"{URL}/{lead.pk}/qualify", {"client_id": 999999}, content_type=JSON)
        assert (response.status_code, response.json()["field"]) == (400, "client_id")
        response = http.post(f"{URL}/{lead.pk}/qualify", {"create_client": True, "currency": "XX1"},
                             content_type=JSON)
        assert (response.status_code, response.json()["field"]) == (400, "currency")


def test_disqualify_needs_a_reason(api, sales_rep, unchanged):
    lead = LeadFactory(owner=sales_rep)
    http = api(sales_rep)
    with unchanged():
        response = http.post(f"{URL}/{lead.pk}/disqualify", {"reason": "  "}, content_type=JSON)
        assert (response.status_code, response.json()["field"]) == (400, "reason")
        response = http.post(f"{URL}/{lead.pk}/disqualify", {}, content_type=JSON)
        assert (response.status_code, response.json()["field"]) == (400, "reason")
    response = http.post(f"{URL}/{lead.pk}/disqualify", {"reason": "No budget"}, content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["disqualify_reason"]) == ("disqualified", "No budget")
    assert response.json()["actions"] == ["reopen"]
    response = http.post(f"{URL}/{lead.pk}/reopen", content_type=JSON)
    assert response.json()["status"] == "new"


def test_viewer_cannot_create(api, viewer, unchanged):
    http = api(viewer)
    with unchanged():
        response = http.post(URL, {"name": "Lena", "email": "l@x.example"}, content_type=JSON)
    assert response.status_code == 403
