"""Archive, restore and refused deletes of clients, counterparties, contacts and sources (services, API,
pages). References held by the CRM are tested in crm/tests/test_archive.py."""

import pytest
from django.urls import reverse

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import AuditEntry
from tandem.parties import services
from tandem.parties.forms import ClientForm
from tandem.parties.models import Client, Contact, Counterparty, Source
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory, SourceFactory


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def actions_of(obj) -> list[str]:
    return list(AuditEntry.objects.filter(object_id=str(obj.pk), action__contains=obj._meta.model_name)
                .order_by("id").values_list("action", flat=True))


# --- Services ---------------------------------------------------------------------------------------

def test_archive_and_restore_a_client_stamps_who_and_when_and_audits(sales_manager):
    client = ClientFactory(name="Nordwind AG", owner=sales_manager)

    services.archive_client(client, by=sales_manager)
    client.refresh_from_db()
    assert client.is_archived and client.archived_by == sales_manager and client.archived_at is not None
    assert list(Client.objects.active()) == [] and list(Client.objects.archived()) == [client]

    services.archive_client(client, by=sales_manager)  # twice: no second entry
    services.restore_client(client, by=sales_manager)
    client.refresh_from_db()
    assert (client.is_archived, client.archived_at, client.archived_by) == (False, None, None)
    assert actions_of(client) == ["parties.client.archived", "parties.client.restored"]


def test_archiving_a_contact_is_filed_under_its_client(sales_manager):
    contact = ContactFactory(client=ClientFactory(owner=sales_manager))
    services.archive_contact(contact, by=sales_manager)
    entry = AuditEntry.objects.get(action="parties.contact.archived")
    assert entry.root_object_id == str(contact.client_id)


def test_a_representative_archives_own_clients_but_cannot_delete_them(sales_rep, own_client):
    services.archive_client(own_client, by=sales_rep)
    with pytest.raises(AccessDenied):
        services.delete_client(own_client, by=sales_rep)
    assert Client.objects.filter(pk=own_client.pk).exists()


def test_delete_of_a_source_clients_came_from_is_refused_naming_them(sales_manager, nothing_written):
    source = SourceFactory(name="Fair")
    ClientFactory(first_source=source)
    ClientFactory(first_source=source)
    with nothing_written(), pytest.raises(BusinessRuleError) as refused:
        services.delete_source(source, by=sales_manager)
    assert refused.value.status_code == 409
    assert refused.value.code == "referenced"
    assert "“Fair” is used by 2 clients" in refused.value.message
    assert refused.value.extra["references"] == [{"model": "parties.client", "count": 2, "label": "2 clients"}]


def test_delete_of_a_client_nothing_refers_to_takes_its_own_counterparties_and_contacts(sales_manager):
    client = ClientFactory(owner=sales_manager)
    CounterpartyFactory(client=client)
    ContactFactory(client=client)
    services.delete_client(client, by=sales_manager)
    assert not Client.objects.exists() and not Counterparty.objects.exists() and not Contact.objects.exists()
    assert AuditEntry.objects.filter(action="parties.client.deleted").count() == 1


def test_new_links_to_an_archived_source_are_refused_but_kept_links_stay(sales_manager):
    source = SourceFactory(name="Old fair")
    client = ClientFactory(owner=sales_manager, first_source=source)
    services.archive_source(source, by=sales_manager)

    with pytest.raises(BusinessRuleError) as refused:
        services.create_client(by=sales_manager, name="New GmbH", first_source=source)
    assert (refused.value.code, refused.value.field) == ("archived", "first_source")

    # Editing the client that already names it works, and it keeps its source.
    client = services.update_client(client, by=sales_manager, notes="Called back", first_source=source)
    assert client.first_source == source


# --- Pickers ----------------------------------------------------------------------------------------

def test_client_form_offers_active_sources_plus_the_one_the_client_has(sales_manager):
    kept, gone, other = SourceFactory(name="Kept"), SourceFactory(name="Gone"), SourceFactory(name="Other gone")
    client = ClientFactory(owner=sales_manager, first_source=gone)
    Source.objects.filter(pk__in=[gone.pk, other.pk]).update(is_archived=True)

    assert list(ClientForm(user=sales_manager).fields["first_source"].queryset) == [kept]
    editing = ClientForm(user=sales_manager, client=client).fields["first_source"].queryset
    assert sorted(s.name for s in editing) == ["Gone", "Kept"]


# --- API --------------------------------------------------------------------------------------------

def test_api_archive_hides_a_client_from_the_list_and_restore_brings_it_back(api, sales_manager):
    http = api(sales_manager)
    client = ClientFactory(name="Archivable GmbH", owner=sales_manager)
    ClientFactory(name="Busy GmbH", owner=sales_manager)

    response = http.post(f"/api/v1/clients/{client.pk}/archive")
    assert response.status_code == 200
    assert response.json()["is_archived"] is True and response.json()["archived_at"]

    names = lambda query="": [c["name"] for c in http.get(f"/api/v1/clients{query}").json()["items"]]  # noqa: E731
    assert names() == ["Busy GmbH"]
    assert names("?archived=true") == ["Archivable GmbH"]
    assert names("?archived=all") == ["Archivable GmbH", "Busy GmbH"]
    assert http.get(f"/api/v1/clients/{client.pk}").json()["is_archived"] is True  # still readable

    assert http.post(f"/api/v1/clients/{client.pk}/restore").json()["is_archived"] is False
    assert names() == ["Archivable GmbH", "Busy GmbH"]


