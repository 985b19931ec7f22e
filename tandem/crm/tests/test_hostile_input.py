"""Hostile input (issue #10, point 1): no value that is accepted can break a page afterwards.

Out-of-range amounts, dates, durations and ids, NUL characters and lone surrogates are refused with 400
naming the field (API) or a form error (UI); what is accepted reads back identically on SQLite and
PostgreSQL; every page stays up for every user."""

import json

import pytest
from django.test import Client as HttpClient

from tandem.core import limits
from tandem.crm.models import Deal, Interaction, Segment, Task
from tandem.crm.services import deals as deal_services
from tandem.crm.tests.factories_activity import InteractionFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory

JSON = "application/json"
API = "/api/v1"
HUGE = str(2**63)


def send(http, method, url, data):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return getattr(http, method)(url, body, content_type=JSON)


def assert_refused(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) >= {"code", "field", "message", "errors"}, body
    if field is not None:
        fields = {body["field"], *(e["field"] for e in body["errors"])}
        assert any(f and (f == field or f.endswith(f".{field}") or f.startswith(f"{field}.")) for f in fields), body


@pytest.fixture
def rep_api(api, sales_rep):
    return api(sales_rep)


@pytest.fixture
def manager_api(api, sales_manager):
    return api(sales_manager)


@pytest.fixture
def rep_browser(sales_rep):
    http = HttpClient()
    http.force_login(sales_rep)
    return http


@pytest.fixture
def manager_browser(sales_manager):
    http = HttpClient()
    http.force_login(sales_manager)
    return http


# --- Amounts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["99999999999999.9999", "1e20", "-1", str(limits.MAX_AMOUNT + 1)])
def test_amount_out_of_range_is_refused_and_pages_stay_up(rep_api, rep_browser, manager_browser, sales,
                                                          own_client, amount):
    response = send(rep_api, "post", f"{API}/crm/deals", {"title": "Big", "client_id": own_client.pk,
                                                           "amount": amount})
    assert_refused(response, "amount")
    assert not Deal.objects.exists()
    deal = deal_services.create_deal(by=own_client.owner, client=own_client, title="Small")
    assert_refused(send(rep_api, "patch", f"{API}/crm/deals/{deal.pk}", {"amount": amount}), "amount")
    response = rep_browser.post(f"/crm/deals/{deal.pk}/edit/", {"title": "Small", "client": own_client.pk,
                                                                 "amount": amount, "currency": "EUR"})
    assert response.status_code in (200, 400) and "amount" in response.context["form"].errors
    assert Deal.objects.get(pk=deal.pk).amount is None
    for http in (rep_browser, manager_browser):
        for url in ("/crm/deals/", "/crm/deals/list/", f"/crm/deals/{deal.pk}/", f"/clients/{own_client.pk}/"):
            assert http.get(url).status_code == 200, url
    assert rep_api.get(f"{API}/crm/deals").status_code == 200


def test_extreme_amounts_read_back_identically(rep_api, sales, own_client):
    # Deal amounts are kept in the currency's minor unit: the largest euro amount is 99999999999.99.
    for amount in ("99999999999.99", limits.MIN_AMOUNT, "0.01", "1234567.89"):
        response = send(rep_api, "post", f"{API}/crm/deals", {"title": "Edge", "client_id": own_client.pk,
                                                               "amount": str(amount), "currency": "EUR"})
        assert response.status_code == 201, response.content
        deal = Deal.objects.get(pk=response.json()["id"])
        written = deal.amount
        assert Deal.objects.get(pk=deal.pk).amount == written
        assert rep_api.get(f"{API}/crm/deals/{deal.pk}").json()["amount"] == response.json()["amount"]
    assert rep_api.get(f"{API}/crm/deals").status_code == 200


