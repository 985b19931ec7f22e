"""Complaints: registration with a deadline by severity, the status flow with a required resolution,
overdue listing, and the web pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Complaint
from tandem.crm.queries.visibility import visible_complaints
from tandem.crm.services import complaints as services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import ComplaintCategoryFactory, ComplaintFactory


@pytest.fixture(autouse=True)
def quality_category(db):
    """The "quality" row of the data migration, made again if a live-server test flushed the database."""
    return ComplaintCategoryFactory()


def category(code: str) -> int:
    """A form posts the category's id; the data migration made one row per former code."""
    return ComplaintCategoryFactory(code=code).pk


def counts():
    return Complaint.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize(("severity", "days"), [("critical", 1), ("high", 3), ("medium", 7), ("low", 14)])
def test_deadline_defaults_by_severity(sales_rep, own_client, severity, days):
    before = timezone.now()
    complaint = services.register_complaint(by=sales_rep, client=own_client, category="quality",
                                            severity=severity, description="Cracked housing")
    assert before + datetime.timedelta(days=days) <= complaint.deadline <= timezone.now() + datetime.timedelta(
        days=days)
    assert complaint.assignee == sales_rep
    assert complaint.status == Complaint.Status.NEW
    assert AuditEntry.objects.get(action="crm.complaint.created").root_object_id == str(own_client.pk)


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"description": "  "}, "description", "required"),
        ({"category": "weather"}, "category", "invalid_category"),
        ({"severity": "apocalyptic"}, "severity", "invalid_severity"),
        ({"deadline": timezone.now() - datetime.timedelta(hours=1)}, "deadline", "deadline_in_past"),
    ],
)
def test_registration_refusals(sales_rep, own_client, values, field, code):
    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        services.register_complaint(by=sales_rep, client=own_client,
                                    **{"category": "quality", "description": "x", **values})
    assert (exc.value.field, exc.value.code) == (field, code)
    assert counts() == before


