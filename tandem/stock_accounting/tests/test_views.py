"""The "Stock reconciliation" page and its "Post pending" button."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.finance import services as finance
from tandem.stock import services as stock
from tandem.stock_accounting.models import StockPosting

D = datetime.date
pytestmark = pytest.mark.django_db
PAGE = reverse("stock_accounting:reconciliation-list")


def _receive(books, quantity, cost, day):
    return stock.receive_stock(product=books.lamp, quantity=Decimal(quantity), location=books.main_stock,
                               unit_cost=Decimal(cost), effective_date=day, by=None)


def test_the_page_shows_inventory_equal_to_stock_value(client, books, accountant, django_assert_max_num_queries):
    _receive(books, 10, "12.50", D(2026, 3, 1))
    client.force_login(accountant)
    with django_assert_max_num_queries(40):
        response = client.get(PAGE, {"date": "2026-03-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stock reconciliation" in html and "Agrees" in html
    assert html.count("€125.00") == 2
    assert "Nothing is waiting" in html


def test_pending_postings_are_listed_and_posted_from_the_page(client, bare, accountant):
    _receive(bare, 2, "5", D(2026, 3, 1))
    client.force_login(accountant)
    html = client.get(PAGE, {"date": "2026-03-31"}).content.decode()
    assert "No ledger set up yet" in html and "no stock journal or stock accounts" in html
    assert 'id="pending-total">1<' in html
    assert "Post pending" not in html  # nothing to post into yet

    finance.install_chart_template(bare.company, by=accountant)
    finance.create_fiscal_year(bare.company, start_date=D(2026, 1, 1), by=accountant)
    assert "Post pending" in client.get(PAGE).content.decode()
    response = client.post(reverse("stock_accounting:pending-post", args=[bare.company.pk]), follow=True)
    assert "1 stock postings posted, 0 still pending." in response.content.decode()
    assert not StockPosting.objects.filter(status=StockPosting.Status.PENDING).exists()


def test_a_refusal_shows_as_a_message(client, bare, accountant):
    _receive(bare, 2, "5", D(2026, 3, 1))
    client.force_login(accountant)
    response = client.post(reverse("stock_accounting:pending-post", args=[bare.company.pk]), follow=True)
    assert "Set up the ledger first" in response.content.decode()


def test_who_may_open_the_page(client, books, make_user):
    for role, status in ((roles.SALES_MANAGER, 200), (roles.ACCOUNTANT, 200), (roles.VIEWER, 403),
                         (roles.WAREHOUSE, 403)):
        client.force_login(make_user(role, username=f"u-{role}"))
        assert client.get(PAGE).status_code == status, role
    client.force_login(make_user(roles.SALES_MANAGER, username="boss"))
    assert client.post(reverse("stock_accounting:pending-post", args=[books.company.pk])).status_code == 403
    assert "Post pending" not in client.get(PAGE).content.decode()
