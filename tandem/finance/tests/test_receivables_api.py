"""Receivables over the API and on pages: aging (JSON and XLSX), overdue list, payment history, credit limits
and exposure, dunning; who may do what, and a representative sees only own clients."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tandem.core import roles
from tandem.finance.models import CreditLimit, DunningReminder
from tandem.finance.tests.factories_receivables import incoming_payment, open_invoice
from tandem.parties.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def ago(days):
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="ar-api-accountant")


@pytest.fixture
def book(own_client, foreign_client):
    open_invoice(own_client, amount="100.00", due=ago(10))
    open_invoice(own_client, amount="50.00", due=ago(-3))
    open_invoice(foreign_client, amount="70.00", currency="USD", rate="0.9", due=ago(95))
    return own_client, foreign_client


def test_aging_api(api, accountant, sales_rep, book):
    data = api(accountant).get("/api/v1/finance/receivables/aging").json()
    assert data["totals"] == {"not_due": "50.00", "days_1_30": "100.00", "days_31_60": "0.00", "days_61_90": "0.00",
                              "over_90": "63.00", "total": "213.00"}
    assert [t["currency"] for t in data["totals_by_currency"]] == ["EUR", "USD"]
    assert [row["name"] for row in api(sales_rep).get("/api/v1/finance/receivables/aging").json()["rows"]] == [
        "Rep Own GmbH"]
    refused = api(accountant).get("/api/v1/finance/receivables/aging?date=2300-01-01")
    assert refused.status_code in (400, 422)


def test_aging_xlsx(api, accountant, book):
    response = api(accountant).get("/api/v1/finance/receivables/aging.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == "Name" and any(row[0] == "Foreign Widgets AG" for row in rows)


def test_overdue_api_filters_and_record_rule(api, accountant, sales_rep, book):
    data = api(accountant).get("/api/v1/finance/receivables/overdue").json()
    assert [(i["client"], i["days_overdue"]) for i in data["items"]] == [("Foreign Widgets AG", 95),
                                                                          ("Rep Own GmbH", 10)]
    assert api(accountant).get("/api/v1/finance/receivables/overdue?min_days=30").json()["count"] == 1
    assert api(sales_rep).get("/api/v1/finance/receivables/overdue").json()["count"] == 1


def test_credit_limit_and_exposure_api(api, accountant, sales_rep, sales_manager, book):
    own, foreign = book
    incoming_payment(own, amount="30.00", unallocated="30.00", date=ago(1))
    url = f"/api/v1/finance/clients/{own.pk}/credit"
    assert api(accountant).get(url).json()["amount"] is None
    body = {"amount": "1000", "currency": "EUR", "max_overdue": "200", "max_days_overdue": 60}
    assert api(sales_manager).put(url, body, content_type="application/json").status_code == 403
    saved = api(accountant).put(url, body, content_type="application/json").json()
    assert (saved["amount"], saved["max_overdue"], saved["version"]) == ("1000.00", "200.00", 1)
    stale = api(accountant).put(url, {**body, "version": 9}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    bad = api(accountant).put(url, {**body, "amount": "-5"}, content_type="application/json")
    assert bad.status_code in (400, 422)
    exposure = api(sales_rep).get(f"/api/v1/finance/clients/{own.pk}/exposure").json()
    assert (exposure["balance"], exposure["overdue"], exposure["limit"], exposure["available"]) == (
        "120.00", "100.00", "1000.00", "880.00")
    assert api(sales_rep).get(f"/api/v1/finance/clients/{foreign.pk}/exposure").status_code == 404
    removed = api(accountant).put(url, {"amount": None, "currency": "EUR"}, content_type="application/json")
    assert removed.json()["amount"] is None and not CreditLimit.objects.exists()


def test_dunning_api(api, accountant, sales_manager, book):
    level = {"days_overdue": 7, "name": "First reminder", "text": "Please pay {number} ({amount})."}
    assert api(sales_manager).post("/api/v1/finance/dunning/levels", level,
                                   content_type="application/json").status_code == 403
    created = api(accountant).post("/api/v1/finance/dunning/levels", level, content_type="application/json")
    assert created.status_code == 201
    again = api(accountant).post("/api/v1/finance/dunning/levels", level, content_type="application/json")
    assert again.status_code == 409 and again.json()["field"] == "days_overdue"
    run = api(accountant).post("/api/v1/finance/dunning/run", {}, content_type="application/json").json()
    assert len(run) == 2 and {r["status"] for r in run} == {"proposed"}
    assert api(accountant).post("/api/v1/finance/dunning/run", {}, content_type="application/json").json() == []
    sent = api(accountant).post("/api/v1/finance/dunning/reminders/send", {"reminder_ids": [r["id"] for r in run]},
                                content_type="application/json").json()
    assert sent == {"sent": 2}
    assert api(sales_manager).get("/api/v1/finance/dunning/reminders").json()["count"] == 2
    patched = api(accountant).patch(f"/api/v1/finance/dunning/levels/{created.json()['id']}", {"is_active": False},
                                    content_type="application/json").json()
    assert patched["is_active"] is False


# --- Pages ---------------------------------------------------------------------------------------------------

def test_pages(client, accountant, book):
    client.force_login(accountant)
    aging = client.get("/finance/receivables/aging/")
    assert aging.status_code == 200 and "Foreign Widgets AG" in aging.content.decode()
    export = client.get("/finance/receivables/aging/export/?group=counterparty")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    overdue = client.get("/finance/receivables/overdue/?min_days=30").content.decode()
    assert "Foreign Widgets AG" in overdue and "Rep Own GmbH" not in overdue
    assert client.get("/finance/receivables/overdue/?min_days=0").status_code == 400
    assert client.get("/finance/receivables/payments/").status_code == 200
    response = client.post("/finance/receivables/dunning/levels/new/", {
        "days_overdue": "5", "name": "Nudge", "text": "{number} is due.", "fee_currency": "EUR"}, follow=True)
    assert "Nudge" in response.content.decode()
    client.post("/finance/receivables/dunning/run/", {"date": TODAY().isoformat(), "send": "on"})
    assert DunningReminder.objects.filter(status="sent").count() == 2
    assert "is due." in client.get("/finance/receivables/dunning/").content.decode()


def test_client_card_panel_and_limit_form(client, accountant, sales_rep, book):
    own, _foreign = book
    client.force_login(accountant)
    response = client.post(f"/finance/receivables/clients/{own.pk}/credit/",
                           {"amount": "500", "currency": "EUR", "max_overdue": "", "max_days_overdue": ""}, follow=True)
    page = response.content.decode()
    assert "Balance and credit limit" in page and "credit-limit-form" in page and "€500.00" in page
    client.force_login(sales_rep)
    page = client.get(f"/clients/{own.pk}/").content.decode()
    assert "data-limit" in page and "credit-limit-form" not in page  # reads, does not change
    assert client.post(f"/finance/receivables/clients/{own.pk}/credit/", {"amount": "1"}).status_code == 403


def test_sales_rep_has_no_dunning_page(client, sales_rep, make_user):
    client.force_login(sales_rep)
    assert client.get("/finance/receivables/dunning/").status_code == 403
    client.force_login(make_user(roles.WAREHOUSE, username="wh"))
    assert client.get("/finance/receivables/aging/").status_code == 403
    assert ClientFactory()  # nothing else to see
