"""Clients web UI: status codes, permissions, record rule, htmx partials, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.models import AuditEntry
from tandem.parties import services
from tandem.parties.models import Client, Contact, Counterparty
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory, SourceFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def list_names(response):
    return [c.name for c in response.context["clients"]]


# --- List -------------------------------------------------------------------------------------------


def test_list_shows_visible_clients_with_filters_and_sort(as_user, sales_manager, sales_rep):
    web = as_user(sales_manager)
    vip = services.create_client(by=sales_manager, name="Zeta Trading", status="active", tags=["vip"])
    ClientFactory(name="Alpha Foods", owner=sales_rep, status=Client.Status.PROSPECT)
    ClientFactory(name="Beta Tools", owner=sales_manager, status=Client.Status.ACTIVE, kind=Client.Kind.B2C)

    response = web.get(reverse("parties:client-list"))
    assert response.status_code == 200
    assert list_names(response) == ["Alpha Foods", "Beta Tools", "Zeta Trading"]
    assert "Zeta Trading" in response.content.decode()

    assert list_names(web.get(reverse("parties:client-list"), {"sort": "-name"})) == [
        "Zeta Trading", "Beta Tools", "Alpha Foods",
    ]  # fmt: skip
    assert list_names(web.get(reverse("parties:client-list"), {"q": "ALPHA"})) == ["Alpha Foods"]
    assert list_names(web.get(reverse("parties:client-list"), {"status": "prospect"})) == ["Alpha Foods"]
    assert list_names(web.get(reverse("parties:client-list"), {"type": "b2c"})) == ["Beta Tools"]
    assert list_names(web.get(reverse("parties:client-list"), {"owner": sales_rep.pk})) == ["Alpha Foods"]
    assert list_names(web.get(reverse("parties:client-list"), {"tag": "vip"})) == [vip.name]


def test_list_filters_by_source(as_user, sales_manager):
    fair = SourceFactory(name="Fair 2025")
    ClientFactory(name="From fair", owner=sales_manager, first_source=fair)
    ClientFactory(name="Other", owner=sales_manager)
    response = as_user(sales_manager).get(reverse("parties:client-list"), {"source": fair.pk})
    assert list_names(response) == ["From fair"]


def test_list_paginates_by_50_and_keeps_filters_in_page_links(as_user, sales_manager):
    for i in range(55):
        ClientFactory(name=f"Acme {i:02}", owner=sales_manager, status=Client.Status.ACTIVE)
    ClientFactory(name="Inactive one", owner=sales_manager, status=Client.Status.INACTIVE)
    web = as_user(sales_manager)

    first = web.get(reverse("parties:client-list"), {"status": "active", "sort": "name"})
    assert len(first.context["clients"]) == 50
    html = first.content.decode()
    assert "?status=active&amp;sort=name&amp;page=2" in html

    second = web.get(reverse("parties:client-list"), {"status": "active", "sort": "name", "page": 2})
    assert list_names(second) == [f"Acme {i}" for i in range(50, 55)]
    assert (
        web.get(reverse("parties:client-list"), {"page": "999"}).status_code == 200
    )  # last page, not an error


def test_list_query_count_does_not_grow_with_clients(as_user, sales_manager, django_assert_max_num_queries):
    source = SourceFactory()
    web = as_user(sales_manager)

    def add_clients(n):
        for _ in range(n):
            c = ClientFactory(owner=sales_manager, first_source=source)
            services.update_client(c, by=sales_manager, tags=["a", "b"])

    add_clients(2)
    with django_assert_max_num_queries(15) as few:
        web.get(reverse("parties:client-list"))
    add_clients(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = web.get(reverse("parties:client-list"))
    assert len(response.context["clients"]) == 32


def test_htmx_list_request_returns_the_table_partial(as_user, sales_manager):
    ClientFactory(name="Partial Co", owner=sales_manager)
    response = as_user(sales_manager).get(reverse("parties:client-list"), {"q": "partial"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="client-table">')
    assert "<html" not in html and "Partial Co" in html


def test_full_list_page_has_htmx_filter_form(as_user, sales_manager):
    html = as_user(sales_manager).get(reverse("parties:client-list")).content.decode()
    assert (
        'hx-get="/clients/"' in html and 'hx-push-url="true"' in html and 'hx-target="#client-table"' in html
    )
    assert 'method="get"' in html  # works without JavaScript too


# --- Record rule and permissions ----------------------------------------------------------------------


def test_representative_sees_only_own_clients(as_user, sales_rep, make_user):
    other = make_user("Sales representative")
    mine = ClientFactory(name="Mine", owner=sales_rep)
    theirs = ClientFactory(name="Theirs", owner=other)
    web = as_user(sales_rep)

    assert list_names(web.get(reverse("parties:client-list"))) == ["Mine"]
    assert web.get(reverse("parties:client-detail", args=[mine.pk])).status_code == 200
    assert web.get(reverse("parties:client-detail", args=[theirs.pk])).status_code == 404
    assert web.get(reverse("parties:client-edit", args=[theirs.pk])).status_code == 404
    assert (
        web.post(reverse("parties:contact-create", args=[theirs.pk]), {"first_name": "X"}).status_code == 404
    )
    assert not Contact.objects.exists()


def test_representative_can_only_assign_themselves(as_user, sales_rep, sales_manager):
    response = as_user(sales_rep).get(reverse("parties:client-create"))
    assert list(response.context["form"].fields["owner"].queryset) == [sales_rep]

    response = as_user(sales_rep).post(reverse("parties:client-create"), {
        "name": "Sneaky", "kind": "b2b", "status": "prospect", "owner": sales_manager.pk,
    })  # fmt: skip
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not Client.objects.exists()


def test_viewer_sees_no_edit_buttons_and_cannot_post(as_user, viewer, sales_manager):
    acme = ClientFactory(name="Acme", owner=sales_manager)
    cp = CounterpartyFactory(client=acme)
    contact = ContactFactory(client=acme)
    web = as_user(viewer)

    html = web.get(reverse("parties:client-detail", args=[acme.pk])).content.decode()
    for url in (
        reverse("parties:client-edit", args=[acme.pk]),
        reverse("parties:client-delete", args=[acme.pk]),
        reverse("parties:counterparty-create", args=[acme.pk]),
        reverse("parties:counterparty-edit", args=[acme.pk, cp.pk]),
        reverse("parties:contact-create", args=[acme.pk]),
        reverse("parties:contact-edit", args=[acme.pk, contact.pk]),
    ):
        assert url not in html
    assert reverse("parties:client-create") not in web.get(reverse("parties:client-list")).content.decode()

    assert web.post(reverse("parties:client-create"), {"name": "X"}).status_code == 403
    assert web.post(reverse("parties:client-edit", args=[acme.pk]), {"name": "X"}).status_code == 403
    assert web.post(reverse("parties:client-delete", args=[acme.pk])).status_code == 403
    assert web.post(reverse("parties:contact-create", args=[acme.pk]), {"first_name": "X"}).status_code == 403
    assert web.post(reverse("parties:counterparty-delete", args=[acme.pk, cp.pk])).status_code == 403
    assert (
        Client.objects.get().name == "Acme"
        and Contact.objects.count() == 1
        and Counterparty.objects.count() == 1
    )


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("parties:client-list"))
    assert response.status_code == 302 and reverse("core:login") in response.url


# --- Card -------------------------------------------------------------------------------------------


def test_card_shows_current_and_past_counterparties_contacts_and_history(as_user, sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme", phone="+49 30 1234567", tags=["vip"])
    old = services.add_counterparty(
        acme,
        by=sales_manager,
        legal_name="Acme Old GmbH",
        tax_id="de 111 111 117",
        valid_from=datetime.date(2020, 1, 1),
    )
    services.add_bank_account(old, by=sales_manager, bank_name="Old Bank", account_number="de89 3704 0044")
    today = timezone.localdate()
    services.add_counterparty(
        acme, by=sales_manager, legal_name="Acme New AG", tax_id="DE123123125", valid_from=today
    )
    services.add_contact(
        acme,
        by=sales_manager,
        first_name="Anna",
        last_name="Schmidt",
        phone="+4930 7654321",
        email="anna@acme.example",
        messengers="Telegram @anna",
    )

    response = as_user(sales_manager).get(reverse("parties:client-detail", args=[acme.pk]))
    assert response.status_code == 200
    assert [c.legal_name for c in response.context["current_counterparties"]] == ["Acme New AG"]
    assert [c.legal_name for c in response.context["other_counterparties"]] == ["Acme Old GmbH"]
    html = response.content.decode()
    assert html.index("Acme New AG") < html.index("Past and future") < html.index("Acme Old GmbH")
    assert "DE111111117" in html and "DE89370400​44".replace("\u200b", "") in html and "Old Bank" in html
    assert "+49 30 7654321" in html and "anna@acme.example" in html and "Telegram @anna" in html
    assert "+49 30 1234567" in html and "vip" in html
    # History: who, and what happened to the closed predecessor, in a sentence with a readable date.
    closed = today - datetime.timedelta(days=1)
    assert f"Marked the counterparty valid until {closed:%b} {closed.day}, {closed.year}" in html
    assert "Created the client" in html and sales_manager.display_name in html


def test_card_of_unknown_client_is_404(as_user, sales_manager):
    assert as_user(sales_manager).get(reverse("parties:client-detail", args=[999])).status_code == 404


# --- Create and edit --------------------------------------------------------------------------------


def test_create_client_with_invalid_phone_shows_error_and_writes_nothing(
    as_user, sales_manager, nothing_written
):
    with nothing_written():
        response = as_user(sales_manager).post(reverse("parties:client-create"), {
            "name": "Acme", "kind": "b2b", "status": "prospect", "owner": sales_manager.pk, "phone": "12",
        })  # fmt: skip
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Client.objects.exists() and not AuditEntry.objects.exists()


def test_create_client_with_missing_name_is_400(as_user, sales_manager):
    response = as_user(sales_manager).post(
        reverse("parties:client-create"), {"kind": "b2b", "status": "prospect", "owner": sales_manager.pk}
    )
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert not Client.objects.exists()


def test_create_client_redirects_to_card(as_user, sales_manager):
    source = SourceFactory(name="Website")
    response = as_user(sales_manager).post(reverse("parties:client-create"), {
        "name": "  Acme  ", "kind": "b2c", "status": "active", "owner": sales_manager.pk,
        "first_source": source.pk,
        "phone": "+49 (30) 123-4567", "email": "Info@Acme.example", "tags": "vip, wholesale,", "notes": "Hi",
    })  # fmt: skip
    acme = Client.objects.get()
    assert response.status_code == 302 and response.url == reverse("parties:client-detail", args=[acme.pk])
    assert (acme.name, acme.phone, acme.email, acme.first_source) == (
        "Acme",
        "+49301234567",
        "info@acme.example",
        source,
    )
    assert sorted(t.name for t in acme.tags.all()) == ["vip", "wholesale"]


def test_duplicate_warning_then_save_anyway(as_user, sales_manager, sales_rep):
    existing = services.create_client(by=sales_rep, name="Acme Original", email="info@acme.example")
    web = as_user(sales_manager)
    data = {
        "name": "Acme Copy",
        "kind": "b2b",
        "status": "prospect",
        "owner": sales_manager.pk,
        "email": "INFO@acme.example",
    }

    response = web.post(reverse("parties:client-create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "duplicate" in html.lower() and "Acme Original" in html
    assert reverse("parties:client-detail", args=[existing.pk]) in html
    assert 'name="allow_duplicates"' in html
    assert Client.objects.count() == 1

    response = web.post(reverse("parties:client-create"), {**data, "allow_duplicates": "on"})
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_duplicate_of_invisible_client_names_only_its_owner(as_user, sales_rep, sales_manager):
    other = services.create_client(by=sales_manager, name="Managers Client", phone="+49 30 1234567")
    response = as_user(sales_rep).post(reverse("parties:client-create"), {
        "name": "Mine", "kind": "b2b", "status": "prospect", "owner": sales_rep.pk, "phone": "+49301234567",
    })  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "A client you cannot open (owner: " + str(sales_manager) in html
    assert "Managers Client" not in html
    assert f"#{other.pk}" not in html
    assert reverse("parties:client-detail", args=[other.pk]) not in html


def test_edit_client_writes_audit_with_old_and_new(as_user, sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme", tags=["a"])
    web = as_user(sales_manager)
    form = web.get(reverse("parties:client-edit", args=[acme.pk])).context["form"]
    assert form.initial["tags"] == "a"
    response = web.post(reverse("parties:client-edit", args=[acme.pk]), {
        "name": "Acme Renamed", "kind": "b2b", "status": "active", "owner": sales_manager.pk, "tags": "a, b",
    })  # fmt: skip
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="parties.client.updated").get()
    assert entry.changes["name"] == ["Acme", "Acme Renamed"]
    html = web.get(reverse("parties:client-detail", args=[acme.pk])).content.decode()
    assert "Acme → Acme Renamed" in html and "Prospect → Active" in html


def test_delete_client(as_user, sales_manager):
    acme = ClientFactory(owner=sales_manager)
    web = as_user(sales_manager)
    assert web.get(reverse("parties:client-delete", args=[acme.pk])).status_code == 200
    response = web.post(reverse("parties:client-delete", args=[acme.pk]))
    assert response.status_code == 302 and not Client.objects.exists()


def test_representative_may_not_delete(as_user, sales_rep):
    acme = ClientFactory(owner=sales_rep)
    assert as_user(sales_rep).post(reverse("parties:client-delete", args=[acme.pk])).status_code == 403


# --- Counterparties, bank accounts and contacts -----------------------------------------------------


def test_add_counterparty_without_js_closes_predecessor(as_user, sales_manager):
    acme = ClientFactory(owner=sales_manager)
    old = CounterpartyFactory(client=acme, legal_name="Old GmbH", valid_from=datetime.date(2020, 1, 1))
    web = as_user(sales_manager)
    assert web.get(reverse("parties:counterparty-create", args=[acme.pk])).status_code == 200

    response = web.post(reverse("parties:counterparty-create", args=[acme.pk]), {
        "legal_name": "New AG", "tax_id": "de 999 999 995", "valid_from": "2024-03-01",
    })  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("parties:client-detail", args=[acme.pk]) + "#counterparties"
    old.refresh_from_db()
    assert old.valid_to == datetime.date(2024, 2, 29)
    assert Counterparty.objects.get(legal_name="New AG").tax_id == "DE999999995"

    card = web.get(reverse("parties:client-detail", args=[acme.pk]))
    assert [c.legal_name for c in card.context["current_counterparties"]] == ["New AG"]
    assert [c.legal_name for c in card.context["other_counterparties"]] == ["Old GmbH"]


def test_inline_counterparty_form_via_htmx(as_user, sales_manager):
    acme = ClientFactory(owner=sales_manager)
    web = as_user(sales_manager)
    url = reverse("parties:counterparty-create", args=[acme.pk])

    form_html = web.get(url, headers=HTMX).content.decode()
    assert (
        form_html.lstrip().startswith("<form")
        and f'hx-post="{url}"' in form_html
        and "<html" not in form_html
    )

    response = web.post(url, {"legal_name": "Acme AG", "valid_from": "2024-01-01"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="counterparties">') and "Acme AG" in html
    assert 'id="history" hx-swap-oob="true"' in html and "Added a counterparty" in html


def test_inline_form_errors_come_back_in_place_with_400(as_user, sales_manager):
    acme = ClientFactory(owner=sales_manager)
    CounterpartyFactory(
        client=acme, valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31)
    )
    response = as_user(sales_manager).post(reverse("parties:counterparty-create", args=[acme.pk]), {
        "legal_name": "Overlapping", "valid_from": "2024-06-01", "valid_to": "2024-07-01",
    }, headers=HTMX)  # fmt: skip
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#counterparties-form-slot"
    assert "valid_from" in response.context["form"].errors
    assert Counterparty.objects.count() == 1


def test_add_bank_account(as_user, sales_manager):
    cp = CounterpartyFactory(client=ClientFactory(owner=sales_manager))
    response = as_user(sales_manager).post(
        reverse("parties:bankaccount-create", args=[cp.client_id, cp.pk]),
        {"bank_name": "Sparkasse", "account_number": "de89 3704 0044 0532 0130 00", "currency": "eur"},
    )
    assert response.status_code == 302
    account = cp.bank_accounts.get()
    assert (account.account_number, account.currency) == ("DE89370400440532013000", "EUR")


def test_counterparty_of_another_client_is_404(as_user, sales_manager):
    acme, other = ClientFactory(owner=sales_manager), ClientFactory(owner=sales_manager)
    cp = CounterpartyFactory(client=other)
    assert (
        as_user(sales_manager).get(reverse("parties:counterparty-edit", args=[acme.pk, cp.pk])).status_code
        == 404
    )


def test_contact_create_edit_delete(as_user, sales_manager):
    acme = ClientFactory(owner=sales_manager)
    web = as_user(sales_manager)

    response = web.post(
        reverse("parties:contact-create", args=[acme.pk]),
        {"first_name": "Anna", "channels_kind": "office_phone", "channels_value": "abc"},
    )
    assert response.status_code == 400 and "channels" in response.context["form"].errors
    assert not Contact.objects.exists()

    response = web.post(reverse("parties:contact-create", args=[acme.pk]), {
        "first_name": "Anna", "last_name": "Schmidt", "channels_kind": "mobile_phone",
        "channels_value": "+49 151 23456789",
    }, headers=HTMX)  # fmt: skip
    assert response.status_code == 200 and "+49 1512 3456789" in response.content.decode()
    contact = Contact.objects.get()
    assert contact.mobile_phone == "+4915123456789"

    response = web.post(reverse("parties:contact-edit", args=[acme.pk, contact.pk]), {
        "first_name": "Anna", "last_name": "Meyer", "channels_kind": "mobile_phone",
        "channels_value": contact.mobile_phone,
    })  # fmt: skip
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "Meyer"

    assert web.post(reverse("parties:contact-delete", args=[acme.pk, contact.pk])).status_code == 302
    assert not Contact.objects.exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "parties.contact.created", "parties.contact.updated", "parties.contact.deleted",
    ]  # fmt: skip


# --- Search -----------------------------------------------------------------------------------------


def test_global_search_finds_by_name_phone_email_and_tax_id(as_user, sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme Trading", phone="+49 30 1234567")
    services.add_counterparty(
        acme,
        by=sales_manager,
        legal_name="Acme Holding AG",
        tax_id="DE123456788",
        valid_from=datetime.date(2024, 1, 1),
    )
    services.add_contact(
        acme, by=sales_manager, first_name="Olga", last_name="Petrova", email="olga@acme.example"
    )
    web = as_user(sales_manager)
    card = reverse("parties:client-detail", args=[acme.pk])

    for text, expected in [
        ("acme tr", "Acme Trading"),
        ("30 1234567", "Acme Trading"),
        ("olga@acme.example", "Olga Petrova"),
        ("DE123456788", "Acme Holding AG"),
    ]:
        response = web.get(reverse("parties:search"), {"q": text})
        assert response.status_code == 200, text
        html = response.content.decode()
        assert expected in html and card in html, text
    assert "Nothing found" in web.get(reverse("parties:search"), {"q": "zzz"}).content.decode()


def test_search_respects_record_rule(as_user, sales_rep, sales_manager):
    services.create_client(by=sales_manager, name="Secret Client")
    html = as_user(sales_rep).get(reverse("parties:search"), {"q": "secret"}).content.decode()
    assert "Secret Client" not in html


def test_pages_answer_404_while_the_module_is_off(as_user, sales_manager):
    from tandem.core.models import ModuleSetting

    acme = ClientFactory(owner=sales_manager)
    ModuleSetting.objects.create(key="sales", enabled=False)  # sales requires CRM,
    ModuleSetting.objects.create(key="crm", enabled=False)  # CRM requires the clients module
    ModuleSetting.objects.create(key="parties", enabled=False)
    web = as_user(sales_manager)
    for url in (
        reverse("parties:client-list"),
        reverse("parties:client-detail", args=[acme.pk]),
        reverse("parties:contact-create", args=[acme.pk]),
        reverse("parties:search"),
    ):
        assert web.get(url).status_code == 404, url
