"""Ten people ask for a shipment of everything left on the same order at the same moment, and ten storekeepers
press "Ship" on the same packed shipment (PostgreSQL, real parallel connections): the order's row lock lets one
shipment take the quantity and refuses the rest; one Ship posts the moves, the others are refused; nothing is
shipped twice."""

from decimal import Decimal as D

import pytest

from tandem.core.errors import BusinessRuleError
from tandem.core.tests.parallel import run_in_parallel
from tandem.sales.models import Order, Shipment, ShipmentLine
from tandem.sales.services import shipments
from tandem.stock.models import StockMove, WarehouseStock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 10


def test_ten_shipments_for_the_same_backorder(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 5)])

    def ask(_index):
        return shipments.create_shipment(Order.objects.get(pk=order.pk), by=storekeeper).pk

    outcomes = run_in_parallel(ask, RACERS, timeout=120)
    made = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, BusinessRuleError)]
    assert len(made) == 1 and len(refused) == RACERS - 1, [o for o in outcomes if isinstance(o, Exception)][:3]
    assert {e.code for e in refused} == {"nothing_to_ship"}
    assert [line.quantity for line in ShipmentLine.objects.all()] == [D(5)]


def test_ten_storekeepers_ship_the_same_shipment(make_order, receive, pump, warehouse, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    shipment = shipments.create_shipment(order, by=storekeeper)
    shipment = shipments.pack_shipment(shipments.pick_shipment(shipment, by=storekeeper), by=storekeeper)

    def ship(_index):
        return shipments.ship_shipment(Shipment.objects.get(pk=shipment.pk), by=storekeeper).status

    outcomes = run_in_parallel(ship, RACERS, timeout=120)
    assert outcomes.count(Shipment.Status.SHIPPED) == 1, [o for o in outcomes if isinstance(o, Exception)][:3]
    assert StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT).count() == 1
    row = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    assert (row.on_hand, row.reserved) == (D(5), D(0))
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED
