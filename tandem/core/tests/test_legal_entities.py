"""Our legal entities: validated tax IDs and bank accounts, one default, logo, audit; services, API, pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from tandem.core import legal_entities
from tandem.core.errors import BusinessRuleError
from tandem.core.models import AuditEntry, LegalEntity
from tandem.core.services import base_currency, default_country, default_legal_entity, get_company, update_company

JSON = "application/json"
IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(4, 4)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def nordlicht(admin_user):
    return legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Handel GmbH", country="de",
                                              tax_id="DE 136 695 976", base_currency="EUR")


# --- Services -------------------------------------------------------------------------------------------

def test_first_entity_is_the_default_and_audited(nordlicht):
    assert nordlicht.is_default and nordlicht.country == "DE" and nordlicht.tax_id == "DE136695976"
    assert default_legal_entity() == nordlicht
    entry = AuditEntry.objects.get(action="core.legalentity.created")
    assert entry.changes["name"] == "Nordlicht Handel GmbH" and entry.changes["is_default"] is True


def test_without_entities_the_company_settings_make_the_default(db):
    get_company()
    entity = default_legal_entity()
    assert entity.is_default and entity.name == get_company().name
    assert default_legal_entity() == entity and LegalEntity.objects.count() == 1


def test_exactly_one_default_in_the_database(nordlicht, admin_user):
    other = legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Services OOO", country="RU",
                                               base_currency="RUB")
    assert not other.is_default
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalEntity.objects.filter(pk=other.pk).update(is_default=True)


def test_setting_the_default_moves_the_base_currency(nordlicht, admin_user):
    other = legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Services OOO", country="RU",
                                               base_currency="RUB", tax_id="7707083893")
    legal_entities.set_default_legal_entity(other, by=admin_user)
    nordlicht.refresh_from_db()
    assert not nordlicht.is_default and default_legal_entity() == other
    assert base_currency() == "RUB" == get_company().base_currency
    assert default_country() == "RU"
    # ... and the other way round: the company setting changes the default entity.
    update_company(by=admin_user, base_currency="USD")
    other.refresh_from_db()
    assert other.base_currency == "USD" == base_currency()
    assert AuditEntry.objects.filter(action="core.legalentity.updated", object_id=str(other.pk)).count() == 2


@pytest.mark.parametrize("values, field, code", [
    ({"tax_id": "DE136695977"}, "tax_id", "invalid_tax_id"),  # wrong check digit
    ({"country": "RU", "tax_id": "7707083894"}, "tax_id", "invalid_tax_id"),
    ({"base_currency": "EURO"}, "base_currency", "invalid_currency"),
    ({"base_currency": "DEM"}, "base_currency", "invalid_currency"),
    ({"country": "Germany"}, "country", "invalid_country"),
    ({"name": "  "}, "name", "required"),
])
def test_bad_details_are_refused_on_their_field(admin_user, values, field, code):
    data = {"name": "Acme GmbH", "country": "DE", **values}
    with pytest.raises(BusinessRuleError) as refused:
        legal_entities.create_legal_entity(by=admin_user, **data)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not LegalEntity.objects.exists()


def test_tax_ids_are_compacted_and_those_of_countries_stdnum_does_not_know_kept(admin_user):
    entity = legal_entities.create_legal_entity(by=admin_user, name="Acme Inc", country="US", tax_id="12-3456789")
    assert entity.tax_id == "123456789"  # stdnum.us.tin
    entity = legal_entities.create_legal_entity(by=admin_user, name="Acme Ltd", country="NG", tax_id="1234-5678")
    assert entity.tax_id == "1234-5678"


def test_bank_accounts_are_validated_and_stored_compact(nordlicht, admin_user):
    account = legal_entities.add_bank_account(nordlicht, by=admin_user, iban=IBAN, bic="cobadeffxxx",
                                              bank_name="Commerzbank", currency="eur")
    assert (account.iban, account.bic, account.currency) == ("DE89370400440532013000", "COBADEFFXXX", "EUR")
    for values, field in (({"iban": "DE89 3704 0044 0532 0130 01"}, "iban"), ({"iban": IBAN, "bic": "XX1"}, "bic"),
                          ({"iban": IBAN}, "iban"), ({"iban": "GB82WEST12345698765432", "currency": "ABC"},
                                                     "currency")):
        with pytest.raises(BusinessRuleError) as refused:
            legal_entities.add_bank_account(nordlicht, by=admin_user, **values)
        assert refused.value.field == field
    assert nordlicht.bank_accounts.count() == 1
    legal_entities.remove_bank_account(account, by=admin_user)
    assert not nordlicht.bank_accounts.exists()
    assert list(AuditEntry.objects.filter(action__startswith="core.legalentity.bank_account")
                .values_list("action", flat=True).order_by("id")) == [
        "core.legalentity.bank_account_added", "core.legalentity.bank_account_removed"]


def test_logo_must_be_a_small_image(nordlicht, admin_user):
    entity = legal_entities.update_legal_entity(nordlicht, by=admin_user, logo=png())
    assert entity.logo.name.startswith("legal-entities/entity-") and entity.logo.name.endswith(".png")
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(BusinessRuleError) as refused:
        legal_entities.update_legal_entity(entity, by=admin_user, logo=fake)
    assert refused.value.code == "invalid_logo" and refused.value.field == "logo"
    big = SimpleUploadedFile("big.png", b"0" * (legal_entities.LOGO_MAX_BYTES + 1))
    with pytest.raises(BusinessRuleError) as refused:
        legal_entities.update_legal_entity(entity, by=admin_user, logo=big)
    assert refused.value.code == "logo_too_large"
    entity = legal_entities.update_legal_entity(entity, by=admin_user, remove_logo=True)
    assert not entity.logo


def test_only_maintainers_change_entities(nordlicht, sales_rep, make_user):
    from tandem.core import roles

    with pytest.raises(BusinessRuleError) as refused:
        legal_entities.update_legal_entity(nordlicht, by=sales_rep, name="Mine")
    assert refused.value.status_code == 403
    accountant = make_user(roles.ACCOUNTANT, username="acc1")
    assert legal_entities.update_legal_entity(nordlicht, by=accountant, name="Nordlicht AG").name == "Nordlicht AG"


# --- API ------------------------------------------------------------------------------------------------

def test_api_crud_default_bank_accounts_and_logo(api, admin_user, viewer):
    http = api(admin_user)
    response = http.post("/api/v1/legal-entities", {"name": "Nordlicht Handel GmbH", "country": "DE",
                                                    "tax_id": "DE136695976", "base_currency": "EUR",
                                                    "registered_address": "Friedrichstraße 68, Berlin"},
                         content_type=JSON)
    assert response.status_code == 201
    first = response.json()
    assert first["is_default"] and first["bank_accounts"] == [] and first["logo_url"] is None
    second = http.post("/api/v1/legal-entities", {"name": "Nordlicht Services OOO", "country": "RU",
                                                  "base_currency": "RUB"}, content_type=JSON).json()
    assert not second["is_default"]
    response = http.post(f"/api/v1/legal-entities/{second['id']}/bank-accounts",
                         {"iban": "GB82 WEST 1234 5698 7654 32", "bic": "NWBKGB2L"}, content_type=JSON)
    assert response.status_code == 201 and response.json()["iban"] == "GB82WEST12345698765432"
    assert http.post(f"/api/v1/legal-entities/{second['id']}/default").json()["is_default"] is True
    assert http.get("/api/v1/company").json()["base_currency"] == "RUB"
    body = http.patch(f"/api/v1/legal-entities/{first['id']}", {"postal_address": "Postfach 1, Berlin"},
                      content_type=JSON).json()
    assert body["postal_address"] == "Postfach 1, Berlin" and body["is_default"] is False
    logo = http.post(f"/api/v1/legal-entities/{first['id']}/logo", {"file": png()})
    assert logo.status_code == 200 and logo.json()["logo_url"].endswith(f"/legal-entities/{first['id']}/logo/")
    listed = api(viewer).get("/api/v1/legal-entities").json()
    assert [e["name"] for e in listed] == ["Nordlicht Services OOO", "Nordlicht Handel GmbH"]
    assert listed[0]["bank_accounts"][0]["bic"] == "NWBKGB2L"
    account_id = listed[0]["bank_accounts"][0]["id"]
    assert http.delete(f"/api/v1/legal-entities/{second['id']}/bank-accounts/{account_id}").status_code == 204
    assert api(viewer).patch(f"/api/v1/legal-entities/{first['id']}", {"name": "x"},
                             content_type=JSON).status_code == 403


@pytest.mark.parametrize("payload, field", [
    ({"name": "Acme", "country": "DE", "tax_id": "DE123"}, "tax_id"),
    ({"name": "Acme", "base_currency": "XYZ"}, "base_currency"),
    ({"name": "Acme", "country": "XX"}, "country"),
])
def test_api_bad_details_are_400_with_their_field(api, admin_user, payload, field):
    response = api(admin_user).post("/api/v1/legal-entities", payload, content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] == field
    assert not LegalEntity.objects.exists()


def test_api_bad_iban_is_400_with_its_field(api, admin_user, nordlicht):
    response = api(admin_user).post(f"/api/v1/legal-entities/{nordlicht.pk}/bank-accounts",
                                    {"iban": "DE00 1234"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "iban" and response.json()["code"] == "invalid_iban"


# --- Pages ----------------------------------------------------------------------------------------------

def test_pages_create_edit_default_and_bank_accounts(client, admin_user, nordlicht):
    client.force_login(admin_user)
    html = client.get("/settings/legal-entities/").content.decode()
    assert "Nordlicht Handel GmbH" in html and "DE136695976" in html
    response = client.post("/settings/legal-entities/new/", {
        "name": "Nordlicht Services OOO", "country": "RU", "base_currency": "RUB", "tax_id": "7707083893",
        "logo": png()})
    assert response.status_code == 302
    other = LegalEntity.objects.get(name="Nordlicht Services OOO")
    assert other.logo and client.get(f"/settings/legal-entities/{other.pk}/logo/").status_code == 200
    response = client.post(f"/settings/legal-entities/{other.pk}/", {
        "name": "Nordlicht Services OOO", "country": "RU", "base_currency": "RUB", "tax_id": "7707083894"})
    assert response.status_code == 200 and "is not a valid tax ID" in response.content.decode()
    response = client.post(f"/settings/legal-entities/{other.pk}/bank-accounts/", {"iban": "RU12 nonsense"})
    assert response.status_code == 400 and "is not a valid IBAN" in response.content.decode()
    response = client.post(f"/settings/legal-entities/{other.pk}/bank-accounts/", {"iban": IBAN, "bic": "COBADEFF"})
    assert response.status_code == 302
    assert "DE89370400440532013000" in client.get(f"/settings/legal-entities/{other.pk}/").content.decode()
    assert client.post(f"/settings/legal-entities/{other.pk}/default/").status_code == 302
    assert default_legal_entity() == other and get_company().base_currency == "RUB"


def test_pages_need_permissions(client, viewer, sales_rep, nordlicht):
    client.force_login(viewer)
    html = client.get(f"/settings/legal-entities/{nordlicht.pk}/").content.decode()
    assert "Nordlicht Handel GmbH" in html and 'id="legal-entity-form"' not in html
    assert client.post(f"/settings/legal-entities/{nordlicht.pk}/", {"name": "x"}).status_code == 403
    assert client.get("/settings/legal-entities/new/").status_code == 403
    client.force_login(sales_rep)
    assert client.get("/settings/legal-entities/").status_code == 403


def test_base_currency_and_country_are_cached_until_an_entity_changes(nordlicht, admin_user,
                                                                    django_assert_num_queries):
    assert (base_currency(), default_country()) == ("EUR", "DE")
    with django_assert_num_queries(0):
        assert (base_currency(), default_country()) == ("EUR", "DE")
    legal_entities.update_legal_entity(nordlicht, by=admin_user, country="AT", base_currency="CHF", tax_id="")
    assert (base_currency(), default_country()) == ("CHF", "AT")


# --- Stock valuation method ------------------------------------------------------------------------------

def test_valuation_method_defaults_to_moving_average_and_changes_until_locked(api, admin_user, nordlicht):
    from tandem.core import legal_entities

    assert nordlicht.valuation_method == "average"
    response = api(admin_user).patch(f"/api/v1/legal-entities/{nordlicht.pk}", {"valuation_method": "fifo"},
                                     content_type=JSON)
    assert response.status_code == 200 and response.json()["valuation_method"] == "fifo"
    response = api(admin_user).patch(f"/api/v1/legal-entities/{nordlicht.pk}", {"valuation_method": "lifo"},
                                     content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] == "valuation_method"

    def locked(entity):
        return entity.pk == nordlicht.pk

    legal_entities.register_valuation_method_lock(locked)
    try:
        response = api(admin_user).patch(f"/api/v1/legal-entities/{nordlicht.pk}",
                                         {"valuation_method": "average"}, content_type=JSON)
        assert response.status_code == 400 and response.json()["code"] == "valuation_method_fixed"
        nordlicht.refresh_from_db()
        assert nordlicht.valuation_method == "fifo"
    finally:
        legal_entities._VALUATION_METHOD_LOCKS.remove(locked)
