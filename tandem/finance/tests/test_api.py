"""The ledger's REST API: post, reverse, refusals with a field and nothing half-written, trial balance, XLSX,
period close and reopen, accounts CRUD and archive; permissions per role."""

import io
import json

import pytest
from openpyxl import load_workbook

from tandem.core import roles
from tandem.finance.models import Account, Entry, EntryLine, Period

URL = "/api/v1/finance"


@pytest.fixture
def http(api, accountant, ledger):
    return api(accountant)


def _post(http, url, body):
    return http.post(url, data=json.dumps(body), content_type="application/json")


def _entry(account, journal, debit="100.00", code_debit="1010", code_credit="3000", date="2026-01-15"):
    return {"journal_id": journal().pk, "date": date, "memo": "Capital paid in", "lines": [
        {"account_id": account(code_debit).pk, "debit": debit},
        {"account_id": account(code_credit).pk, "credit": debit}]}


def test_post_reverse_and_read_an_entry(http, account, journal):
    response = _post(http, f"{URL}/entries", _entry(account, journal))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "GEN/2026/0001" and body["status"] == "posted" and body["actions"] == ["reverse"]
    assert [line["debit"] for line in body["lines"]] == ["100.00", "0.00"]
    reversal = _post(http, f"{URL}/entries/{body['id']}/reverse", {"date": "2026-02-01"})
    assert reversal.status_code == 201 and reversal.json()["reversal_of_id"] == body["id"]
    assert http.get(f"{URL}/entries/{body['id']}").json()["status"] == "reversed"
    assert http.get(f"{URL}/entries?status=reversed").json()["count"] == 1
    again = _post(http, f"{URL}/entries/{body['id']}/reverse", {})
    assert again.status_code == 409 and again.json()["code"] == "not_reversible"
    assert http.patch(f"{URL}/entries/{body['id']}", data="{}", content_type="application/json").status_code == 405


@pytest.mark.parametrize("change, status, code, field", [
    (lambda b: b["lines"][1].update(credit="99.99"), 400, "unbalanced", "lines"),
    (lambda b: b["lines"][0].update(debit="1.001"), 400, "too_many_decimals", "lines.0.debit"),
    (lambda b: b["lines"][0].update(debit=1.5), 400, "invalid", "lines.0.debit"),
    (lambda b: b["lines"][0].update(account_id=999999), 400, "unknown_reference", "lines.0.account_id"),
    (lambda b: b.update(date="2031-01-01"), 400, "no_fiscal_year", "date"),
    (lambda b: b.update(journal_id=999999), 400, "unknown_reference", "journal_id"),
    (lambda b: b.update(lines=b["lines"][:1]), 400, "too_few_lines", "lines"),
    (lambda b: b.update(extra=1), 400, "invalid", "extra"),
])
def test_bad_entries_answer_4xx_naming_the_field_and_write_nothing(http, account, journal, change, status, code,
                                                                    field):
    body = _entry(account, journal)
    change(body)
    response = _post(http, f"{URL}/entries", body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Entry.objects.exists() and not EntryLine.objects.exists()


def test_closed_period_answers_409_and_reopen_needs_the_permission(http, api, account, journal, ledger, make_user):
    january = Period.objects.get(company=ledger, number=1)
    assert _post(http, f"{URL}/periods/{january.pk}/close", {}).json()["status"] == "closed"
    refused = _post(http, f"{URL}/entries", _entry(account, journal))
    assert refused.status_code == 409 and refused.json()["code"] == "period_closed"
    manager = api(make_user(roles.SALES_MANAGER, username="m"))
    assert _post(manager, f"{URL}/periods/{january.pk}/reopen", {"reason": "x"}).status_code == 403
    assert _post(http, f"{URL}/periods/{january.pk}/reopen", {"reason": "late bill"}).json()["status"] == "open"


def test_trial_balance_with_compare_and_xlsx(http, account, journal):
    _post(http, f"{URL}/entries", _entry(account, journal, "1000.00"))
    _post(http, f"{URL}/entries", _entry(account, journal, "250.00", "6100", "1010", date="2026-02-03"))
    response = http.get(f"{URL}/reports/trial-balance?date_from=2026-02-01&date_to=2026-02-28&compare=previous")
    assert response.status_code == 200
    report = response.json()
    bank = next(row for row in report["rows"] if row["code"] == "1010")
    assert (bank["opening"], bank["credit"], bank["closing"], bank["previous_closing"]) == (
        "1000.00", "250.00", "750.00", "1000.00")
    assert report["totals"]["closing"] == "0.00" and report["compare_to"] == "2026-01-31"
    bad = http.get(f"{URL}/reports/trial-balance?date_from=2026-02-01&date_to=2026-01-01")
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"
    xlsx = http.get(f"{URL}/reports/trial-balance.xlsx?date_from=2026-01-01&date_to=2026-12-31")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Account" and ("1010", "Bank account") == rows[2][:2]
    assert rows[-1][0] == "Total" and rows[-1][4] == rows[-1][5]


def test_accounts_crud_and_archive(http, ledger):
    created = _post(http, f"{URL}/accounts", {"code": "1020", "name": "Second bank", "type": "asset",
                                              "subtype": "bank", "parent_id": Account.objects.get(code="10").pk})
    assert created.status_code == 201, created.content
    account_id = created.json()["id"]
    duplicate = _post(http, f"{URL}/accounts", {"code": "1020", "name": "Again", "type": "asset"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "code"
    changed = http.patch(f"{URL}/accounts/{account_id}", data=json.dumps({"name": "Savings", "version": 1}),
                         content_type="application/json")
    assert changed.json()["name"] == "Savings"
    stale = http.patch(f"{URL}/accounts/{account_id}", data=json.dumps({"name": "Old", "version": 1}),
                       content_type="application/json")
    assert stale.status_code == 409
    assert _post(http, f"{URL}/accounts/{account_id}/archive", {}).json()["is_archived"] is True
    assert all(a["code"] != "1020" for a in http.get(f"{URL}/accounts?page_size=200").json()["items"])


@pytest.mark.parametrize("role, may_post", [(roles.ACCOUNTANT, True), (roles.ADMINISTRATOR, True),
                                            (roles.SALES_MANAGER, False), (roles.VIEWER, False),
                                            (roles.SALES_REPRESENTATIVE, False)])
def test_only_accountants_and_administrators_post(api, make_user, ledger, account, journal, role, may_post):
    http = api(make_user(role, username="someone"))
    response = _post(http, f"{URL}/entries", _entry(account, journal))
    assert (response.status_code == 201) is may_post
    reads = http.get(f"{URL}/reports/trial-balance?date_from=2026-01-01&date_to=2026-01-31").status_code
    assert (reads == 200) is (role != roles.SALES_REPRESENTATIVE)


def test_entry_list_and_trial_balance_take_a_fixed_number_of_queries(http, account, journal,
                                                                     django_assert_max_num_queries):
    for day in range(1, 21):
        _post(http, f"{URL}/entries", _entry(account, journal, date=f"2026-01-{day:02d}"))
    with django_assert_max_num_queries(12):
        assert http.get(f"{URL}/entries?page_size=50").json()["count"] == 20
    with django_assert_max_num_queries(14):
        http.get(f"{URL}/reports/trial-balance?date_from=2026-01-10&date_to=2026-02-10&compare=year")
