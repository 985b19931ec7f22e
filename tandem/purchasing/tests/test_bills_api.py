"""Supplier bills over the API and on the pages: bill an order, the match per line, 4xx naming the field, stale
edits 409, the mismatch holding back the issue with the lines named, accepting and issuing by the right people."""

import json

import pytest

from tandem.finance.models import Invoice
from tandem.purchasing.tests.bill_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _post(http, url, body=None, method="post"):
    return getattr(http, method)(url, data=json.dumps(body or {}), content_type="application/json")


def test_bill_an_order_over_the_api_from_draft_to_issued(api, received, buyer, manager, accountant, storeman):
    url = f"/api/v1/purchasing/orders/{received.pk}/bill"
    assert _post(api(storeman), url, {"supplier_reference": "PW-9"}).status_code == 403
    missing = _post(api(buyer), url, {"supplier_reference": ""})
    assert missing.status_code == 422 or (missing.status_code == 400
                                          and missing.json()["field"] == "supplier_reference")
    bad_date = _post(api(buyer), url, {"supplier_reference": "PW-9", "invoice_date": "1200-01-01"})
    assert bad_date.status_code in (400, 422) and "invoice_date" in bad_date.content.decode()
    made = _post(api(buyer), url, {"supplier_reference": "PW-9", "invoice_date": "2026-06-12"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["match"], body["supplier_reference"]) == ("draft", "matched", "PW-9")
    first = body["lines"][0]
    assert (first["ordered"], first["received"], first["billed"]) == ("100", "60", "60")
    bill_url = f"/api/v1/purchasing/bills/{body['id']}"

    stale = _post(api(buyer), bill_url, {"version": body["version"] + 1,
                                         "lines": [{"position": 1, "unit_price": "44"}]}, method="patch")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    wrong = _post(api(buyer), bill_url, {"lines": [{"position": 7, "quantity": "1"}]}, method="patch")
    assert wrong.status_code == 400 and wrong.json()["field"] == "lines.0.position"
    changed = _post(api(buyer), bill_url, {"version": body["version"], "lines": [{"position": 1, "unit_price": "44"}]},
                    method="patch")
    assert changed.status_code == 200 and changed.json()["match"] == "mismatch"
    assert changed.json()["lines"][0]["problems"] == ["price_over"]

    assert _post(api(buyer), f"{bill_url}/issue").status_code == 403
    blocked = _post(api(accountant), f"{bill_url}/issue")
    assert blocked.status_code == 409 and blocked.json()["code"] == "bill_mismatch"
    assert blocked.json()["lines"][0]["position"] == 1 and "line 1" in blocked.json()["message"]
    assert _post(api(buyer), f"{bill_url}/accept").status_code == 403
    accepted = _post(api(manager), f"{bill_url}/accept", {"note": "Surcharge agreed"})
    assert accepted.status_code == 200 and accepted.json()["match"] == "accepted"
    assert accepted.json()["accepted_by"] == manager.display_name
    issued = _post(api(accountant), f"{bill_url}/issue")
    assert issued.status_code == 200 and issued.json()["number"] == "BILL/2026/00001"
    listed = api(buyer).get(f"/api/v1/purchasing/bills?supplier_id={received.supplier_id}&status=issued")
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["items"]] == [body["id"]]
    assert api(buyer).get("/api/v1/purchasing/bills?status=draft").json()["count"] == 0


def test_the_pages_bill_an_order_show_the_mismatch_accept_and_issue(client, received, buyer, manager, accountant):
    client.force_login(buyer)
    page = client.get(f"/purchasing/orders/{received.pk}/")
    assert b'data-action="bill"' in page.content
    form = client.get(f"/purchasing/orders/{received.pk}/bill/")
    assert form.status_code == 200
    refused = client.post(f"/purchasing/orders/{received.pk}/bill/", {"supplier_reference": "", "invoice_date":
                                                                      "2026-06-12"})
    assert refused.status_code == 400
    made = client.post(f"/purchasing/orders/{received.pk}/bill/", {"supplier_reference": "PW-77",
                                                                   "invoice_date": "2026-06-12"})
    bill = Invoice.objects.get(supplier_reference="PW-77")
    assert made.status_code == 302 and made["Location"] == f"/purchasing/bills/{bill.pk}/"
    saved = client.post(f"/purchasing/bills/{bill.pk}/save/", {"version": bill.version, "quantity-1": "60",
                                                               "unit_price-1": "45", "supplier_reference": "PW-77"})
    assert saved.status_code == 302
    page = client.get(f"/purchasing/bills/{bill.pk}/")
    assert b'data-status="mismatch"' in page.content and b'data-action="accept"' not in page.content
    client.force_login(accountant)
    bill.refresh_from_db()
    blocked = client.post(f"/purchasing/bills/{bill.pk}/issue/", {"version": bill.version})
    assert blocked.status_code == 409 and b'data-code="bill_mismatch"' in blocked.content
    client.force_login(manager)
    assert client.post(f"/purchasing/bills/{bill.pk}/accept/", {"version": bill.version}).status_code == 302
    client.force_login(accountant)
    assert client.post(f"/purchasing/bills/{bill.pk}/issue/", {"version": bill.version}).status_code == 302
    bill.refresh_from_db()
    assert bill.status == "issued"
    finance_page = client.get(f"/finance/invoices/{bill.pk}/")
    assert b"Supplier bill" in finance_page.content and b"PW-77" in finance_page.content
    listed = client.get(f"/purchasing/bills/?supplier={received.supplier_id}")
    assert listed.status_code == 200 and bill.number.encode() in listed.content
