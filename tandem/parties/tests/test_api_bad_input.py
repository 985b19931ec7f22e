"""Refused API requests: each answers with the shared error shape and writes nothing."""

import datetime

import pytest
from django.test import Client as HttpClient

from tandem.parties.models import Client, Counterparty
from tandem.parties.tests.factories import ContactFactory, CounterpartyFactory

JSON = "application/json"


def assert_error_shape(body: dict, code: str, field=None):
    assert set(body) >= {"code", "field", "message", "errors"}
    assert body["code"] == code
    assert body["field"] == field
    assert body["message"]
    assert {"field": field, "message": body["message"]} in body["errors"]


@pytest.mark.parametrize("raw", ['{"name": "Acme"', "name=Acme", '{"name": "Acme",}'])
def test_malformed_json_is_400_not_500(api, sales_manager, nothing_written, raw):
    http = api(sales_manager)
    with nothing_written():
        response = http.post("/api/v1/clients", raw, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "malformed_body")


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": 123}, "name"),
    ({"name": "Acme", "owner_id": "someone"}, "owner_id"),
    ({"name": "Acme", "tags": "vip"}, "tags"),
    ({"name": "Acme", "kind": "b2x"}, "kind"),
    ({"name": "Acme", "status": "gone"}, "status"),
    ({"name": "Acme", "allow_duplicates": "perhaps"}, "allow_duplicates"),
    ({}, "name"),
    ({"name": "Acme", "owner": 5}, "owner"),
])
def test_wrong_types_are_400_naming_the_field(api, sales_manager, nothing_written, payload, field):
    http = api(sales_manager)
    with nothing_written():
        response = http.post("/api/v1/clients", payload, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "invalid", field)


def test_wrong_query_and_path_types_are_400(api, sales_manager):
    http = api(sales_manager)
    assert http.get("/api/v1/clients?page=0").json()["field"] == "page"
    assert http.get("/api/v1/clients?sort=price").json()["field"] == "sort"
    assert http.get("/api/v1/clients?owner_id=me").json()["field"] == "owner_id"
    response = http.get("/api/v1/clients/abc")
    assert response.status_code == 400
    assert response.json()["field"] == "client_id"


def test_counterparty_date_must_be_a_date(api, sales_manager, own_client, nothing_written):
    http = api(sales_manager)
    with nothing_written():
        response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties",
                             {"legal_name": "X GmbH", "valid_from": "first of May"}, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "invalid", "valid_from")


@pytest.mark.parametrize("path", [
    "/api/v1/clients/999999", "/api/v1/clients/999999/history", "/api/v1/clients/999999/contacts",
    "/api/v1/clients/999999/counterparties", "/api/v1/counterparties/999999", "/api/v1/contacts/999999",
    "/api/v1/counterparties/999999/bank-accounts",
])
def test_unknown_ids_are_404(api, sales_manager, path):
    response = api(sales_manager).get(path)
    assert response.status_code == 404
    assert_error_shape(response.json(), "not_found")


def test_ids_beyond_64_bits_are_400_naming_the_parameter(api, sales_manager):
    response = api(sales_manager).get("/api/v1/clients/99999999999999999999999")
    assert response.status_code == 400
    assert_error_shape(response.json(), "invalid", "client_id")


def test_writes_to_unknown_ids_are_404_and_write_nothing(api, sales_manager, nothing_written):
    http = api(sales_manager)
    with nothing_written():
        assert http.patch("/api/v1/clients/999999", {"name": "X"}, content_type=JSON).status_code == 404
        assert http.delete("/api/v1/clients/999999").status_code == 404
        assert http.post("/api/v1/clients/999999/contacts", {"first_name": "X"},
                         content_type=JSON).status_code == 404
        response = http.post("/api/v1/clients/999999/counterparties",
                             {"legal_name": "X", "valid_from": "2024-01-01"}, content_type=JSON)
        assert response.status_code == 404
        assert http.delete("/api/v1/counterparties/999999/bank-accounts/1").status_code == 404


def test_unknown_referenced_ids_in_a_body_are_400_on_that_field(api, sales_manager, nothing_written):
    http = api(sales_manager)
    with nothing_written():
        response = http.post("/api/v1/clients", {"name": "Acme", "owner_id": 999999}, content_type=JSON)
        assert response.status_code == 400
        assert_error_shape(response.json(), "unknown_reference", "owner_id")
        response = http.post("/api/v1/clients", {"name": "Acme", "first_source_id": 99999}, content_type=JSON)
        assert response.status_code == 400
        assert_error_shape(response.json(), "unknown_reference", "first_source_id")


def test_no_authentication_is_401(db, nothing_written):
    anonymous = HttpClient()
    with nothing_written():
        assert anonymous.get("/api/v1/clients").status_code == 401
        response = anonymous.post("/api/v1/clients", {"name": "Acme"}, content_type=JSON)
    assert response.status_code == 401
    assert_error_shape(response.json(), "not_authenticated")


