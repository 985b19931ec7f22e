"""Fifty order lines reserve the last ten units at the same moment (PostgreSQL, real parallel connections):
the product's WarehouseStock row lock serialises them, so exactly ten are reserved and the rest get 409."""

from decimal import Decimal

import pytest

from tandem.catalog.models import Unit
from tandem.core.errors import ConflictError
from tandem.core.tests.parallel import run_in_parallel
from tandem.stock import queries, services
from tandem.stock.models import Reservation, StockMove, WarehouseStock
from tandem.stock.tests.conftest import build_stockroom

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_reservations_for_the_last_ten_units():
    room = build_stockroom()
    services.receive_stock(product=room.bolt, quantity=Decimal(10), location=room.main_stock, by=None)
    origins = [Unit.objects.create(code=f"line-{i}", name="order line") for i in range(50)]

    def reserve(index):
        services.reserve_stock(product=room.bolt, warehouse=room.main, quantity=Decimal(1), origin=origins[index],
                               by=None)
        return "reserved"

    outcomes = run_in_parallel(reserve, 50)

    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert outcomes.count("reserved") == 10
    assert len(refused) == 40 and {o.code for o in refused} == {"insufficient_stock"}
    assert all(o.status_code == 409 for o in refused)
    row = WarehouseStock.objects.get(product=room.bolt, warehouse=room.main)
    assert row.reserved == Decimal(10) and row.on_hand == Decimal(10)
    assert Reservation.objects.count() == 10
    assert queries.available(room.bolt, room.main) == 0


def test_simultaneous_shipments_never_take_more_than_is_there():
    room = build_stockroom()
    services.receive_stock(product=room.bolt, quantity=Decimal(5), location=room.bin_a, by=None)

    def ship(index):
        services.record_move(product=room.bolt, quantity=Decimal(1), kind=StockMove.Kind.SHIPMENT,
                             from_location=room.bin_a, by=None)
        return "shipped"

    outcomes = run_in_parallel(ship, 12)
    assert outcomes.count("shipped") == 5
    assert queries.on_hand_at(room.bolt, room.bin_a, None) == 0
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).on_hand == 0
