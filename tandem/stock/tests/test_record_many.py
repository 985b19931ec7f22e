"""Moves and reservations of one document posted together (record_many, record_moves, reserve_many): the same
rules and the same numbers as posting them one by one, each move seeing the ones before it."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.catalog.models import Product
from tandem.core.errors import BusinessRuleError
from tandem.stock import services
from tandem.stock.models import Reservation, StockLevel, StockMove, ValuationEntry, WarehouseStock

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def _history(room, product, shift=0):
    """A document's moves: receipts into two bins, a shipment, a transfer to the other warehouse, a move between
    bins of one warehouse, a shipment from the other warehouse; `shift` days later than DAY."""
    day = DAY + datetime.timedelta(days=shift)
    return [
        {"product": product, "quantity": D(10), "kind": StockMove.Kind.RECEIPT, "to_location": room.main_stock,
         "unit_cost": D("2.10"), "effective_date": day},
        {"product": product, "quantity": D(7), "kind": StockMove.Kind.RECEIPT, "to_location": room.bin_a,
         "unit_cost": D("3.333333"), "effective_date": day},
        {"product": product, "quantity": D(4), "kind": StockMove.Kind.SHIPMENT, "from_location": room.main_stock,
         "effective_date": day},
        {"product": product, "quantity": D(5), "kind": StockMove.Kind.TRANSFER, "from_location": room.bin_a,
         "to_location": room.second_stock, "effective_date": day},
        {"product": product, "quantity": D(2), "kind": StockMove.Kind.TRANSFER, "from_location": room.main_stock,
         "to_location": room.bin_b, "effective_date": day},
        {"product": product, "quantity": D(3), "kind": StockMove.Kind.SHIPMENT, "from_location": room.second_stock,
         "effective_date": day},
        {"product": product, "quantity": D(1), "kind": StockMove.Kind.RECEIPT, "to_location": room.main_stock,
         "effective_date": day},  # no cost given: enters at the current cost
    ]


def _numbers(product):
    moves = [(m.kind, m.quantity, m.unit_cost, m.value) for m in StockMove.objects.filter(product=product)
             .order_by("pk")]
    entries = list(ValuationEntry.objects.filter(product=product).order_by("move_id", "warehouse_id").values_list(
        "warehouse_id", "basis", "quantity", "unit_cost", "value", "running_quantity", "running_value",
        "current_cost", "cum_in", "cum_out"))
    levels = sorted(StockLevel.objects.filter(product=product).values_list("location_id", "on_hand"))
    rows = sorted(WarehouseStock.objects.filter(product=product).values_list("warehouse_id", "on_hand", "reserved"))
    return moves, entries, levels, rows


@pytest.mark.parametrize("method", ["moving_average", "fifo"])
@pytest.mark.parametrize("back_dated", [False, True])
def test_a_document_posted_together_has_the_numbers_of_its_moves_posted_one_by_one(room, method, back_dated):
    room.company.valuation_method = method
    room.company.save(update_fields=["valuation_method"])
    one_by_one = Product.objects.create(sku="ONE", name="One", unit=room.bolt.unit)
    together = Product.objects.create(sku="ALL", name="All", unit=room.bolt.unit)
    for product in (one_by_one, together):
        # Earlier stock; when back_dated, some of it is dated after the document (which is then revalued).
        services.record_move(product=product, quantity=D(6), kind=StockMove.Kind.RECEIPT, to_location=room.main_stock,
                             unit_cost=D("1.50"), effective_date=DAY - datetime.timedelta(days=3), by=None)
        services.record_move(product=product, quantity=D(2), kind=StockMove.Kind.RECEIPT, to_location=room.main_stock,
                             unit_cost=D("9.99"), effective_date=DAY + datetime.timedelta(days=5 if back_dated else -1),
                             by=None)
    for values in _history(room, one_by_one):
        services.record_move(**values, by=None)
    moves = services.record_many(_history(room, together), by=None)

    assert [m.pk for m in moves] == sorted(m.pk for m in moves)
    assert all(m.value is not None for m in moves if m.kind != StockMove.Kind.TRANSFER or
               m.to_location.warehouse_id != m.from_location.warehouse_id)
    expected, got = _numbers(one_by_one), _numbers(together)
    assert got[0] == expected[0]  # moves: cost and value
    assert [e[1:] for e in got[1]] == [e[1:] for e in expected[1]]  # valuation entries, running numbers
    assert got[2:] == expected[2:]  # levels and warehouse rows
    for move in moves:  # what the caller holds is what is stored
        stored = StockMove.objects.get(pk=move.pk)
        assert (move.unit_cost, move.value) == (stored.unit_cost, stored.value)


def test_each_move_sees_the_ones_before_it_and_a_refusal_writes_nothing(room):
    services.record_move(product=room.bolt, quantity=D(5), kind=StockMove.Kind.RECEIPT, to_location=room.main_stock,
                         unit_cost=D(2), by=None)
    shipment = {"product": room.bolt, "quantity": D(3), "kind": StockMove.Kind.SHIPMENT,
                "from_location": room.main_stock}
    with pytest.raises(BusinessRuleError) as refused:
        services.record_many([shipment, dict(shipment)], by=None)
    assert refused.value.code == "insufficient_stock"
    assert not StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT).exists()
    assert StockLevel.objects.get(product=room.bolt, location=room.main_stock).on_hand == 5
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).on_hand == 5

    lines = [services.MoveLine(room.bolt, D(3)), services.MoveLine(room.bolt, D(3))]
    with pytest.raises(BusinessRuleError) as refused:
        services.record_moves(lines=lines, kind=StockMove.Kind.SHIPMENT, from_location=room.main_stock, by=None)
    assert refused.value.field.startswith("lines.1")  # the line is named
    assert not StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT).exists()


def test_shipping_what_was_reserved_takes_it_off_per_origin_line(room):
    services.record_move(product=room.bolt, quantity=D(10), kind=StockMove.Kind.RECEIPT, to_location=room.main_stock,
                         unit_cost=D(2), by=None)
    first, second = room.bin_a, room.bin_b  # any records do as origins
    services.reserve_many(warehouse=room.main, lines=[(room.bolt, D(4), first), (room.bolt, D(3), second)], by=None)
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).reserved == 7
    with pytest.raises(BusinessRuleError) as refused:  # 3 available: the second line is short
        services.reserve_many(warehouse=room.main, lines=[(room.bolt, D(2), first), (room.bolt, D(2), second)],
                              by=None)
    assert refused.value.code == "insufficient_stock"
    assert Reservation.objects.filter(product=room.bolt).count() == 2

    shipment = {"product": room.bolt, "kind": StockMove.Kind.SHIPMENT, "from_location": room.main_stock}
    services.record_many([{**shipment, "quantity": D(3), "origin": first, "release_reserved": D(3)},
                          {**shipment, "quantity": D(3), "origin": second, "release_reserved": D(3)}], by=None)
    row = WarehouseStock.objects.get(product=room.bolt, warehouse=room.main)
    assert (row.on_hand, row.reserved) == (D(4), D(1))
    assert list(Reservation.objects.filter(product=room.bolt).values_list("origin_id", "quantity")) == [
        (first.pk, D(1))]
    with pytest.raises(BusinessRuleError) as refused:  # 1 is held for `first`: not 2
        services.record_many([{**shipment, "quantity": D(2), "origin": first, "release_reserved": D(2)}], by=None)
    assert refused.value.code == "not_reserved"