def test_invalid_or_revoked_token_is_401(api, sales_manager):
    wrong = HttpClient(headers={"Authorization": "Bearer tdm_not-a-real-token"})
    assert wrong.get("/api/v1/clients").status_code == 401


def test_missing_permission_is_403(api, viewer, own_client, nothing_written):
    http = api(viewer)
    with nothing_written():
        response = http.patch(f"/api/v1/clients/{own_client.pk}", {"name": "Renamed"}, content_type=JSON)
    assert response.status_code == 403
    assert_error_shape(response.json(), "permission_denied")
    own_client.refresh_from_db()
    assert own_client.name == "Rep Own GmbH"


def test_user_without_any_role_gets_403_on_lists(api, make_user):
    http = api(make_user(None, username="nobody"))
    assert http.get("/api/v1/clients").status_code == 403
    assert http.get("/api/v1/contacts").status_code == 403
    assert http.get("/api/v1/sources").status_code == 403
    assert http.get("/api/v1/search?q=acme").json() == []


@pytest.mark.parametrize("phone", ["12", "call me", "+49 000", "+1 555 0000 00000000"])
def test_invalid_phone_is_400_on_phone(api, sales_rep, nothing_written, phone):
    http = api(sales_rep)
    with nothing_written():
        response = http.post("/api/v1/clients", {"name": "Acme", "phone": phone}, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "invalid_phone", "phone")


def test_invalid_phone_on_contact_patch_keeps_the_old_number(api, sales_rep, own_client, nothing_written):
    contact = ContactFactory(client=own_client, phone="+49301234567")
    http = api(sales_rep)
    with nothing_written():
        response = http.patch(f"/api/v1/contacts/{contact.pk}", {"mobile_phone": "0000"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "mobile_phone"
    contact.refresh_from_db()
    assert contact.mobile_phone == ""


@pytest.mark.parametrize(("path_kind", "payload"), [
    ("clients", {"name": "Acme", "email": "not-an-email"}),
    ("contacts", {"first_name": "Eva", "email": "eva@"}),
])
def test_invalid_email_is_400_on_email(api, sales_rep, own_client, nothing_written, path_kind, payload):
    path = "/api/v1/clients" if path_kind == "clients" else f"/api/v1/clients/{own_client.pk}/contacts"
    http = api(sales_rep)
    with nothing_written():
        response = http.post(path, payload, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "invalid", "email")


def test_overlapping_counterparty_period_is_400_on_valid_from(api, sales_manager, own_client,
                                                               nothing_written):
    existing = CounterpartyFactory(client=own_client, valid_from=datetime.date(2024, 1, 1),
                                   valid_to=datetime.date(2024, 12, 31))
    http = api(sales_manager)
    with nothing_written():
        response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties",
                             {"legal_name": "Overlap GmbH", "valid_from": "2024-06-01"}, content_type=JSON)
    assert response.status_code == 400
    assert_error_shape(response.json(), "period_overlap", "valid_from")
    assert existing.legal_name in response.json()["message"]


def test_overlap_on_patch_is_refused_and_leaves_both_periods(api, sales_manager, own_client, nothing_written):
    first = CounterpartyFactory(client=own_client, valid_from=datetime.date(2023, 1, 1),
                                valid_to=datetime.date(2023, 12, 31))
    second = CounterpartyFactory(client=own_client, valid_from=datetime.date(2024, 1, 1))
    http = api(sales_manager)
    with nothing_written():
        response = http.patch(f"/api/v1/counterparties/{second.pk}", {"valid_from": "2023-06-01"},
                              content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "valid_from"
    assert Counterparty.objects.get(pk=second.pk).valid_from == datetime.date(2024, 1, 1)
    assert Counterparty.objects.get(pk=first.pk).valid_to == datetime.date(2023, 12, 31)


def test_valid_to_before_valid_from_is_400(api, sales_manager, own_client, nothing_written):
    http = api(sales_manager)
    with nothing_written():
        response = http.post(f"/api/v1/clients/{own_client.pk}/counterparties",
                             {"legal_name": "Backwards GmbH", "valid_from": "2024-06-01",
                              "valid_to": "2024-05-31"},
                             content_type=JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_period"
    assert body["field"] == "valid_to"
    assert "before" in body["message"]


def test_invalid_bank_account_currency_is_400(api, sales_manager, own_client, nothing_written):
    cp = CounterpartyFactory(client=own_client)
    http = api(sales_manager)
    with nothing_written():
        response = http.post(f"/api/v1/counterparties/{cp.pk}/bank-accounts",
                             {"bank_name": "B", "account_number": "X1", "currency": "EURO"},
                             content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "currency"


def test_blank_client_name_is_400(api, sales_rep, nothing_written):
    http = api(sales_rep)
    with nothing_written():
        response = http.post("/api/v1/clients", {"name": "   "}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert not Client.objects.exists()