def test_amount_rounded_past_the_maximum_is_refused(rep_api, sales, own_client):
    # Stored with 4 decimal places, 99999999999.99995 would become 100000000000.0000: above the range.
    response = send(rep_api, "post", f"{API}/crm/deals", {"title": "Edge", "client_id": own_client.pk,
                                                           "amount": "99999999999.99995", "currency": "EUR"})
    assert_refused(response, "amount")


def test_database_holds_the_amount_range(sales, own_client):
    from django.db import IntegrityError, transaction

    deal = deal_services.create_deal(by=own_client.owner, client=own_client, title="Raw")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(amount=limits.MAX_AMOUNT + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.filter(pk=InteractionFactory(client=own_client).pk).update(
            duration_minutes=limits.MAX_DURATION_MINUTES + 1)


# --- Dates and durations ------------------------------------------------------------------------------

@pytest.mark.parametrize("moment", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z", "1899-12-31T12:00:00Z",
                                    "2201-01-01T00:00:00Z"])
def test_task_due_outside_the_window_is_refused(rep_api, rep_browser, manager_browser, sales_rep, moment):
    assert_refused(send(rep_api, "post", f"{API}/crm/tasks", {"title": "Far", "due_at": moment}), "due_at")
    assert_refused(send(rep_api, "post", f"{API}/crm/tasks", {"title": "Far", "due_at": "2030-01-01T10:00:00Z",
                                                              "remind_at": moment}), "remind_at")
    response = rep_browser.post("/crm/tasks/new/", {"title": "Far", "due_at": moment[:16].replace("T", " "),
                                                     "priority": "normal", "assignee": sales_rep.pk})
    assert response.status_code in (200, 400) and "due_at" in response.context["form"].errors
    assert not Task.objects.exists()


def test_task_at_the_window_edges_keeps_every_page_up(rep_api, rep_browser, manager_browser, sales_rep):
    from tandem.crm import calendar

    for moment in ("2200-12-31T23:30:00Z", "1900-01-01T00:30:00Z"):
        response = send(rep_api, "post", f"{API}/crm/tasks", {"title": "Edge", "due_at": moment})
        assert response.status_code == 201, response.content
        assert rep_api.get(f"{API}/crm/tasks/{response.json()['id']}").json()["due_at"] == response.json()["due_at"]
    key = calendar.regenerate_feed(by=sales_rep)
    for http, url in ((rep_browser, "/crm/tasks/"), (manager_browser, "/crm/tasks/"), (rep_browser, "/crm/my-day/")):
        assert http.get(url).status_code == 200, url
    assert HttpClient().get(calendar.feed_path(key)).status_code == 200


def test_interaction_time_and_duration_are_bounded(rep_api, rep_browser, own_client):
    url = f"{API}/crm/interactions"
    base = {"client_id": own_client.pk, "kind": "meeting", "subject": "Visit"}
    assert_refused(send(rep_api, "post", url, {**base, "occurred_at": "9999-12-31T23:30:00Z"}), "occurred_at")
    assert_refused(send(rep_api, "post", url, {**base, "duration_minutes": 10**12}), "duration_minutes")
    assert_refused(send(rep_api, "post", url, {**base, "duration_minutes": limits.MAX_DURATION_MINUTES + 1}),
                   "duration_minutes")
    assert not Interaction.objects.exists()
    response = send(rep_api, "post", url, {**base, "occurred_at": "2200-12-31T20:00:00Z",
                                           "duration_minutes": limits.MAX_DURATION_MINUTES})
    assert response.status_code == 201, response.content
    assert Interaction.objects.get().duration_minutes == limits.MAX_DURATION_MINUTES
    assert rep_browser.get(f"/clients/{own_client.pk}/").status_code == 200
    assert rep_browser.get(f"/crm/clients/{own_client.pk}/timeline/").status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_segment_criteria_dates_are_bounded(manager_api, manager_browser, day):
    url = f"{API}/crm/segments"
    for key in ("last_interaction_before", "last_interaction_after"):
        assert_refused(send(manager_api, "post", url, {"name": f"S {key}", "criteria": {key: day}}), key)
    assert not Segment.objects.exists()
    response = manager_browser.post("/crm/segments/new/", {"name": "S", "segment_kind": "rule",
                                                           "last_interaction_before": day})
    assert response.status_code in (200, 400) and "last_interaction_before" in response.context["form"].errors
    assert not Segment.objects.exists()


