"""`tandem demo` adds a year of quotes and orders for the demo clients, once."""

import pytest

from tandem.sales.demo import build_sales_demo
from tandem.sales.models import Order, Quote

pytestmark = pytest.mark.django_db


def test_demo_makes_quotes_and_orders_once(stocked, admin_user, client_of_rep):
    lines = build_sales_demo(seed=1)
    assert lines and Quote.objects.count() >= 3
    statuses = set(Quote.objects.values_list("status", flat=True))
    assert len(statuses) >= 2
    assert build_sales_demo(seed=1) == [] and Order.objects.count() == Order.objects.count()


def test_demo_invoices_the_confirmed_orders_when_the_books_are_there(stocked, admin_user, client_of_rep, company):
    import datetime

    from tandem.finance import services as finance
    from tandem.finance.models import Invoice

    admin_user.username = "admin"
    admin_user.save(update_fields=["username"])
    finance.install_chart_template(company, by=admin_user)
    finance.create_fiscal_year(company, start_date=datetime.date(datetime.date.today().year, 1, 1), by=admin_user)
    lines = build_sales_demo(seed=3)
    assert any(line.startswith("finance:") for line in lines), lines
    confirmed = Order.objects.exclude(status__in=["draft", "cancelled"]).count()
    assert Invoice.objects.filter(kind="customer_invoice").count() == confirmed
    assert Invoice.objects.filter(status__in=["issued", "partly_paid", "paid"]).exists()
