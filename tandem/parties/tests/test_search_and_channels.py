"""Issue #12.4: duplicates and search find what people type — names without case and accents, tax IDs in any
form, local phone numbers, parts of e-mails, tags in any case, and contact channels of every kind."""

import pytest
from django.db import IntegrityError, transaction

from tandem.core import legal_entities
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.search_keys import fold
from tandem.parties import queries, services
from tandem.parties.models import Client, ContactChannel, Tag
from tandem.parties.tests.factories import ClientFactory

JSON = "application/json"


@pytest.fixture
def polish_company(admin_user):
    """Our default legal entity is Polish: local phone numbers and tax IDs without a prefix are Polish."""
    return legal_entities.create_legal_entity(by=admin_user, name="Tandem Sp. z o.o.", country="PL")


def titles(user, text):
    return {(hit.kind, hit.title) for hit in queries.global_search(user, text)}


# --- Names ----------------------------------------------------------------------------------------------


def test_fold_ignores_case_accents_and_special_letters():
    assert fold("Wisła  Hurt") == fold("WISLA hurt") == "wisla hurt"
    assert fold("Müller Straße") == "muller strasse"
    assert fold("Łódź Ørsted Æble") == "lodz orsted aeble"


def test_wisla_finds_wisla_with_accent_in_search_and_in_the_client_list(sales_manager):
    services.create_client(by=sales_manager, name="Wisła Hurt")
    services.create_client(by=sales_manager, name="Oder Handel")
    assert titles(sales_manager, "wisla") == {("client", "Wisła Hurt")}
    assert titles(sales_manager, "WISŁA") == {("client", "Wisła Hurt")}
    listed = queries.filter_clients(queries.visible_clients(sales_manager), q="Wisla")
    assert [c.name for c in listed] == ["Wisła Hurt"]


def test_a_second_client_with_the_same_name_in_other_letters_is_a_duplicate(sales_manager):
    first = services.create_client(by=sales_manager, name="Wisła Hurt")
    with pytest.raises(ConflictError) as refused:
        services.create_client(by=sales_manager, name="  wisla HURT ")
    assert (refused.value.code, refused.value.field) == ("duplicate", "name")
    assert refused.value.extra["duplicates"][0]["client_id"] == first.pk
    assert "same name" in refused.value.message
    # Confirmed: saved anyway.
    services.create_client(by=sales_manager, name="Wisla Hurt", allow_duplicates=True)
    assert Client.objects.filter(search_name="wisla hurt").count() == 2


def test_renaming_into_an_existing_name_is_a_duplicate_too(sales_manager):
    services.create_client(by=sales_manager, name="Wisła Hurt")
    other = services.create_client(by=sales_manager, name="Odra")
    with pytest.raises(ConflictError):
        services.update_client(other, by=sales_manager, name="WISLA HURT")
    services.update_client(other, by=sales_manager, name="Odra Hurt")  # unrelated renames pass


# --- Tax IDs --------------------------------------------------------------------------------------------

VALID_TAX_IDS = [
    ("PL", "525-281-23-49", "5252812349"),  # Poland NIP
    ("ID", "01.312.365.8-007.000", "013123658007000"),  # Indonesia NPWP
    ("KR", "134-86-72683", "1348672683"),  # Korea business registration number
    ("BG", "175074752", "175074752"),  # Bulgaria EIK / VAT
    ("PT", "501 964 843", "501964843"),  # Portugal NIF
    ("BR", "16.727.230/0001-97", "16727230000197"),  # Brazil CNPJ
    ("BR", "390.533.447-05", "39053344705"),  # Brazil CPF
    ("DE", "DE 136 695 976", "136695976"),  # Germany VAT
    ("RU", "7707083893", "7707083893"),  # Russia INN
]


@pytest.mark.parametrize(("country", "typed", "key"), VALID_TAX_IDS)
def test_valid_tax_ids_are_stored_compact_and_found_in_any_form(sales_manager, country, typed, key):
    client = services.create_client(by=sales_manager, name=f"Client {country} {key}")
    cp = services.add_counterparty(
        client, by=sales_manager, legal_name="Legal", valid_from="2024-01-01", tax_id=typed, country=country
    )
    assert cp.tax_id_key == key
    assert cp.tax_id.endswith(key)
    for text in (typed, key, f"{country}{key}"):
        assert ("counterparty", "Legal") in titles(sales_manager, text), text


