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