def test_api_archive_needs_the_change_permission(api, viewer):
    client = ClientFactory()
    response = api(viewer).post(f"/api/v1/clients/{client.pk}/archive")
    assert response.status_code == 403
    assert not Client.objects.get(pk=client.pk).is_archived


def test_api_counterparty_and_contact_archive_and_filters(api, sales_manager):
    http = api(sales_manager)
    client = ClientFactory(owner=sales_manager)
    cp = CounterpartyFactory(client=client)
    contact = ContactFactory(client=client, first_name="Ida")
    assert http.post(f"/api/v1/counterparties/{cp.pk}/archive").json()["is_archived"] is True
    assert http.post(f"/api/v1/contacts/{contact.pk}/archive").json()["is_archived"] is True
    assert http.get(f"/api/v1/clients/{client.pk}/counterparties").json() == []
    assert len(http.get(f"/api/v1/clients/{client.pk}/counterparties?archived=true").json()) == 1
    assert http.get(f"/api/v1/contacts?client_id={client.pk}").json()["items"] == []
    assert len(http.get(f"/api/v1/clients/{client.pk}/contacts?archived=all").json()) == 1
    assert http.post(f"/api/v1/contacts/{contact.pk}/restore").json()["is_archived"] is False


def test_api_source_delete_refused_with_409_naming_the_clients(api, sales_manager):
    http = api(sales_manager)
    source = SourceFactory(name="Trade fair")
    ClientFactory(first_source=source)
    response = http.delete(f"/api/v1/sources/{source.pk}")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "referenced" and body["field"] is None
    assert body["message"].startswith("“Trade fair” is used by 1 client")
    assert body["errors"] == [{"field": None, "message": body["message"]}]
    assert body["references"] == [{"model": "parties.client", "count": 1, "label": "1 client"}]
    assert Source.objects.filter(pk=source.pk).exists()

    assert http.post(f"/api/v1/sources/{source.pk}/archive").json()["is_active"] is False
    assert http.get("/api/v1/sources").json() == []
    assert [s["name"] for s in http.get("/api/v1/sources?archived=true").json()] == ["Trade fair"]


def test_api_unused_source_is_deleted(api, sales_manager):
    source = SourceFactory(name="Typo")
    assert api(sales_manager).delete(f"/api/v1/sources/{source.pk}").status_code == 204
    assert not Source.objects.filter(pk=source.pk).exists()


def test_api_new_client_with_archived_source_is_refused(api, sales_manager):
    source = SourceFactory(name="Closed channel", is_archived=True)
    response = api(sales_manager).post("/api/v1/clients", {"name": "X GmbH", "first_source_id": source.pk},
                                       content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("archived", "first_source")
    assert not Client.objects.exists()


# --- Pages ------------------------------------------------------------------------------------------

def test_card_archive_button_hides_the_client_from_the_list_and_the_archived_filter_shows_it(
        as_user, sales_manager):
    http = as_user(sales_manager)
    client = ClientFactory(name="Quiet Corp", owner=sales_manager)
    card = reverse("parties:client-detail", args=[client.pk])
    assert reverse("parties:client-archive", args=[client.pk]) in http.get(card).content.decode()

    response = http.post(reverse("parties:client-archive", args=[client.pk]))
    assert response.status_code == 302 and response.url == card
    page = http.get(card).content.decode()
    assert "Archived" in page and reverse("parties:client-restore", args=[client.pk]) in page

    listing = reverse("parties:client-list")
    assert [c.name for c in http.get(listing).context["clients"]] == []
    assert [c.name for c in http.get(listing, {"archived": "true"}).context["clients"]] == ["Quiet Corp"]
    assert [c.name for c in http.get(listing, {"archived": "all"}).context["clients"]] == ["Quiet Corp"]

    http.post(reverse("parties:client-restore", args=[client.pk]))
    assert [c.name for c in http.get(listing).context["clients"]] == ["Quiet Corp"]


def test_archive_page_is_post_only_and_needs_permission(as_user, viewer, sales_manager):
    client = ClientFactory(owner=sales_manager)
    assert as_user(sales_manager).get(reverse("parties:client-archive", args=[client.pk])).status_code == 405
    assert as_user(viewer).post(reverse("parties:client-archive", args=[client.pk])).status_code == 403


def test_counterparty_and_contact_rows_archive_and_restore(as_user, sales_manager):
    http = as_user(sales_manager)
    client = ClientFactory(owner=sales_manager)
    cp = CounterpartyFactory(client=client, legal_name="Old Entity GmbH")
    contact = ContactFactory(client=client, first_name="Olga")
    response = http.post(reverse("parties:counterparty-archive", args=[client.pk, cp.pk]))
    assert response.url.endswith("#counterparties")
    http.post(reverse("parties:contact-archive", args=[client.pk, contact.pk]))
    cp.refresh_from_db()
    contact.refresh_from_db()
    assert cp.is_archived and contact.is_archived
    page = http.get(reverse("parties:client-detail", args=[client.pk])).content.decode()
    assert reverse("parties:counterparty-restore", args=[client.pk, cp.pk]) in page
    assert reverse("parties:contact-restore", args=[client.pk, contact.pk]) in page
    http.post(reverse("parties:contact-restore", args=[client.pk, contact.pk]))
    contact.refresh_from_db()
    assert not contact.is_archived