@pytest.mark.parametrize(
    ("country", "typed"),
    [
        ("PL", "5252812345"),
        ("ID", "013123659007000"),
        ("KR", "1348672684"),
        ("BG", "175074753"),
        ("PT", "501964844"),
        ("BR", "16727230000198"),
        ("DE", "DE136695977"),
        ("RU", "7707083894"),
    ],
)
def test_a_wrong_checksum_is_refused_naming_the_field(sales_manager, nothing_written, country, typed):
    client = services.create_client(by=sales_manager, name="Checksum Test")
    with nothing_written(), pytest.raises(BusinessRuleError) as refused:
        services.add_counterparty(
            client, by=sales_manager, legal_name="Wrong", valid_from="2024-01-01", tax_id=typed, country=country
        )
    assert (refused.value.code, refused.value.field) == ("invalid_tax_id", "tax_id")
    assert typed in refused.value.message


def test_one_polish_nip_with_and_without_prefix_and_dashes_is_one_number(sales_manager, polish_company):
    first = services.create_client(by=sales_manager, name="Linden Polska")
    services.add_counterparty(
        first, by=sales_manager, legal_name="Linden Polska Sp. z o.o.", valid_from="2024-01-01", tax_id="5252812349"
    )  # the default country: Poland
    second = services.create_client(by=sales_manager, name="Someone Else")
    for typed in ("525-281-23-49", "PL5252812349", "pl 525 281 23 49"):
        with pytest.raises(ConflictError) as refused:
            services.add_counterparty(
                second, by=sales_manager, legal_name="Copy", valid_from="2024-01-01", tax_id=typed
            )
        assert (refused.value.code, refused.value.field) == ("duplicate", "tax_id")
    with pytest.raises(BusinessRuleError) as refused:
        services.add_counterparty(
            second, by=sales_manager, legal_name="Typo", valid_from="2024-01-01", tax_id="525-281-23-45"
        )
    assert refused.value.code == "invalid_tax_id"


def test_api_refuses_a_wrong_tax_id_with_the_field(api, sales_manager, nothing_written):
    client = services.create_client(by=sales_manager, name="Api Tax")
    http = api(sales_manager)
    with nothing_written():
        response = http.post(
            f"/api/v1/clients/{client.pk}/counterparties",
            {"legal_name": "Api Tax SA", "valid_from": "2024-01-01", "tax_id": "PT501964844"},
            content_type=JSON,
        )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_tax_id", "tax_id")


# --- Phones and e-mails ---------------------------------------------------------------------------------


def test_local_phone_numbers_use_the_default_entitys_country_and_are_found_in_any_form(sales_manager, polish_company):
    client = services.create_client(by=sales_manager, name="Warszawa Hurt", phone="22 654 32 10")
    assert client.phone == "+48226543210"
    services.add_contact(
        client,
        by=sales_manager,
        first_name="Ewa",
        last_name="Nowak",
        channels=[{"kind": "mobile_phone", "value": "601 234 567"}],
    )
    for typed in ("22 654 32 10", "+48 22 654 32 10", "0048 22 654 32 10", "226543210", "(22) 654-32-10"):
        assert ("client", "Warszawa Hurt") in titles(sales_manager, typed), typed
    for typed in ("601 234 567", "+48601234567", "601-234"):
        assert ("contact", "Ewa Nowak") in titles(sales_manager, typed), typed
    contacts = queries.filter_contacts(queries.visible_contacts(sales_manager), q="601 234 567")
    assert [c.full_name for c in contacts] == ["Ewa Nowak"]
    # Contact channels are found from the client list too.
    assert [c.name for c in queries.filter_clients(queries.visible_clients(sales_manager), q="601234567")] == [
        "Warszawa Hurt"
    ]


def test_part_of_an_email_and_the_domain_find_the_client_and_the_contact(sales_manager):
    client = services.create_client(by=sales_manager, name="Linden Metall", email="info@linden-metall.de")
    services.add_contact(
        client,
        by=sales_manager,
        first_name="Jonas",
        last_name="Weber",
        channels=[{"kind": "email", "value": "J.Weber@Linden-Metall.de"}],
    )
    services.create_client(by=sales_manager, name="Other GmbH", email="info@other.de")
    assert titles(sales_manager, "linden-metall.de") >= {("client", "Linden Metall"), ("contact", "Jonas Weber")}
    assert ("client", "Other GmbH") not in titles(sales_manager, "linden-metall.de")
    assert ("contact", "Jonas Weber") in titles(sales_manager, "j.weber@")
    assert [c.name for c in queries.filter_clients(queries.visible_clients(sales_manager), q="linden-metall")] == [
        "Linden Metall"
    ]


def test_search_shows_only_channels_of_clients_the_user_may_see(sales_rep, foreign_client, own_client):
    services.add_contact(
        foreign_client,
        by=foreign_client.owner,
        first_name="Hidden",
        last_name="Person",
        channels=[{"kind": "telegram", "value": "@hidden_person"}],
    )
    services.add_contact(
        own_client,
        by=sales_rep,
        first_name="Seen",
        last_name="Person",
        channels=[{"kind": "telegram", "value": "@seen_person"}],
    )
    assert titles(sales_rep, "_person") == {("contact", "Seen Person")}