def test_stored_segment_with_a_bad_date_does_not_break_its_pages(manager_api, manager_browser):
    # Written before the window existed: the pages show it as matching nobody, not a 500.
    segment = Segment.objects.create(name="Old", criteria={"last_interaction_before": "0001-01-01"})
    ClientFactory()
    assert manager_browser.get(f"/crm/segments/{segment.pk}/").status_code == 200
    assert manager_api.get(f"{API}/crm/segments/{segment.pk}/clients").status_code == 200
    assert manager_api.get(f"{API}/crm/reports/segment-comparison?ids={segment.pk}").status_code == 200


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=9999-12-31&to=0001-01-01"])
def test_report_filters_outside_the_window(manager_api, manager_browser, sales, query):
    response = manager_api.get(f"{API}/crm/reports/lost-at-stage?{query}")
    assert_refused(response, query[:query.index("=")])
    for url in ("/crm/reports/lost-at-stage/", "/crm/marketing/report/", "/crm/reports/segment-comparison/"):
        assert manager_browser.get(f"{url}?{query}").status_code < 500, url


# --- Integers beyond 64 bits --------------------------------------------------------------------------

@pytest.mark.parametrize("url,field", [
    (f"{API}/crm/deals?owner_id={HUGE}", "owner_id"),
    (f"{API}/crm/deals?client_id={HUGE}", "client_id"),
    (f"{API}/crm/tasks?assignee_id={HUGE}", "assignee_id"),
    (f"{API}/crm/reports/segment-comparison?ids={HUGE}", "ids"),
    (f"{API}/crm/deals/{HUGE}", "deal_id"),
    (f"{API}/clients/{HUGE}", "client_id"),
])
def test_huge_integers_in_api_queries_answer_400(manager_api, sales, url, field):
    assert_refused(manager_api.get(url), field)


def test_huge_integers_in_bodies_answer_400(rep_api, sales, own_client):
    assert_refused(send(rep_api, "post", f"{API}/crm/deals", {"title": "X", "client_id": 2**63}), "client_id")
    assert_refused(send(rep_api, "post", f"{API}/crm/deals", {"title": "X", "client_id": own_client.pk,
                                                              "owner_id": 2**64}), "owner_id")


def test_huge_integers_in_forms_and_page_ids(rep_browser, sales, own_client):
    response = rep_browser.post("/crm/deals/new/", {"title": "X", "client": HUGE, "currency": "EUR"})
    assert response.status_code in (200, 400) and "client" in response.context["form"].errors
    response = rep_browser.post("/crm/tasks/new/", {"title": "X", "due_at": "2030-01-01 10:00", "client": HUGE})
    assert response.status_code in (200, 400) and "client" in response.context["form"].errors
    assert not Deal.objects.exists() and not Task.objects.exists()
    assert rep_browser.get(f"/crm/deals/{HUGE}/").status_code == 400
    assert rep_browser.get(f"/clients/{HUGE}/").status_code == 400
    assert rep_browser.get(f"/crm/deals/list/?owner={HUGE}").status_code == 400


def test_long_numbers_in_text_stay_text(rep_browser, own_client):
    # A Russian settlement account has 20 digits: more than 64 bits, and perfectly valid text.
    from tandem.parties.models import BankAccount
    from tandem.parties.tests.factories import CounterpartyFactory

    counterparty = CounterpartyFactory(client=own_client)
    account = "40702810900000012345"
    url = f"/clients/{own_client.pk}/counterparties/{counterparty.pk}/bank-accounts/new/"
    response = rep_browser.post(url, {"bank_name": "Sberbank", "account_number": account, "bic": "SABRRUMM",
                                      "currency": "RUB"})
    assert response.status_code in (200, 302), response.content[:500]
    assert BankAccount.objects.get(counterparty=counterparty).account_number == account
    assert rep_browser.get(f"/clients/?q={account}").status_code == 200


