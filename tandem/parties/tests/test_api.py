"""REST API for clients, counterparties, contacts, search, sources and tags: behaviour seen by API users."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core import modules
from tandem.core.models import AuditEntry
from tandem.parties.models import BankAccount, Client, Contact, Counterparty, Source, Tag
from tandem.parties.services import add_counterparty, create_client
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory, SourceFactory

JSON = "application/json"


# --- Clients: create, read, change, delete ----------------------------------------------------------

def test_create_client_returns_it_with_owner_tags_and_source(api, sales_rep):
    source = SourceFactory(name="Trade fair")
    response = api(sales_rep).post("/api/v1/clients", {
        "name": "  Acme GmbH ", "kind": "b2b", "status": "active", "first_source_id": source.pk,
        "email": "Info@Acme.example", "phone": "+49 (30) 123-4567", "tags": ["vip", "berlin", "vip"],
    }, content_type=JSON)

    assert response.status_code == 201
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert body["name"] == client.name == "Acme GmbH"
    assert body["owner"] == {"id": sales_rep.pk, "name": sales_rep.display_name}
    assert body["first_source"] == {"id": source.pk, "name": "Trade fair"}
    assert body["email"] == "info@acme.example"
    assert body["phone"] == "+49301234567"
    assert body["tags"] == ["berlin", "vip"]
    assert body["current_counterparty"] is None
    assert body["created_at"].startswith(str(datetime.date.today().year))
    assert AuditEntry.objects.filter(action="parties.client.created", object_id=str(client.pk)).count() == 1


def test_get_client_shows_current_counterparty(api, sales_rep, own_client):
    old = CounterpartyFactory(client=own_client, legal_name="Old Name GmbH",
                              valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2022, 12, 31))
    current = CounterpartyFactory(client=own_client, legal_name="New Name GmbH",
                                  valid_from=datetime.date(2023, 1, 1))

    body = api(sales_rep).get(f"/api/v1/clients/{own_client.pk}").json()

    assert body["current_counterparty"] == {
        "id": current.pk, "legal_name": "New Name GmbH", "tax_id": current.tax_id,
        "valid_from": "2023-01-01", "valid_to": None,
    }
    assert old.pk != body["current_counterparty"]["id"]


def test_patch_client_changes_only_given_fields_and_audits(api, sales_rep, own_client):
    response = api(sales_rep).patch(f"/api/v1/clients/{own_client.pk}",
                                    {"status": "inactive", "tags": ["key account"]}, content_type=JSON)

    assert response.status_code == 200
    own_client.refresh_from_db()
    assert own_client.status == "inactive"
    assert own_client.name == "Rep Own GmbH"
    assert own_client.email == "own@rep-own.example"
    assert response.json()["tags"] == ["key account"]
    entry = AuditEntry.objects.get(action="parties.client.updated")
    assert entry.changes["status"] == ["active", "inactive"]


def test_delete_client_removes_it_and_audits(api, sales_manager, own_client):
    response = api(sales_manager).delete(f"/api/v1/clients/{own_client.pk}")

    assert response.status_code == 204
    assert not Client.objects.filter(pk=own_client.pk).exists()
    assert AuditEntry.objects.filter(action="parties.client.deleted", object_id=str(own_client.pk)).exists()


def test_manager_can_assign_another_owner_but_a_rep_cannot(api, sales_manager, sales_rep, other_rep):
    response = api(sales_manager).post("/api/v1/clients", {"name": "Handed Over", "owner_id": other_rep.pk},
                                       content_type=JSON)
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == other_rep.pk

    response = api(sales_rep).post("/api/v1/clients", {"name": "Not Mine", "owner_id": other_rep.pk},
                                   content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "owner_not_allowed"
    assert response.json()["field"] == "owner"
    assert not Client.objects.filter(name="Not Mine").exists()


# --- Clients: list, filters, sort, pagination -------------------------------------------------------

def test_list_filters_by_status_kind_owner_tag_source_and_text(api, sales_manager, sales_rep, other_rep):
    web = SourceFactory(name="Website")
    a = create_client(by=sales_manager, owner=sales_rep, name="Alpha Foods", status="active", kind="b2b",
                      tags=["food"], first_source=web)
    b = create_client(by=sales_manager, owner=other_rep, name="Beta Foods", status="prospect", kind="b2c")
    c = create_client(by=sales_manager, owner=other_rep, name="Gamma Tools", status="active", kind="b2b",
                      tags=["food"])
    http = api(sales_manager)

    def names(query):
        response = http.get(f"/api/v1/clients?{query}")
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["items"]]

    assert names("") == [a.name, b.name, c.name]
    assert names("q=foods") == [a.name, b.name]
    assert names("status=active") == [a.name, c.name]
    assert names("kind=b2c") == [b.name]
    assert names(f"owner_id={other_rep.pk}") == [b.name, c.name]
    assert names("tag=food") == [a.name, c.name]
    assert names(f"source_id={web.pk}") == [a.name]
    assert names("sort=-name") == [c.name, b.name, a.name]
    assert names("q=foods&status=active") == [a.name]


def test_list_paginates(api, sales_manager):
    for i in range(7):
        ClientFactory(name=f"Client {i:02d}", owner=sales_manager)
    http = api(sales_manager)

    first = http.get("/api/v1/clients?page_size=3").json()
    third = http.get("/api/v1/clients?page_size=3&page=3").json()
    past_end = http.get("/api/v1/clients?page_size=3&page=9").json()

    assert (first["count"], first["page"], first["page_size"]) == (7, 1, 3)
    assert [c["name"] for c in first["items"]] == ["Client 00", "Client 01", "Client 02"]
    assert [c["name"] for c in third["items"]] == ["Client 06"]
    assert past_end["items"] == [] and past_end["count"] == 7


def test_page_size_above_200_is_refused(api, sales_manager):
    response = api(sales_manager).get("/api/v1/clients?page_size=201")
    assert response.status_code == 400
    assert response.json()["field"] == "page_size"


def test_client_list_query_count_does_not_grow_with_rows(api, sales_manager, django_assert_max_num_queries):
    http = api(sales_manager)

    shared = Tag.objects.create(name="shared")

    def make_clients(n):
        for _ in range(n):
            client = ClientFactory(owner=sales_manager, first_source=SourceFactory(name="Fair"))
            client.tags.add(shared, Tag.objects.create(name=f"t{client.pk}"))
            CounterpartyFactory(client=client)

    make_clients(2)
    http.get("/api/v1/clients")  # warm-up: token last-used stamp, content types
    with CaptureQueriesContext(connection) as few:
        http.get("/api/v1/clients")
    make_clients(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = http.get("/api/v1/clients?page_size=200").json()

    assert body["count"] == 22
    assert all(c["current_counterparty"] and c["first_source"] and c["tags"] for c in body["items"])
    assert len(few.captured_queries) <= 10


# --- Duplicates -------------------------------------------------------------------------------------

def test_duplicate_of_a_client_the_user_cannot_open_names_only_its_owner(
    api, sales_rep, other_rep, foreign_client, nothing_written
):
    ContactFactory(client=foreign_client, first_name="Hidden", last_name="Person", email="cfo@foreign.example")
    http = api(sales_rep)
    payload = {"name": "Foreign Copy", "email": "INFO@foreign.example"}

    with nothing_written():
        response = http.post("/api/v1/clients", payload, content_type=JSON)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert body["field"] == "email"
    # The representative learns that a matching client exists and who owns it, nothing else.
    assert str(other_rep) in body["message"]
    assert body["duplicates"] == [{
        "field": "email", "value": "info@foreign.example", "client_id": None, "client_name": None,
        "record": None, "owner": str(other_rep), "visible": False, "message": body["duplicates"][0]["message"],
    }]
    assert "Foreign Widgets AG" not in response.content.decode()
    assert f"#{foreign_client.pk}" not in body["message"]

    response = http.post("/api/v1/clients", {**payload, "allow_duplicates": True}, content_type=JSON)
    assert response.status_code == 201


def test_duplicate_of_a_visible_client_names_it(api, sales_manager, foreign_client):
    response = api(sales_manager).post("/api/v1/clients", {"name": "Copy", "email": "info@foreign.example"},
                                       content_type=JSON)
    assert response.status_code == 409
    body = response.json()
    assert "Foreign Widgets AG" in body["message"]
    assert body["duplicates"][0] | {"message": None} == {
        "field": "email", "value": "info@foreign.example", "client_id": foreign_client.pk,
        "client_name": "Foreign Widgets AG", "record": "Client “Foreign Widgets AG”",
        "owner": str(foreign_client.owner), "visible": True, "message": None,
    }


def test_duplicate_tax_id_on_counterparty_and_phone_on_contact_patch(
    api, sales_manager, own_client, foreign_client
):
    CounterpartyFactory(client=foreign_client, tax_id="DE999999995")
    ContactFactory(client=foreign_client, phone="+493099999999")
    http = api(sales_manager)

    response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties",
                         {"legal_name": "Own GmbH", "valid_from": "2024-01-01", "tax_id": "de 999999995"},
                         content_type=JSON)
    assert response.status_code == 409
    assert response.json()["field"] == "tax_id"
    assert response.json()["duplicates"][0]["client_id"] == foreign_client.pk

    contact = ContactFactory(client=own_client, phone="")
    response = http.patch(f"/api/v1/contacts/{contact.pk}", {"phone": "+49 30 99999999"}, content_type=JSON)
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.phone == ""
    response = http.patch(f"/api/v1/contacts/{contact.pk}",
                          {"phone": "+49 30 99999999", "allow_duplicates": True}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["phone"] == "+493099999999"


# --- Counterparties and bank accounts ---------------------------------------------------------------

def test_counterparty_lifecycle_with_bank_accounts(api, sales_manager, own_client):
    http = api(sales_manager)

    response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties", {
        "legal_name": "Own Holding GmbH", "valid_from": "2023-01-01", "tax_id": "de 123 456 788",
    }, content_type=JSON)
    assert response.status_code == 201
    first = response.json()
    assert first["tax_id"] == "DE123456788"
    assert first["valid_to"] is None and first["is_current"] is True

    # A successor from 2025 closes the open period of the first one the day before.
    response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties",
                         {"legal_name": "Own Operations GmbH", "valid_from": "2025-01-01"}, content_type=JSON)
    assert response.status_code == 201
    second_id = response.json()["id"]
    assert http.get(f"/api/v1/counterparties/{first['id']}").json()["valid_to"] == "2024-12-31"
    listed = http.get(f"/api/v1/clients/{own_client.pk}/counterparties").json()
    assert [c["legal_name"] for c in listed] == ["Own Operations GmbH", "Own Holding GmbH"]

    response = http.patch(f"/api/v1/counterparties/{second_id}", {"postal_address": "Hauptstr. 1"},
                          content_type=JSON)
    assert response.status_code == 200 and response.json()["postal_address"] == "Hauptstr. 1"

    response = http.post(f"/api/v1/counterparties/{second_id}/bank-accounts", {
        "bank_name": "Sparkasse", "account_number": "de89 3704 0044 0532 0130 00", "bic": "cobadeffxxx",
    }, content_type=JSON)
    assert response.status_code == 201
    account = response.json()
    assert account["account_number"] == "DE89370400440532013000" and account["currency"] == "EUR"
    accounts = http.get(f"/api/v1/counterparties/{second_id}/bank-accounts").json()
    assert [a["id"] for a in accounts] == [account["id"]]

    assert http.delete(f"/api/v1/counterparties/{second_id}/bank-accounts/{account['id']}").status_code == 204
    assert not BankAccount.objects.exists()
    assert http.delete(f"/api/v1/counterparties/{second_id}").status_code == 204
    assert list(Counterparty.objects.values_list("legal_name", flat=True)) == ["Own Holding GmbH"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"parties.counterparty.created", "parties.counterparty.updated", "parties.counterparty.deleted",
            "parties.bankaccount.created", "parties.bankaccount.deleted"} <= actions


def test_bank_account_of_another_counterparty_is_404(api, sales_manager, own_client):
    cp1 = CounterpartyFactory(client=own_client, valid_to=datetime.date(2024, 6, 30))
    cp2 = CounterpartyFactory(client=own_client, valid_from=datetime.date(2024, 7, 1))
    account = BankAccount.objects.create(counterparty=cp2, bank_name="B", account_number="X1")

    response = api(sales_manager).delete(f"/api/v1/counterparties/{cp1.pk}/bank-accounts/{account.pk}")

    assert response.status_code == 404
    assert BankAccount.objects.filter(pk=account.pk).exists()


# --- Contacts ---------------------------------------------------------------------------------------

def test_contact_lifecycle_and_search_list(api, sales_rep, own_client, foreign_client):
    ContactFactory(client=foreign_client, first_name="Hidden", last_name="Person")
    http = api(sales_rep)

    response = http.post(f"/api/v1/clients/{own_client.pk}/contacts", {
        "first_name": "Maria", "last_name": "Keller", "position": "Buyer", "email": "Maria@Rep-Own.example",
        "mobile_phone": "+49 171 1234567",
    }, content_type=JSON)
    assert response.status_code == 201
    contact = response.json()
    assert contact["full_name"] == "Maria Keller"
    assert contact["client_name"] == "Rep Own GmbH"
    assert contact["email"] == "maria@rep-own.example"
    assert contact["mobile_phone"] == "+491711234567"

    assert [c["id"] for c in http.get(f"/api/v1/clients/{own_client.pk}/contacts").json()] == [contact["id"]]
    assert [c["full_name"] for c in http.get("/api/v1/contacts").json()["items"]] == ["Maria Keller"]
    assert http.get("/api/v1/contacts?q=kell").json()["count"] == 1
    assert http.get("/api/v1/contacts?q=hidden").json()["count"] == 0  # another rep's client
    assert http.get("/api/v1/contacts?q=1711234567").json()["count"] == 1

    response = http.patch(f"/api/v1/contacts/{contact['id']}", {"position": "Head of purchasing"},
                          content_type=JSON)
    assert response.status_code == 200 and response.json()["position"] == "Head of purchasing"
    assert http.get(f"/api/v1/contacts/{contact['id']}").json()["position"] == "Head of purchasing"

    assert http.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert not Contact.objects.filter(pk=contact["id"]).exists()


# --- History, search, sources, tags -----------------------------------------------------------------

def test_history_lists_changes_of_client_and_its_records_newest_first(api, sales_manager, sales_rep):
    client = create_client(by=sales_rep, name="Storied Ltd")
    add_counterparty(client, by=sales_manager, legal_name="Storied Ltd", valid_from=datetime.date(2024, 1, 1))
    http = api(sales_rep)
    http.patch(f"/api/v1/clients/{client.pk}", {"notes": "Met at the fair"}, content_type=JSON)

    body = http.get(f"/api/v1/clients/{client.pk}/history").json()

    assert body["count"] == 3
    assert [e["action"] for e in body["items"]] == [
        "parties.client.updated", "parties.counterparty.created", "parties.client.created",
    ]
    assert body["items"][0]["changes"] == {"notes": ["", "Met at the fair"]}
    assert body["items"][0]["actor"] == {"id": sales_rep.pk, "name": sales_rep.display_name}
    assert body["items"][1]["actor"]["id"] == sales_manager.pk
    # Words next to the raw data: the action, who did it, and the changes with labels and "—" for empty.
    assert body["items"][0]["action_label"] == "changed the client"
    assert body["items"][0]["summary"] == f"{sales_rep.display_name} changed the notes from — to Met at the fair"
    assert body["items"][0]["changes_display"] == [
        {"field": "notes", "label": "Notes", "old": "—", "new": "Met at the fair"}]
    assert body["items"][1]["summary"] == f"{sales_manager.display_name} added a counterparty"


def test_search_finds_clients_counterparties_and_contacts_within_the_record_rule(
    api, sales_rep, own_client, foreign_client
):
    CounterpartyFactory(client=own_client, legal_name="Nordwind Own GmbH")
    ContactFactory(client=own_client, first_name="Nora", last_name="Nordwind")
    CounterpartyFactory(client=foreign_client, legal_name="Nordwind Foreign GmbH")
    http = api(sales_rep)

    hits = http.get("/api/v1/search?q=nordwind").json()

    assert sorted((h["kind"], h["title"]) for h in hits) == [
        ("contact", "Nora Nordwind"), ("counterparty", "Nordwind Own GmbH"),
    ]
    assert all(h["client_id"] == own_client.pk for h in hits)
    assert http.get("/api/v1/search?q=n").json() == []


def test_sources_list_and_create_needs_permission(api, sales_manager, sales_rep, nothing_written):
    SourceFactory(name="Referral")
    rep = api(sales_rep)
    assert [s["name"] for s in rep.get("/api/v1/sources").json()] == ["Referral"]

    with nothing_written():
        assert rep.post("/api/v1/sources", {"name": "Cold call"}, content_type=JSON).status_code == 403

    response = api(sales_manager).post("/api/v1/sources", {"name": "Cold call", "channel": "cold_call"},
                                       content_type=JSON)
    assert response.status_code == 201
    assert response.json()["channel"] == "cold_call"
    assert Source.objects.filter(name="Cold call").exists()
    assert AuditEntry.objects.filter(action="parties.source.created").count() == 1
    response = api(sales_manager).post("/api/v1/sources", {"name": "cold CALL"}, content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] == "name"


def test_tags_list(api, viewer, sales_manager):
    create_client(by=sales_manager, name="Tagged", tags=["wholesale", "export"])
    assert [t["name"] for t in api(viewer).get("/api/v1/tags").json()] == ["export", "wholesale"]


# --- Module switch ----------------------------------------------------------------------------------

def test_switched_off_parties_module_answers_404_on_its_routes(api, admin_user, own_client):
    http = api(admin_user)
    assert http.get("/api/v1/clients").status_code == 200

    modules.set_module_enabled("sales", False, by=admin_user)  # sales requires CRM,
    modules.set_module_enabled("crm", False, by=admin_user)  # CRM requires the clients module
    modules.set_module_enabled("parties", False, by=admin_user)
    for path in ("/api/v1/clients", f"/api/v1/clients/{own_client.pk}", "/api/v1/contacts",
                 "/api/v1/search?q=rep", "/api/v1/sources", "/api/v1/tags"):
        assert http.get(path).status_code == 404, path
    assert http.post("/api/v1/clients", {"name": "While off"}, content_type=JSON).status_code == 404
    assert not Client.objects.filter(name="While off").exists()
    assert http.get("/api/v1/me").status_code == 200  # core stays

    modules.set_module_enabled("parties", True, by=admin_user)
    assert http.get(f"/api/v1/clients/{own_client.pk}").status_code == 200