# --- Tags -----------------------------------------------------------------------------------------------


def test_tags_ignore_letter_case(sales_manager):
    vip = services.create_client(by=sales_manager, name="Tagged One", tags=["VIP"])
    other = services.create_client(by=sales_manager, name="Tagged Two", tags=["vip", "Vip"])
    assert list(Tag.objects.values_list("name", flat=True)) == ["VIP"]
    assert list(other.tags.values_list("name", flat=True)) == ["VIP"]
    found = queries.filter_clients(queries.visible_clients(sales_manager), tag="vIp")
    assert {c.pk for c in found} == {vip.pk, other.pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="vip")


def test_the_client_list_filters_by_a_tag_typed_in_any_case(client, sales_manager):
    services.create_client(by=sales_manager, name="Tagged Three", tags=["Wholesale"])
    services.create_client(by=sales_manager, name="Untagged")
    client.force_login(sales_manager)
    page = client.get("/clients/", {"tag": "wholesale"}).content.decode()
    assert "Tagged Three" in page and "Untagged" not in page


# --- Channels -------------------------------------------------------------------------------------------


def test_channels_of_every_kind_are_stored_normalised_and_open_as_links(sales_manager, polish_company):
    client = services.create_client(by=sales_manager, name="Channel Test")
    contact = services.add_contact(
        client,
        by=sales_manager,
        first_name="Olga",
        channels=[
            {"kind": "office_phone", "value": "22 654 32 10"},
            {"kind": "mobile_phone", "value": "+48 601 234 567"},
            {"kind": "other_phone", "value": "+49 30 1234567"},
            {"kind": "email", "value": "Olga@Example.COM"},
            {"kind": "telegram", "value": "https://t.me/olga_k"},
            {"kind": "whatsapp", "value": "601 234 567"},
            {"kind": "skype", "value": "olga.kowalska"},
            {"kind": "social", "value": "linkedin.com/in/olga-k"},
        ],
    )
    links = [(c.kind, c.value, c.link) for c in contact.channels.all()]
    assert links == [
        ("office_phone", "+48226543210", "tel:+48226543210"),
        ("mobile_phone", "+48601234567", "tel:+48601234567"),
        ("other_phone", "+49301234567", "tel:+49301234567"),
        ("email", "olga@example.com", "mailto:olga@example.com"),
        ("telegram", "olga_k", "https://t.me/olga_k"),
        ("whatsapp", "+48601234567", "https://wa.me/48601234567"),
        ("skype", "olga.kowalska", "skype:olga.kowalska?chat"),
        ("social", "https://linkedin.com/in/olga-k", "https://linkedin.com/in/olga-k"),
    ]
    assert (contact.email, contact.phone, contact.mobile_phone) == ("olga@example.com", "+48226543210", "+48601234567")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", "not-an-address"),
        ("telegram", "@ab"),
        ("telegram", "has space"),
        ("skype", "1abc"),
        ("social", "javascript:alert(1)"),
        ("mobile_phone", "12"),
        ("whatsapp", "call me"),
        ("fax", "+4930123"),
    ],
)
def test_a_channel_is_validated_by_its_kind(sales_manager, nothing_written, kind, value):
    client = services.create_client(by=sales_manager, name="Bad Channel")
    with nothing_written(), pytest.raises(BusinessRuleError) as refused:
        services.add_contact(client, by=sales_manager, first_name="Ivan", channels=[{"kind": kind, "value": value}])
    assert refused.value.field == "channels"


def test_a_phone_or_email_channel_already_on_file_is_a_duplicate(sales_manager):
    first = services.create_client(by=sales_manager, name="First Owner")
    services.add_contact(
        first, by=sales_manager, first_name="Anna", channels=[{"kind": "whatsapp", "value": "+48 601 234 567"}]
    )
    second = services.create_client(by=sales_manager, name="Second Owner")
    with pytest.raises(ConflictError) as refused:
        services.add_contact(
            second, by=sales_manager, first_name="Piotr", channels=[{"kind": "mobile_phone", "value": "+48601234567"}]
        )
    assert (refused.value.code, refused.value.field) == ("duplicate", "channels")
    assert "Anna" in refused.value.message
    with pytest.raises(ConflictError):
        services.update_client(second, by=sales_manager, channels=[{"kind": "office_phone", "value": "+48601234567"}])


