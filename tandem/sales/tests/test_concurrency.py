"""Fifty people confirm fifty orders at the same moment, competing for the last ten pumps (PostgreSQL, real
parallel connections): the warehouse stock row lock serialises them, exactly ten units end up reserved, and
every other confirmation is refused with a clear 409 (or, where confirming with a shortage is allowed, is
confirmed with the shortage flagged)."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import ConflictError
from tandem.core.tests.parallel import run_in_parallel
from tandem.sales.models import Order, OrderLine
from tandem.sales.services import orders
from tandem.stock.models import Reservation, WarehouseStock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 50


@pytest.fixture
def fifty_orders(stocked, sales_manager, client_of_rep, pump, receive):
    receive(pump, 10)
    return [orders.create_order(by=sales_manager, client=client_of_rep, order_date=datetime.date(2026, 3, 2),
                                lines=[{"product": pump, "quantity": 1, "unit_price": "100"}]) for _ in range(RACERS)]


def _race(documents, user):
    def confirm(index):
        return orders.confirm_order(Order.objects.get(pk=documents[index].pk), by=user).status

    return run_in_parallel(confirm, RACERS, timeout=120)


def test_fifty_confirmations_for_the_last_ten_units(fifty_orders, sales_manager, pump, warehouse):
    outcomes = _race(fifty_orders, sales_manager)

    confirmed = [o for o in outcomes if o == Order.Status.CONFIRMED]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(confirmed) == 10 and len(refused) == 40, [o for o in outcomes if isinstance(o, Exception)][:3]
    assert {e.code for e in refused} == {"insufficient_stock"}
    row = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    assert (row.on_hand, row.reserved) == (D(10), D(10))
    assert sum(r.quantity for r in Reservation.objects.all()) == D(10)
    assert Order.objects.filter(status=Order.Status.CONFIRMED).count() == 10
    assert Order.objects.filter(status=Order.Status.DRAFT).count() == 40  # nothing half-written


def test_with_shortages_allowed_ten_are_reserved_and_forty_flagged(fifty_orders, sales_manager, pump, warehouse,
                                                                   settings):
    settings.SALES_ALLOW_CONFIRM_WITH_SHORTAGE = True
    outcomes = _race(fifty_orders, sales_manager)

    assert outcomes == [Order.Status.CONFIRMED] * RACERS
    row = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    assert row.reserved == D(10)
    lines = OrderLine.objects.all()
    assert sum(line.reserved_quantity for line in lines) == D(10)
    assert sorted(line.short_quantity for line in lines) == [D(0)] * 10 + [D(1)] * 40
