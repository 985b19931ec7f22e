"""Fixtures of the supplier bill tests: the generic chart and fiscal year 2026 on the purchasing fixtures' company,
an accountant, and an order of 100 pumps at 40 (19 % tax) of which 60 are received."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core import roles
from tandem.core.tests.factories import UserFactory
from tandem.finance import services as finance
from tandem.purchasing import services

TODAY = datetime.date(2026, 6, 1)
LATER = datetime.date(2026, 6, 12)


@pytest.fixture
def accountant(db):
    return UserFactory(username="acc", role=roles.ACCOUNTANT)


@pytest.fixture
def books(company, accountant):
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    return company


@pytest.fixture
def received(books, order_of, pump, buyer, manager, storeman):
    """100 pumps ordered at 40 (19 % tax), 60 received."""
    order = order_of(pump, 100)
    services.update_purchase_order_line(order.lines.get(), by=buyer, tax_rate=D(19))
    order = services.submit_purchase_order(order, by=buyer)
    if order.status == "to_approve":
        order = services.approve_purchase_order(order, by=manager)
    order = services.send_purchase_order(order, by=buyer)
    return services.receive_purchase_order(order, lines=[(order.lines.get(), 60, None, None)], date=TODAY,
                                           by=storeman)