def test_linked_deal_must_be_the_clients(sales_rep, own_client):
    other_deal = DealFactory(owner=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.register_complaint(by=sales_rep, client=own_client, category="billing", description="x",
                                    deal=other_deal)
    assert exc.value.field == "deal"
    deal = DealFactory(client=own_client, owner=sales_rep)
    assert services.register_complaint(by=sales_rep, client=own_client, category="billing", description="x",
                                       deal=deal).deal == deal


def test_status_flow_with_required_resolution(sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client)
    complaint = services.start_complaint(complaint, by=sales_rep)
    assert complaint.status == Complaint.Status.IN_PROGRESS
    with pytest.raises(ConflictError):
        services.start_complaint(complaint, by=sales_rep)

    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        services.resolve_complaint(complaint, by=sales_rep, resolution="   ")
    assert (exc.value.field, exc.value.code) == ("resolution", "resolution_required")
    assert counts() == before
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.IN_PROGRESS

    complaint = services.resolve_complaint(complaint, by=sales_rep, resolution="Replaced the unit")
    assert (complaint.status, complaint.resolution) == (Complaint.Status.RESOLVED, "Replaced the unit")
    assert complaint.closed_at is not None
    entry = AuditEntry.objects.get(action="crm.complaint.resolved")
    assert entry.changes == {"status": ["in_progress", "resolved"], "resolution": "Replaced the unit"}

    with pytest.raises(ConflictError):
        services.reject_complaint(complaint, by=sales_rep, resolution="no")
    complaint = services.reopen_complaint(complaint, by=sales_rep)
    assert (complaint.status, complaint.closed_at) == (Complaint.Status.IN_PROGRESS, None)
    with pytest.raises(ConflictError):
        services.reopen_complaint(complaint, by=sales_rep)
    complaint = services.reject_complaint(complaint, by=sales_rep, resolution="Misuse")
    assert complaint.status == Complaint.Status.REJECTED


def test_new_complaint_may_be_rejected_directly(sales_rep, own_client):
    complaint = services.reject_complaint(ComplaintFactory(client=own_client), by=sales_rep,
                                          resolution="Duplicate of #1")
    assert complaint.status == Complaint.Status.REJECTED


def test_viewer_cannot_change(viewer, own_client):
    with pytest.raises(AccessDenied):
        services.start_complaint(ComplaintFactory(client=own_client), by=viewer)


def test_overdue_filter(sales_rep, own_client):
    now = timezone.now()
    late = ComplaintFactory(client=own_client, deadline=now - datetime.timedelta(hours=2))
    ComplaintFactory(client=own_client, deadline=now + datetime.timedelta(days=1))
    ComplaintFactory(client=own_client, deadline=now - datetime.timedelta(days=3),
                     status=Complaint.Status.RESOLVED)
    overdue = services.filter_complaints(visible_complaints(sales_rep), overdue=True, now=now)
    assert list(overdue) == [late]
    assert late.is_overdue(now)


def test_representative_sees_complaints_of_own_clients_only(sales_rep, own_client, foreign_client):
    mine = ComplaintFactory(client=own_client)
    ComplaintFactory(client=foreign_client)
    assert list(visible_complaints(sales_rep)) == [mine]


# --- Web --------------------------------------------------------------------------------------------


def test_list_highlights_overdue_and_filters(client, sales_manager, own_client):
    late = ComplaintFactory(client=own_client, deadline=timezone.now() - datetime.timedelta(hours=1))
    on_time = ComplaintFactory(client=own_client, severity="low")
    client.force_login(sales_manager)
    response = client.get(reverse("crm:complaint-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="complaint-{late.pk}" class="overdue"' in html
    assert f'id="complaint-{on_time.pk}">' in html

    response = client.get(reverse("crm:complaint-list"), {"overdue": "on"})
    assert [c.pk for c in response.context["complaints"]] == [late.pk]
    response = client.get(reverse("crm:complaint-list"), {"severity": "low"})
    assert [c.pk for c in response.context["complaints"]] == [on_time.pk]


def test_register_from_client_card(client, sales_rep, own_client):
    client.force_login(sales_rep)
    url = reverse("crm:complaint-create")
    page = client.get(url, {"client": own_client.pk})
    assert page.status_code == 200
    assert page.context["form"]["client"].value() == own_client.pk

    response = client.post(f"{url}?client={own_client.pk}", {"client": own_client.pk, "category": category("delivery"),
                                                              "severity": "high", "description": "Late again"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("crm:complaint-detail", args=[complaint.pk])
    assert complaint.severity == "high"


def test_detail_actions_and_resolution_required(client, sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client)
    client.force_login(sales_rep)
    assert client.get(reverse("crm:complaint-detail", args=[complaint.pk])).status_code == 200
    assert client.post(reverse("crm:complaint-start", args=[complaint.pk])).status_code == 302

    response = client.post(reverse("crm:complaint-resolve", args=[complaint.pk]), {"resolution": ""})
    assert response.status_code == 400
    assert "Write down the resolution." in response.content.decode()
    response = client.post(reverse("crm:complaint-resolve", args=[complaint.pk]), {"resolution": "Refunded"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED
    assert client.post(reverse("crm:complaint-reopen", args=[complaint.pk])).status_code == 302


def test_another_owners_complaint_is_404(client, sales_rep, foreign_client):
    complaint = ComplaintFactory(client=foreign_client)
    client.force_login(sales_rep)
    assert client.get(reverse("crm:complaint-detail", args=[complaint.pk])).status_code == 404
    assert client.post(reverse("crm:complaint-start", args=[complaint.pk])).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.NEW


# --- Editing ----------------------------------------------------------------------------------------


def test_edit_is_audited(sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client, status=Complaint.Status.IN_PROGRESS)
    deal = DealFactory(client=own_client, owner=sales_rep)
    deadline = timezone.now() + datetime.timedelta(days=2)
    updated = services.update_complaint(complaint, by=sales_rep, severity="high", description="  Bent frame ",
                                        deal=deal, deadline=deadline)
    assert (updated.severity, updated.description, updated.deal, updated.deadline) == (
        "high", "Bent frame", deal, deadline)
    entry = AuditEntry.objects.get(action="crm.complaint.updated")
    assert entry.root_object_id == str(own_client.pk)
    assert set(entry.changes) == {"severity", "description", "deal", "deadline"}
    assert entry.changes["severity"] == ["medium", "high"]


def test_unchanged_past_deadline_may_stay(sales_rep, own_client):
    past = timezone.now() - datetime.timedelta(hours=1)
    complaint = ComplaintFactory(client=own_client, deadline=past)
    updated = services.update_complaint(complaint, by=sales_rep, deadline=past, description="New text")
    assert updated.description == "New text"
    with pytest.raises(BusinessRuleError) as exc:
        services.update_complaint(complaint, by=sales_rep, deadline=past - datetime.timedelta(hours=1))
    assert exc.value.field == "deadline"


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"description": " "}, "description", "required"),
        ({"status": "resolved"}, "status", "unknown_field"),
        ({"category": "weather"}, "category", "invalid_category"),
        ({"deadline": timezone.now() - datetime.timedelta(hours=1)}, "deadline", "deadline_in_past"),
    ],
)
def test_edit_refusals_write_nothing(sales_rep, own_client, values, field, code):
    complaint = ComplaintFactory(client=own_client)
    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        services.update_complaint(complaint, by=sales_rep, **values)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert counts() == before


def test_edit_refuses_foreign_deal_and_inactive_assignee(sales_rep, own_client, make_user):
    complaint = ComplaintFactory(client=own_client)
    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        services.update_complaint(complaint, by=sales_rep, deal=DealFactory(owner=sales_rep))
    assert (exc.value.field, exc.value.code) == ("deal", "foreign_deal")
    gone = make_user(roles.SALES_REPRESENTATIVE, username="gone", is_active=False)
    with pytest.raises(BusinessRuleError) as exc:
        services.update_complaint(complaint, by=sales_rep, assignee=gone)
    assert exc.value.field == "assignee"
    assert counts()[1] == before[1]
    complaint.refresh_from_db()
    assert (complaint.deal, complaint.assignee) == (None, sales_rep)


def test_closed_complaint_cannot_be_edited(sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client, status=Complaint.Status.RESOLVED)
    before = counts()
    with pytest.raises(ConflictError) as exc:
        services.update_complaint(complaint, by=sales_rep, description="Changed")
    assert exc.value.field == "status"
    assert counts() == before
    complaint.refresh_from_db()
    assert complaint.description != "Changed"


def test_viewer_cannot_edit(viewer, own_client):
    with pytest.raises(AccessDenied):
        services.update_complaint(ComplaintFactory(client=own_client), by=viewer, description="x")


def test_edit_page(client, sales_rep, own_client):
    complaint = ComplaintFactory(client=own_client)
    url = reverse("crm:complaint-edit", args=[complaint.pk])
    client.force_login(sales_rep)
    assert url in client.get(reverse("crm:complaint-detail", args=[complaint.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "client" not in page.context["form"].fields
    deadline = timezone.localtime(complaint.deadline).strftime("%Y-%m-%dT%H:%M")
    data = {"category": category("billing"), "severity": "low", "description": "Wrong invoice", "deal": "",
            "assignee": sales_rep.pk, "deadline": deadline}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    complaint.refresh_from_db()
    assert (complaint.category.name, complaint.description) == ("Billing", "Wrong invoice")
    assert AuditEntry.objects.filter(action="crm.complaint.updated").count() == 1

    foreign_deal = DealFactory(owner=sales_rep)
    before = counts()
    response = client.post(url, {**data, "deal": foreign_deal.pk})
    assert response.status_code == 400
    assert counts() == before


def test_edit_page_refusal_is_shown_on_the_form(client, sales_manager, own_client):
    complaint = ComplaintFactory(client=own_client)
    past = timezone.localtime(timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.force_login(sales_manager)
    before = counts()
    response = client.post(reverse("crm:complaint-edit", args=[complaint.pk]),
                           {"category": category("billing"), "severity": "low", "description": "x",
                            "assignee": sales_manager.pk, "deadline": past})
    assert response.status_code == 400
    assert response.context["form"].errors["deadline"] == ["The deadline must be in the future."]
    assert counts() == before


def test_edit_button_hidden_when_closed_or_without_permission(client, sales_rep, viewer, own_client):
    complaint = ComplaintFactory(client=own_client, status=Complaint.Status.RESOLVED)
    url = reverse("crm:complaint-edit", args=[complaint.pk])
    client.force_login(sales_rep)
    assert url not in client.get(reverse("crm:complaint-detail", args=[complaint.pk])).content.decode()
    open_one = ComplaintFactory(client=own_client)
    client.force_login(viewer)
    detail = client.get(reverse("crm:complaint-detail", args=[open_one.pk]))
    if detail.status_code == 200:
        assert reverse("crm:complaint-edit", args=[open_one.pk]) not in detail.content.decode()
    assert client.get(reverse("crm:complaint-edit", args=[open_one.pk])).status_code == 403


def test_another_owners_complaint_cannot_be_edited(client, sales_rep, foreign_client):
    complaint = ComplaintFactory(client=foreign_client)
    client.force_login(sales_rep)
    url = reverse("crm:complaint-edit", args=[complaint.pk])
    assert client.get(url).status_code == 404
    before = counts()
    assert client.post(url, {"category": "billing", "severity": "low", "description": "x"}).status_code == 404
    assert counts() == before


# --- Links to new tasks -----------------------------------------------------------------------------


def test_new_task_links_on_client_card_and_deal(client, sales_rep, viewer, own_client):
    deal = DealFactory(client=own_client, owner=sales_rep)
    task_url = reverse("crm:task-create")
    client.force_login(sales_rep)
    card = client.get(reverse("parties:client-detail", args=[own_client.pk])).content.decode()
    assert f"{task_url}?client={own_client.pk}" in card
    page = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert f"{task_url}?deal={deal.pk}" in page
    assert client.get(f"{task_url}?deal={deal.pk}").context["form"]["deal"].value() == str(deal.pk)
    client.force_login(viewer)
    card = client.get(reverse("parties:client-detail", args=[own_client.pk])).content.decode()
    assert task_url not in card
