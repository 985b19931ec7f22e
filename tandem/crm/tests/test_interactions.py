"""Interactions: logging rules, changing and deleting own ones; the quick-add form on the client card."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import AuditEntry
from tandem.crm.models import Interaction
from tandem.crm.services.interactions import delete_interaction, log_interaction, update_interaction
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import InteractionFactory
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory

HTMX = {"HX-Request": "true"}


def counts():
    return Interaction.objects.count(), AuditEntry.objects.count()


# --- Service ----------------------------------------------------------------------------------------


def test_log_call_with_contact_deal_and_counterparty(sales_rep, own_client):
    contact = ContactFactory(client=own_client)
    counterparty = CounterpartyFactory(client=own_client)
    deal = DealFactory(client=own_client, owner=sales_rep)

    call = log_interaction(by=sales_rep, client=own_client, kind="call_out", contact=contact, deal=deal,
                           counterparty=counterparty, duration_minutes=12, outcome="reached", text=" Agreed ")

    assert call.created_by == sales_rep
    assert call.text == "Agreed"
    assert call.occurred_at <= timezone.now()
    entry = AuditEntry.objects.get(action="crm.interaction.created")
    assert entry.root_object_id == str(own_client.pk)
    assert entry.changes["duration_minutes"] == 12


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"kind": "note", "duration_minutes": 5, "text": "x"}, "duration_minutes", "duration_not_allowed"),
        ({"kind": "call_in", "duration_minutes": -1}, "duration_minutes", "negative_duration"),
        ({"kind": "meeting", "outcome": "reached"}, "outcome", "outcome_not_allowed"),
        ({"kind": "call_in", "outcome": "maybe"}, "outcome", "invalid_outcome"),
        ({"kind": "visit"}, "kind", "invalid_kind"),
        ({"kind": "note", "text": "  "}, "text", "required"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(sales_rep, own_client, values, field, code):
    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        log_interaction(by=sales_rep, client=own_client, **values)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert counts() == before


@pytest.mark.parametrize("name", ["contact", "counterparty", "deal"])
def test_linked_records_must_belong_to_the_same_client(sales_rep, own_client, name):
    other = ClientFactory(owner=sales_rep)
    linked = {"contact": ContactFactory, "counterparty": CounterpartyFactory,
              "deal": lambda client: DealFactory(client=client, owner=sales_rep)}[name](client=other)
    before = counts()
    with pytest.raises(BusinessRuleError) as exc:
        log_interaction(by=sales_rep, client=own_client, kind="meeting", **{name: linked})
    assert exc.value.field == name
    assert exc.value.code == f"foreign_{name}"
    assert counts() == before


def test_meeting_duration_zero_is_allowed(sales_rep, own_client):
    meeting = log_interaction(by=sales_rep, client=own_client, kind="meeting", duration_minutes=0)
    assert meeting.duration_minutes == 0


def test_update_own_interaction_rechecks_rules_and_audits(sales_rep, own_client):
    note = log_interaction(by=sales_rep, client=own_client, kind="call_out", duration_minutes=5)
    with pytest.raises(BusinessRuleError) as exc:
        update_interaction(note, by=sales_rep, kind="note")  # a note cannot keep the call's duration
    assert exc.value.field == "duration_minutes"

    updated = update_interaction(note, by=sales_rep, duration_minutes=7, outcome="busy")
    assert (updated.duration_minutes, updated.outcome) == (7, "busy")
    entry = AuditEntry.objects.get(action="crm.interaction.updated")
    assert entry.changes["duration_minutes"] == [5, 7]


def test_only_the_author_or_a_team_lead_changes_or_deletes(sales_rep, sales_manager, make_user, own_client):
    from tandem.core import roles

    colleague = make_user(roles.SALES_REPRESENTATIVE, username="rep3")
    note = InteractionFactory(client=own_client, created_by=sales_rep)
    with pytest.raises(AccessDenied):
        update_interaction(note, by=colleague, text="mine now")
    with pytest.raises(AccessDenied):
        delete_interaction(note, by=colleague)

    update_interaction(note, by=sales_manager, text="fixed typo")
    delete_interaction(note, by=sales_rep)
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.filter(action="crm.interaction.deleted").count() == 1


# --- Web: the client card ---------------------------------------------------------------------------


def test_client_card_shows_timeline_panel_with_quick_add(client, sales_rep, own_client):
    InteractionFactory(client=own_client, created_by=sales_rep, text="Talked about pricing")
    client.force_login(sales_rep)
    response = client.get(reverse("parties:client-detail", args=[own_client.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="timeline-panel"' in html
    assert "Talked about pricing" in html
    assert reverse("crm:interaction-create", args=[own_client.pk]) in html


def test_quick_add_call_with_htmx_returns_the_refreshed_panel(client, sales_rep, own_client):
    client.force_login(sales_rep)
    response = client.post(
        reverse("crm:interaction-create", args=[own_client.pk]),
        {"quick": "1", "kind": "call_out", "duration_minutes": "4", "outcome": "reached", "text": "Quote sent"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="timeline-panel"')
    assert "Quote sent" in html
    call = Interaction.objects.get()
    assert (call.kind, call.duration_minutes, call.created_by) == ("call_out", 4, sales_rep)


def test_quick_add_refusal_shows_the_error_in_the_panel(client, sales_rep, own_client):
    client.force_login(sales_rep)
    response = client.post(reverse("crm:interaction-create", args=[own_client.pk]),
                           {"quick": "1", "kind": "note", "duration_minutes": "4", "text": "x"}, headers=HTMX)
    assert response.status_code == 400
    assert "Only calls and meetings have a duration." in response.content.decode()
    assert not Interaction.objects.exists()


def test_quick_add_without_javascript_redirects_to_the_card(client, sales_rep, own_client):
    client.force_login(sales_rep)
    response = client.post(reverse("crm:interaction-create", args=[own_client.pk]),
                           {"quick": "1", "kind": "note", "text": "Plain form"})
    assert response.status_code == 302
    assert response.url.endswith(f"/clients/{own_client.pk}/#timeline")
    assert Interaction.objects.get().text == "Plain form"


def test_representative_cannot_log_on_or_read_another_owners_client(client, sales_rep, foreign_client):
    note = InteractionFactory(client=foreign_client)
    client.force_login(sales_rep)
    assert client.post(reverse("crm:interaction-create", args=[foreign_client.pk]),
                       {"kind": "note", "text": "x"}).status_code == 404
    assert client.get(reverse("crm:client-timeline", args=[foreign_client.pk])).status_code == 404
    assert client.get(reverse("crm:interaction-edit", args=[note.pk])).status_code == 404
    assert Interaction.objects.count() == 1


def test_edit_and_delete_pages(client, sales_rep, own_client):
    note = InteractionFactory(client=own_client, created_by=sales_rep, text="Old")
    client.force_login(sales_rep)
    url = reverse("crm:interaction-edit", args=[note.pk])
    assert client.get(url).status_code == 200
    when = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "note", "text": "New", "occurred_at": when})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "New"
    assert client.post(reverse("crm:interaction-delete", args=[note.pk])).status_code == 302
    assert not Interaction.objects.exists()
