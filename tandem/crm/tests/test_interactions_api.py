"""REST API: interactions and the client timeline."""

import datetime

import pytest
from django.utils import timezone

from tandem.core import roles
from tandem.core.models import AuditEntry
from tandem.crm.models import Interaction
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import InteractionFactory
from tandem.parties.tests.factories import ClientFactory, ContactFactory

BASE = "/api/v1/crm"


def counts():
    return Interaction.objects.count(), AuditEntry.objects.count()


def test_create_get_patch_delete(api, sales_rep, own_client):
    http = api(sales_rep)
    contact = ContactFactory(client=own_client)
    response = http.post(f"{BASE}/interactions", {
        "client_id": own_client.pk, "kind": "call_in", "contact_id": contact.pk, "duration_minutes": 3,
        "outcome": "reached", "text": "Asked for a quote",
    }, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["contact_id"], body["author_id"]) == ("call_in", contact.pk, sales_rep.pk)

    url = f"{BASE}/interactions/{body['id']}"
    assert http.get(url).json()["text"] == "Asked for a quote"
    patched = http.patch(url, {"outcome": "", "duration_minutes": 4}, content_type="application/json")
    assert patched.status_code == 200
    assert (patched.json()["outcome"], patched.json()["duration_minutes"]) == ("", 4)
    assert http.delete(url).status_code == 204
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "note", "text": "x", "duration_minutes": 5}, "duration_minutes"),
        ({"kind": "sms", "outcome": "busy"}, "outcome"),
        ({"kind": "call_out", "duration_minutes": -2}, "duration_minutes"),
        ({"kind": "letter"}, "kind"),
        ({"kind": "note", "text": "x", "deal_id": 999999}, "deal_id"),
    ],
)
def test_refusals_are_400_with_field_and_message(api, sales_rep, own_client, payload, field):
    http = api(sales_rep)
    before = counts()
    response = http.post(f"{BASE}/interactions", {"client_id": own_client.pk, **payload},
                                   content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body["message"]
    assert counts() == before


def test_contact_of_another_client_is_refused(api, sales_rep, own_client):
    other_contact = ContactFactory(client=ClientFactory(owner=sales_rep))
    http = api(sales_rep)
    before = counts()
    response = http.post(f"{BASE}/interactions", {"client_id": own_client.pk, "kind": "meeting",
                                                            "contact_id": other_contact.pk},
                                   content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "foreign_contact"
    assert response.json()["field"] == "contact"
    assert counts() == before


def test_list_filters_by_client_and_kind(api, sales_rep, own_client):
    InteractionFactory(client=own_client, kind="call_out")
    InteractionFactory(client=own_client, kind="note")
    InteractionFactory(client=ClientFactory(owner=sales_rep), kind="call_in")
    http = api(sales_rep)
    assert http.get(f"{BASE}/interactions").json()["count"] == 3
    assert http.get(f"{BASE}/interactions", {"client_id": own_client.pk}).json()["count"] == 2
    items = http.get(f"{BASE}/interactions", {"client_id": own_client.pk, "kind": "call"}).json()["items"]
    assert [i["kind"] for i in items] == ["call_out"]


def test_representative_cannot_see_or_write_another_owners_clients_interactions(api, sales_rep, foreign_client):
    note = InteractionFactory(client=foreign_client)
    http = api(sales_rep)
    assert http.get(f"{BASE}/interactions").json()["count"] == 0
    assert http.get(f"{BASE}/interactions/{note.pk}").status_code == 404
    assert http.patch(f"{BASE}/interactions/{note.pk}", {"text": "x"},
                      content_type="application/json").status_code == 404
    assert http.delete(f"{BASE}/interactions/{note.pk}").status_code == 404
    assert http.get(f"{BASE}/clients/{foreign_client.pk}/timeline").status_code == 404
    before = counts()
    response = http.post(f"{BASE}/interactions", {"client_id": foreign_client.pk, "kind": "note", "text": "x"},
                         content_type="application/json")
    assert response.status_code == 404
    assert counts() == before


def test_colleague_cannot_change_the_authors_interaction(api, sales_manager, make_user):
    colleague = make_user(roles.SALES_MANAGER, username="manager2")
    client = ClientFactory(owner=sales_manager)
    note = InteractionFactory(client=client, created_by=colleague)
    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep9")
    client.owner = rep
    client.save()
    response = api(rep).patch(f"{BASE}/interactions/{note.pk}", {"text": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert api(sales_manager).patch(f"{BASE}/interactions/{note.pk}", {"text": "ok"},
                                    content_type="application/json").status_code == 200


def test_timeline_endpoint_with_type_and_paging(api, sales_rep, own_client):
    now = timezone.now()
    for minutes in (1, 2, 3):  # distinct times: the page cursor is a time
        InteractionFactory(client=own_client, kind="note", occurred_at=now - datetime.timedelta(minutes=minutes))
    DealFactory(client=own_client, owner=sales_rep, title="Big order")
    http = api(sales_rep)
    url = f"{BASE}/clients/{own_client.pk}/timeline"

    body = http.get(url).json()
    assert {i["kind"] for i in body["items"]} == {"interaction", "deal"}
    deals = http.get(url, {"type": "deal"}).json()
    assert [(i["event"], i["title"]) for i in deals["items"]] == [("opened", "Big order")]

    first = http.get(url, {"type": "note", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["older"]
    second = http.get(url, {"type": "note", "limit": 2, "before": first["older"]}).json()
    assert len(second["items"]) == 1 and second["older"] is None
    assert http.get(url, {"type": "bogus"}).status_code == 400
