"""The invoice and tax-rate endpoints: status codes, permissions, refusals with field and reason."""

import datetime
import json

import pytest

from tandem.finance.models import Invoice, TaxRate
from tandem.finance.tests.invoice_fixtures import *  # noqa: F403

URL = "/api/v1/finance/invoices"


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def body(billed_client):
    return {"client_id": billed_client.pk, "invoice_date": "2026-03-10",
            "lines": [{"description": "Pumps", "quantity": "2", "unit_price": "50", "tax_percent": "23"},
                      {"description": "Advice", "quantity": "1", "unit_price": "40", "tax_kind": "exempt",
                       "tax_percent": "0"}]}


def test_representative_drafts_accountant_issues_and_credits(api, polish_ledger, body, sales_rep, accountant):
    rep, acc = api(sales_rep), api(accountant)
    response = post(rep, URL, body)
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["total"], draft["tax_total"], draft["status"]) == ("163.00", "23.00", "draft")
    assert draft["actions"] == ["edit", "cancel"]
    assert draft["lines"][1]["tax_kind"] == "exempt"
    url = f"{URL}/{draft['id']}"
    assert post(rep, f"{url}/issue").status_code == 403
    changed = patch(rep, url, {"notes": "Thanks", "version": draft["version"]})
    assert changed.status_code == 200
    assert patch(rep, url, {"notes": "again", "version": draft["version"]}).json()["code"] == "stale"
    issued = post(acc, f"{url}/issue")
    assert issued.status_code == 200, issued.content
    assert issued.json()["number"] == "INV/2026/00001" and issued.json()["actions"] == ["credit"]
    assert patch(acc, url, {"notes": "x"}).status_code == 409
    credit = post(acc, f"{url}/credit", {"lines": [{"line_id": draft["lines"][0]["id"], "quantity": "3"}]})
    assert credit.status_code == 400 and credit.json()["errors"][0]["field"] == "lines.0.quantity"
    credit = post(acc, f"{url}/credit", {"lines": [{"line_id": draft["lines"][0]["id"], "quantity": "1"}]})
    assert credit.status_code == 201 and credit.json()["number"] == "CN/2026/00001"
    assert credit.json()["total"] == "61.50"
    assert acc.get(url).json()["amount_due"] == "101.50"
    listed = acc.get(URL, {"status": "partly_paid"}).json()
    assert [row["id"] for row in listed["items"]] == [draft["id"]]


def test_other_representative_sees_no_invoice(api, polish_ledger, body, sales_rep, other_rep):
    invoice_id = post(api(sales_rep), URL, body).json()["id"]
    other = api(other_rep)
    assert other.get(f"{URL}/{invoice_id}").status_code == 404
    assert other.get(URL).json()["count"] == 0
    assert post(other, URL, body).status_code == 400  # the client is not theirs: unknown reference


def test_bad_line_names_its_field(api, polish_ledger, body, accountant):
    body["lines"][0]["quantity"] = "0"
    response = post(api(accountant), URL, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines.0.quantity"


def test_overdue_filter_and_cancel(api, polish_ledger, body, accountant):
    client = api(accountant)
    body["due_date"] = "2026-03-20"
    first = post(client, URL, body).json()
    post(client, f"{URL}/{first['id']}/issue")
    second = post(client, URL, body).json()
    assert post(client, f"{URL}/{second['id']}/cancel").json()["status"] == "cancelled"
    overdue = client.get(URL, {"overdue": "true"}).json()
    assert [row["id"] for row in overdue["items"]] == [first["id"]]
    assert Invoice.objects.get(pk=first["id"]).due_date == datetime.date(2026, 3, 20)


def test_tax_rates_read_by_sales_written_by_accountants(api, polish_ledger, sales_rep, accountant):
    listed = api(sales_rep).get("/api/v1/finance/tax-rates", {"country": "ID", "on": "2025-06-01"})
    assert [row["rate"] for row in listed.json()] == ["12", "0"]
    body = {"country": "PL", "code": "VAT7", "name": "VAT 7%", "rate": "7", "valid_from": "2027-01-01"}
    assert post(api(sales_rep), "/api/v1/finance/tax-rates", body).status_code == 403
    created = post(api(accountant), "/api/v1/finance/tax-rates", body)
    assert created.status_code == 201
    changed = patch(api(accountant), f"/api/v1/finance/tax-rates/{created.json()['id']}",
                    {"valid_to": "2026-01-01"})
    assert changed.status_code == 400 and changed.json()["errors"][0]["field"] == "valid_to"
    assert TaxRate.objects.filter(code="VAT7").count() == 1
