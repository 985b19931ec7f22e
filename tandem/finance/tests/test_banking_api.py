"""Payments and bank statements over the REST API: register, allocate, reverse, refusals with their field,
who sees which payments, statement import (multipart, twice), confirm and ignore lines, bank accounts."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core import roles
from tandem.finance.models import Invoice, Payment

URL = "/api/v1/finance"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def http(api, accountant, ledger):
    return api(accountant)


def _post(http, url, body):
    return http.post(url, data=json.dumps(body), content_type="application/json")


def _payment(bank_account, payer, amount, allocations=()):
    return {"direction": "in", "payment_account_id": bank_account.pk, "date": "2026-03-10", "amount": amount,
            "client_id": payer.client_id, "counterparty_id": payer.pk, "reference": "INV",
            "allocations": [{"invoice_id": invoice.pk, "amount": value} for invoice, value in allocations]}


def test_register_allocate_and_reverse(http, bank_account, payer, issued_invoice):
    first, second = issued_invoice("100.00", tax="0"), issued_invoice("60.00", tax="0")
    response = _post(http, f"{URL}/payments", _payment(bank_account, payer, "150.00", [(first, "100.00")]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["unallocated_amount"], body["actions"]) == ("BNK/2026/0001", "50.00",
                                                                             ["allocate", "reverse"])
    assert body["allocations"][0]["amount"] == "100.00" and body["allocations"][0]["exchange_difference"] == "0.00"
    allocated = _post(http, f"{URL}/payments/{body['id']}/allocate", {"invoice_id": second.pk, "amount": "50.00"})
    assert allocated.status_code == 200 and allocated.json()["unallocated_amount"] == "0.00"
    second.refresh_from_db()
    assert second.status == "partly_paid"
    reversed_ = _post(http, f"{URL}/payments/{body['id']}/reverse", {})
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert set(Invoice.objects.values_list("status", flat=True)) == {"issued"}
    again = _post(http, f"{URL}/payments/{body['id']}/reverse", {})
    assert (again.status_code, again.json()["code"]) == (409, "payment_reversed")


@pytest.mark.parametrize("change, status, code, field", [
    (lambda b: b["allocations"][0].update(amount="101.00"), 409, "over_allocation", "allocations.0.invoice_id"),
    (lambda b: b.update(amount="50.00"), 400, "allocation_exceeds_payment", "allocations"),
    (lambda b: b.update(amount="1.001"), 400, "too_many_decimals", "amount"),
    (lambda b: b.update(amount=1.5), 400, "invalid", "amount"),
    (lambda b: b["allocations"][0].update(invoice_id=999999), 400, "unknown_reference", "allocations.0.invoice_id"),
    (lambda b: b.update(date="2031-01-01"), 400, "no_fiscal_year", "date"),
    (lambda b: b.update(direction="sideways"), 400, "invalid", "direction"),
])
def test_refusals_name_the_field_and_write_nothing(http, bank_account, payer, issued_invoice, change, status, code,
                                                   field):
    invoice = issued_invoice("100.00", tax="0")
    body = _payment(bank_account, payer, "100.00", [(invoice, "100.00")])
    change(body)
    response = _post(http, f"{URL}/payments", body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Payment.objects.exists()


def test_sales_roles_read_payments_of_their_clients_only(http, api, make_user, bank_account, payer, issued_invoice):
    from tandem.parties.tests.factories import CounterpartyFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep")
    own = CounterpartyFactory(client__owner=rep)
    _post(http, f"{URL}/payments", _payment(bank_account, payer, "10.00"))
    mine = _post(http, f"{URL}/payments", _payment(bank_account, own, "20.00")).json()
    rep_http = api(rep)
    listed = rep_http.get(f"{URL}/payments").json()
    assert [p["id"] for p in listed["items"]] == [mine["id"]]
    others = Payment.objects.exclude(pk=mine["id"]).get()
    assert rep_http.get(f"{URL}/payments/{others.pk}").status_code == 404
    assert _post(rep_http, f"{URL}/payments", _payment(bank_account, own, "1.00")).status_code == 403
    manager = api(make_user(roles.SALES_MANAGER, username="boss"))
    assert manager.get(f"{URL}/payments").json()["count"] == 2
    assert _post(manager, f"{URL}/payments/{others.pk}/reverse", {}).status_code == 403
    assert manager.get(f"{URL}/statements").status_code == 200
    assert rep_http.get(f"{URL}/statements").status_code == 403


def test_statement_import_twice_then_confirm_and_ignore(http, bank_account, payer, issued_invoice):
    invoice = issued_invoice("1190.00")
    content = (DATA / "statement.mt940").read_bytes()

    def upload():
        return http.post(f"{URL}/statements/import", data={
            "payment_account_id": bank_account.pk, "file": SimpleUploadedFile("march.sta", content)})

    first = upload()
    assert first.status_code == 201, first.content
    assert (first.json()["created"], first.json()["statement"]["closing_balance"]) == (2, "2177.50")
    second = upload()
    assert second.status_code == 200 and second.json()["already_imported"] and second.json()["created"] == 0
    statement_id = first.json()["statement"]["id"]
    lines = http.get(f"{URL}/statements/{statement_id}/lines").json()["items"]
    paid, fee = lines
    assert paid["status"] == "suggested" and paid["suggestions"][0]["invoice_number"] == "INV/2026/00001"
    confirmed = _post(http, f"{URL}/statements/lines/{paid['id']}/confirm", {})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    ignored = _post(http, f"{URL}/statements/lines/{fee['id']}/ignore", {})
    assert ignored.json()["status"] == "ignored"
    again = _post(http, f"{URL}/statements/lines/{fee['id']}/confirm", {})
    assert (again.status_code, again.json()["code"]) == (409, "line_decided")
    listed = http.get(f"{URL}/statements").json()["items"]
    assert listed[0]["open_lines"] == 0


def test_csv_import_with_a_column_mapping(http, bank_account):
    response = http.post(f"{URL}/statements/import", data={
        "payment_account_id": bank_account.pk, "format": "csv", "date_column": "Buchungstag",
        "amount_column": "Betrag", "reference_column": "Verwendungszweck", "name_column": "Auftraggeber",
        "iban_column": "IBAN", "transaction_id_column": "Ref", "decimal_comma": "true", "date_format": "%d.%m.%Y",
        "file": SimpleUploadedFile("march.csv", (DATA / "statement.csv").read_bytes())})
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 3
    bad = http.post(f"{URL}/statements/import", data={
        "payment_account_id": bank_account.pk, "format": "csv", "date_column": "Nope", "amount_column": "Betrag",
        "file": SimpleUploadedFile("other.csv", b"Datum;Betrag\n01.03.2026;1,00\n")})
    assert (bad.status_code, bad.json()["field"]) == (400, "date_column")


def test_payment_accounts_and_revaluation(http, ledger):
    created = _post(http, f"{URL}/payment-accounts", {"name": "Petty cash", "kind": "cash"})
    assert created.status_code == 201 and created.json()["currency"] == "EUR"
    pk = created.json()["id"]
    renamed = http.patch(f"{URL}/payment-accounts/{pk}", data=json.dumps({"name": "Till"}),
                         content_type="application/json")
    assert renamed.json()["name"] == "Till"
    assert _post(http, f"{URL}/payment-accounts/{pk}/archive", {}).json()["is_archived"] is True
    assert [a["name"] for a in http.get(f"{URL}/payment-accounts?archived=true").json()] == ["Till"]
    revaluation = _post(http, f"{URL}/revaluations", {"date": "2026-03-31"})
    assert revaluation.status_code == 201 and revaluation.json() == {"entry_id": None, "reversal_id": None}