# --- Text ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_nul_and_lone_surrogates_in_json_are_refused(rep_api, sales, own_client, bad):
    raw = json.dumps({"title": bad, "client_id": own_client.pk})  # ensure_ascii escapes both as \\uXXXX
    assert_refused(send(rep_api, "post", f"{API}/crm/deals", raw), "title")
    raw = json.dumps({"name": "Acme", "kind": "company", "notes": bad})
    assert rep_api.post(f"{API}/clients", raw, content_type=JSON).status_code == 400
    assert not Deal.objects.exists() and not Client.objects.exclude(pk=own_client.pk).exists()


def test_nul_in_query_strings_and_forms_is_refused(rep_api, rep_browser, sales):
    assert_refused(rep_api.get(f"{API}/crm/deals?q=a%00b"), "q")
    assert rep_browser.get("/clients/?q=a%00b").status_code == 400
    assert rep_browser.get("/search/?q=%00").status_code == 400
    response = rep_browser.post("/clients/new/", {"name": "Evil\x00Corp", "kind": "company"})
    assert response.status_code == 400
    assert not Client.objects.exists()


# --- Error shape under /api/ --------------------------------------------------------------------------

def test_too_big_body_answers_json_413(rep_api):
    response = rep_api.post(f"{API}/crm/deals", "x" * (11 * 1024 * 1024), content_type=JSON)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and set(response.json()) == {"code", "field", "message",
                                                                              "errors"}


def test_wrong_method_answers_json_405(rep_api):
    response = rep_api.put(f"{API}/crm/deals", "{}", content_type=JSON)
    assert response.status_code == 405
    body = response.json()
    assert body["code"] == "method_not_allowed" and set(body) == {"code", "field", "message", "errors"}


def test_campaign_range_edges_read_back_identically(manager_api, manager_browser):
    payload = {"name": "Hostile range edges", "cost": "99999999999.99", "currency": "EUR",
               "starts_on": limits.MIN_DATE.isoformat(), "ends_on": limits.MAX_DATE.isoformat()}
    response = send(manager_api, "post", f"{API}/crm/campaigns", payload)
    assert response.status_code == 201, response.content
    again = manager_api.get(f"{API}/crm/campaigns/{response.json()['id']}").json()
    assert (again["cost"], again["starts_on"], again["ends_on"]) == (
        response.json()["cost"], "1900-01-01", "2200-12-31")
    assert manager_browser.get("/crm/marketing/").status_code == 200
    too_much = {**payload, "name": "Too much", "cost": "99999999999.995"}  # rounds to 100000000000.00
    assert_refused(send(manager_api, "post", f"{API}/crm/campaigns", too_much), "cost")
    too_early = {**payload, "name": "Too early", "starts_on": "1899-12-31"}
    assert_refused(send(manager_api, "post", f"{API}/crm/campaigns", too_early), "starts_on")


def test_services_hold_the_window_for_every_caller(sales_rep, own_client):
    import datetime

    from tandem.core.errors import BusinessRuleError
    from tandem.crm.services import interactions, tasks

    far = datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with pytest.raises(BusinessRuleError) as refused:
        tasks.create_task(by=sales_rep, title="Far", due_at=far)
    assert refused.value.field == "due_at"
    with pytest.raises(BusinessRuleError) as refused:
        interactions.log_interaction(by=sales_rep, client=own_client, kind="meeting", subject="Long",
                                     duration_minutes=10**12)
    assert refused.value.field == "duration_minutes"
    assert not Task.objects.exists() and not Interaction.objects.exists()
