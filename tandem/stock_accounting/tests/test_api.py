"""GET /api/v1/stock-accounting/reconciliation and POST …/legal-entities/{id}/post-pending."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.finance import services as finance
from tandem.stock import services as stock

D = datetime.date
URL = "/api/v1/stock-accounting/reconciliation"
pytestmark = pytest.mark.django_db


def _receive(books, quantity, cost, day):
    return stock.receive_stock(product=books.lamp, quantity=Decimal(quantity), location=books.main_stock,
                               unit_cost=Decimal(cost), effective_date=day, by=None)


def test_the_reconciliation_shows_inventory_against_stock_value(books, accountant, api):
    _receive(books, 10, "12.50", D(2026, 3, 1))
    response = api(accountant).get(URL, {"date": "2026-03-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-03-31"
    line = body["items"][0]
    assert line["legal_entity"]["id"] == books.company.pk
    assert (line["stock_value"], line["inventory_balance"], line["pending_amount"], line["difference"]) == (
        "125.00", "125.00", "0.00", "0.00")
    assert line["agrees"] is True and line["has_ledger"] is True and line["currency"] == "EUR"
    assert api(accountant).get(URL, {"date": "2026-02-28"}).json()["items"][0]["stock_value"] == "0.00"


def test_a_wrong_date_is_refused_naming_the_field(books, accountant, api):
    response = api(accountant).get(URL, {"date": "March"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "date"


def test_who_may_read_and_post(books, make_user, api):
    for role, status in ((roles.SALES_MANAGER, 200), (roles.VIEWER, 403), (roles.WAREHOUSE, 403)):
        assert api(make_user(role, username=f"u-{role}")).get(URL).status_code == status, role
    manager = make_user(roles.SALES_MANAGER, username="boss")
    url = f"/api/v1/stock-accounting/legal-entities/{books.company.pk}/post-pending"
    assert api(manager).post(url).status_code == 403


def test_post_pending_posts_what_waited_and_refuses_without_a_ledger(bare, accountant, api):
    _receive(bare, 2, "5", D(2026, 3, 1))
    url = f"/api/v1/stock-accounting/legal-entities/{bare.company.pk}/post-pending"
    refused = api(accountant).post(url)
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("no_ledger", "company")
    assert api(accountant).get(URL).json()["items"][0]["pending_count"] == 1

    finance.install_chart_template(bare.company, by=accountant)
    finance.create_fiscal_year(bare.company, start_date=D(2026, 1, 1), by=accountant)
    response = api(accountant).post(url)
    assert response.status_code == 200
    assert response.json() == {"posted": 1, "pending": 0}
    line = api(accountant).get(URL, {"date": "2026-03-31"}).json()["items"][0]
    assert (line["inventory_balance"], line["pending_count"], line["agrees"]) == ("10.00", 0, True)
    assert api(accountant).post("/api/v1/stock-accounting/legal-entities/999999/post-pending").status_code == 404
