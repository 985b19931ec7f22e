"""Receipts of the same order line at the same moment (PostgreSQL, real parallel connections): the order and its
lines are locked by receive_purchase_order, so together they never take the line beyond the ordered quantity
plus the tolerance; the receipts that came too late are refused (409 over_receipt) and leave no stock behind."""

from decimal import Decimal

import pytest

from tandem.core.errors import ConflictError
from tandem.core.tests.parallel import run_in_parallel
from tandem.purchasing import services
from tandem.purchasing.models import PurchaseOrder
from tandem.purchasing.tests.conftest import TODAY
from tandem.stock.models import StockMove, WarehouseStock

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _race(order_of, pump, manager, storeman, warehouse, *, ordered, each, count):
    order = order_of(pump, ordered)
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    line = order.lines.get()

    def receive(index):
        return services.receive_purchase_order(PurchaseOrder.objects.get(pk=order.pk),
                                               lines=[(line.pk, Decimal(each), None, None)], date=TODAY,
                                               by=storeman)

    outcomes = run_in_parallel(receive, count)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ConflictError)]
    assert not unexpected, unexpected
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    accepted = [o for o in outcomes if isinstance(o, PurchaseOrder)]
    line.refresh_from_db()
    moved = sum(StockMove.objects.filter(product=pump).values_list("quantity", flat=True), Decimal(0))
    stock = WarehouseStock.objects.get(product=pump, warehouse=warehouse)
    return line, accepted, refused, moved, stock


def test_two_receipts_of_one_line_at_once_never_exceed_ordered_plus_tolerance(order_of, pump, manager, storeman,
                                                                              warehouse):
    line, accepted, refused, moved, stock = _race(order_of, pump, manager, storeman, warehouse, ordered=100,
                                                  each=60, count=2)
    assert len(accepted) == 1 and len(refused) == 1  # 60 + 60 > 100 + 5 %
    assert {o.code for o in refused} <= {"over_receipt", "not_receivable"}
    assert line.received_quantity == moved == stock.on_hand == 60
    assert stock.incoming == 40


def test_ten_receipts_at_once_stop_at_the_tolerance(order_of, pump, manager, storeman, warehouse):
    line, accepted, refused, moved, stock = _race(order_of, pump, manager, storeman, warehouse, ordered=100,
                                                  each=30, count=10)
    assert len(accepted) == 3 and len(refused) == 7  # 3 × 30 = 90; a fourth would make 120 > 105
    assert line.received_quantity == moved == stock.on_hand == 90
    assert line.received_quantity <= line.quantity * Decimal("1.05")
