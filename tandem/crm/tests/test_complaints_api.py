"""REST API: complaints."""

import datetime

import pytest
from django.utils import timezone

from tandem.core.models import AuditEntry
from tandem.crm.models import Complaint
from tandem.crm.tests.factories_activity import ComplaintFactory
from tandem.parties.tests.factories import ClientFactory

BASE = "/api/v1/crm/complaints"


def counts():
    return Complaint.objects.count(), AuditEntry.objects.count()


def post(http, url, data=None):
    return http.post(url, data or {}, content_type="application/json")


def test_register_and_walk_the_status_flow(api, sales_rep, own_client):
    http = api(sales_rep)
    response = post(http, BASE, {"client_id": own_client.pk, "category": "quality", "severity": "critical",
                                 "description": "Leaking valve"})
    assert response.status_code == 201, response.json()
    body = response.json()
    deadline = datetime.datetime.fromisoformat(body["deadline"])
    assert abs(deadline - (timezone.now() + datetime.timedelta(days=1))) < datetime.timedelta(minutes=1)
    assert body["actions"] == ["start", "resolve", "reject"]
    url = f"{BASE}/{body['id']}"

    assert post(http, f"{url}/start").json()["status"] == "in_progress"
    before = counts()
    refused = post(http, f"{url}/resolve", {"resolution": ""})
    assert refused.status_code == 400
    assert (refused.json()["field"], refused.json()["code"]) == ("resolution", "resolution_required")
    assert counts() == before

    resolved = post(http, f"{url}/resolve", {"resolution": "Replaced"}).json()
    assert (resolved["status"], resolved["resolution"], resolved["actions"]) == ("resolved", "Replaced", ["reopen"])
    assert post(http, f"{url}/reject", {"resolution": "x"}).status_code == 409
    assert post(http, f"{url}/reopen").json()["status"] == "in_progress"
    assert post(http, f"{url}/reject", {"resolution": "Not our part"}).json()["status"] == "rejected"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "quality", "description": ""}, "description"),
        ({"category": "mood", "description": "x"}, "category"),
        ({"category": "quality", "description": "x", "assignee_id": 999999}, "assignee_id"),
        ({"category": "quality", "description": "x", "deadline": "2000-01-01T00:00:00Z"}, "deadline"),
    ],
)
def test_register_refusals(api, sales_rep, own_client, payload, field):
    http = api(sales_rep)
    before = counts()
    response = post(http, BASE, {"client_id": own_client.pk, **payload})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["message"]
    assert counts() == before


def test_list_filters_and_overdue(api, sales_rep, own_client):
    late = ComplaintFactory(client=own_client, deadline=timezone.now() - datetime.timedelta(hours=1))
    ComplaintFactory(client=own_client, severity="low")
    http = api(sales_rep)
    body = http.get(BASE).json()
    assert body["count"] == 2
    assert body["items"][0]["id"] == late.pk and body["items"][0]["overdue"] is True
    overdue = http.get(BASE, {"overdue": "true"}).json()
    assert [c["id"] for c in overdue["items"]] == [late.pk]
    assert http.get(BASE, {"severity": "low"}).json()["count"] == 1
    assert http.get(BASE, {"status": "resolved"}).json()["count"] == 0


def test_representative_cannot_reach_another_owners_complaints(api, sales_rep, foreign_client):
    complaint = ComplaintFactory(client=foreign_client)
    http = api(sales_rep)
    assert http.get(BASE).json()["count"] == 0
    assert http.get(f"{BASE}/{complaint.pk}").status_code == 404
    assert post(http, f"{BASE}/{complaint.pk}/start").status_code == 404
    before = counts()
    response = post(http, BASE, {"client_id": foreign_client.pk, "category": "quality", "description": "x"})
    assert response.status_code == 404
    assert counts() == before


def patch(http, url, data):
    return http.patch(url, data, content_type="application/json")


def test_patch_changes_and_audits(api, sales_rep, own_client):
    from tandem.crm.tests.factories import DealFactory

    complaint = ComplaintFactory(client=own_client)
    deal = DealFactory(client=own_client, owner=sales_rep)
    http = api(sales_rep)
    response = patch(http, f"{BASE}/{complaint.pk}", {"severity": "critical", "deal_id": deal.pk,
                                                      "description": "Still leaking"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["severity"], body["deal_id"], body["description"]) == ("critical", deal.pk, "Still leaking")
    entry = AuditEntry.objects.get(action="crm.complaint.updated")
    assert set(entry.changes) == {"severity", "deal", "description"}
    assert patch(http, f"{BASE}/{complaint.pk}", {"deal_id": None}).json()["deal_id"] is None


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"status": "resolved"}, 400, None),
        ({"description": "  "}, 400, "description"),
        ({"assignee_id": 999999}, 400, "assignee_id"),
        ({"deadline": "2000-01-01T00:00:00Z"}, 400, "deadline"),
    ],
)
def test_patch_refusals(api, sales_rep, own_client, payload, status, field):
    complaint = ComplaintFactory(client=own_client)
    http = api(sales_rep)
    before = counts()
    response = patch(http, f"{BASE}/{complaint.pk}", payload)
    assert response.status_code == status
    if field:
        assert response.json()["field"] == field
    assert counts() == before


def test_patch_foreign_deal_refused(api, sales_rep, own_client):
    from tandem.crm.tests.factories import DealFactory

    complaint = ComplaintFactory(client=own_client)
    other = DealFactory(client=ClientFactory(owner=sales_rep), owner=sales_rep)
    http = api(sales_rep)
    before = counts()
    response = patch(http, f"{BASE}/{complaint.pk}", {"deal_id": other.pk})
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["code"]) == ("deal", "foreign_deal")
    assert counts() == before


def test_patch_resolved_complaint_refused(api, sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client, status=Complaint.Status.RESOLVED)
    http = api(sales_rep)
    before = counts()
    response = patch(http, f"{BASE}/{complaint.pk}", {"description": "Changed"})
    assert response.status_code == 409
    assert response.json()["field"] == "status"
    assert counts() == before


def test_patch_another_owners_complaint_is_404(api, sales_rep, foreign_client):
    complaint = ComplaintFactory(client=foreign_client)
    http = api(sales_rep)
    before = counts()
    assert patch(http, f"{BASE}/{complaint.pk}", {"description": "x"}).status_code == 404
    assert counts() == before
    complaint.refresh_from_db()
    assert complaint.description != "x"