def test_changing_channels_is_audited_in_words(sales_manager):
    from tandem.core.audit_render import change_rows
    from tandem.core.models import AuditEntry

    client = services.create_client(by=sales_manager, name="Audit Channels")
    contact = services.add_contact(
        client, by=sales_manager, first_name="Ida", channels=[{"kind": "email", "value": "ida@example.com"}]
    )
    services.update_contact(
        contact,
        by=sales_manager,
        channels=[{"kind": "email", "value": "ida@example.com"}, {"kind": "mobile_phone", "value": "+49 151 23456789"}],
    )
    entry = AuditEntry.objects.filter(action="parties.contact.updated").get()
    row = next(r for r in change_rows(entry) if r.key == "channels")
    assert row.label == "Phones, e-mails and messengers"
    assert row.old == "E-mail ida@example.com"
    assert row.new == "E-mail ida@example.com; Mobile phone +49 1512 3456789"


# --- API ------------------------------------------------------------------------------------------------


def test_api_contact_channels_nested_and_the_former_columns_still_work(api, sales_manager):
    client = ClientFactory(owner=sales_manager)
    http = api(sales_manager)
    response = http.post(
        f"/api/v1/clients/{client.pk}/contacts",
        {
            "first_name": "Mara",
            "channels": [{"kind": "email", "value": "mara@example.com"}, {"kind": "telegram", "value": "@mara_m"}],
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(c["kind"], c["value"], c["link"]) for c in body["channels"]] == [
        ("email", "mara@example.com", "mailto:mara@example.com"),
        ("telegram", "mara_m", "https://t.me/mara_m"),
    ]
    assert body["email"] == "mara@example.com"

    # The former column sets the first channel of its kind, keeping the others.
    response = http.patch(f"/api/v1/contacts/{body['id']}", {"mobile_phone": "+49 171 1234567"}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert [c["kind"] for c in response.json()["channels"]] == ["email", "telegram", "mobile_phone"]
    assert response.json()["mobile_phone"] == "+491711234567"
    response = http.patch(f"/api/v1/contacts/{body['id']}", {"email": None}, content_type=JSON)
    assert [c["kind"] for c in response.json()["channels"]] == ["telegram", "mobile_phone"]

    # A bad channel: 400 naming the field, nothing changed.
    response = http.patch(
        f"/api/v1/contacts/{body['id']}", {"channels": [{"kind": "skype", "value": "x"}]}, content_type=JSON
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_channel", "channels")
    assert ContactChannel.objects.filter(contact_id=body["id"]).count() == 2

    # Search and list filter find the contact by a channel.
    found = http.get("/api/v1/contacts", {"q": "mara_m"}).json()
    assert [c["full_name"] for c in found["items"]] == ["Mara"]
    assert [h["title"] for h in http.get("/api/v1/search", {"q": "mara_m"}).json()] == ["Mara"]


def test_api_client_channels_and_name_duplicates(api, sales_manager):
    http = api(sales_manager)
    response = http.post(
        "/api/v1/clients",
        {"name": "Wisła Hurt", "channels": [{"kind": "social", "value": "https://www.facebook.com/wislahurt"}]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response.json()["channels"][0]["link"] == "https://www.facebook.com/wislahurt"
    response = http.post("/api/v1/clients", {"name": "WISLA hurt"}, content_type=JSON)
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("duplicate", "name")
    found = http.get("/api/v1/clients", {"q": "facebook.com/wislahurt"}).json()
    assert [c["name"] for c in found["items"]] == ["Wisła Hurt"]


# --- Forms ----------------------------------------------------------------------------------------------


def test_the_contact_form_saves_rows_of_channels_and_shows_a_bad_one_on_the_field(client, sales_manager):
    acme = ClientFactory(owner=sales_manager, name="Form Channels")
    client.force_login(sales_manager)
    url = f"/clients/{acme.pk}/contacts/new/"
    row = client.get("/clients/channel-row/", {"name": "channels"}, headers={"HX-Request": "true"})
    assert row.status_code == 200 and 'name="channels_value"' in row.content.decode()

    response = client.post(
        url,
        {
            "first_name": "Lena",
            "channels_kind": ["email", "skype", "telegram"],
            "channels_value": ["lena@example.com", "x", ""],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a Skype name" in page and 'id="id_channels_error"' in page
    assert 'value="lena@example.com"' in page  # the rows typed are kept

    response = client.post(
        url,
        {
            "first_name": "Lena",
            "channels_kind": ["email", "skype", "telegram"],
            "channels_value": ["lena@example.com", "lena.schmidt", ""],
        },
    )
    assert response.status_code == 302
    contact = acme.contacts.get()
    assert [(c.kind, c.value) for c in contact.channels.all()] == [
        ("email", "lena@example.com"),
        ("skype", "lena.schmidt"),
    ]
    card = client.get(f"/clients/{acme.pk}/").content.decode()
    assert 'href="skype:lena.schmidt?chat"' in card and 'href="mailto:lena@example.com"' in card
