"""Rules every stock move keeps: lots and serials, no negative stock (per warehouse and bin), FEFO, incoming."""

import datetime
from decimal import Decimal

import pytest

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.stock import queries, services
from tandem.stock.models import Reservation, StockLevel, StockMove, WarehouseStock

D = Decimal


def test_a_tracked_product_does_not_move_without_its_lot(room):
    with pytest.raises(BusinessRuleError) as refused:
        services.receive_stock(product=room.milk, quantity=D(5), location=room.main_stock, by=None)
    assert refused.value.code == "lot_required" and refused.value.field == "lot"
    other = services.get_or_create_lot(product=room.drill, code="SN1", by=None)
    with pytest.raises(BusinessRuleError) as refused:
        services.receive_stock(product=room.milk, quantity=D(5), location=room.main_stock, lot=other, by=None)
    assert refused.value.code == "lot_of_other_product"
    assert StockMove.objects.count() == 0


def test_a_serial_is_one_piece_in_one_place(room):
    serial = services.get_or_create_lot(product=room.drill, code="SN-001", by=None)
    with pytest.raises(BusinessRuleError) as refused:
        services.receive_stock(product=room.drill, quantity=D(2), location=room.main_stock, lot=serial, by=None)
    assert refused.value.code == "serial_quantity"
    services.receive_stock(product=room.drill, quantity=D(1), location=room.main_stock, lot=serial, by=None)
    # The same serial cannot come in again while it is in stock, in any warehouse.
    with pytest.raises(ConflictError) as refused:
        services.receive_stock(product=room.drill, quantity=D(1), location=room.second_stock, lot=serial, by=None)
    assert refused.value.code == "serial_in_stock"
    # It moves to the second warehouse: it is there and nowhere else.
    services.transfer_stock(product=room.drill, quantity=D(1), from_location=room.main_stock,
                            to_location=room.second_stock, lot=serial, by=None)
    assert queries.on_hand_at(room.drill, room.main_stock, serial) == 0
    assert queries.on_hand_at(room.drill, room.second_stock, serial) == 1
    # Not in Main any more: it cannot leave Main again, even where negatives are allowed.
    room.main.allow_negative = True
    room.main.save()
    with pytest.raises(ConflictError):
        services.transfer_stock(product=room.drill, quantity=D(1), from_location=room.main_stock,
                                to_location=room.bin_a, lot=serial, by=None)


def test_negative_stock_is_refused_per_location_too(room):
    services.receive_stock(product=room.bolt, quantity=D(10), location=room.bin_a, by=None)
    # The warehouse holds 10, but bin B holds none.
    with pytest.raises(ConflictError) as refused:
        services.transfer_stock(product=room.bolt, quantity=D(1), from_location=room.bin_b,
                                to_location=room.second_stock, by=None)
    assert refused.value.code == "insufficient_stock" and "MAIN/B1" in refused.value.message
    # A warehouse that allows negative stock lets bin B go below zero.
    room.main.allow_negative = True
    room.main.save()
    services.transfer_stock(product=room.bolt, quantity=D(3), from_location=room.bin_b,
                            to_location=room.second_stock, by=None)
    assert queries.on_hand_at(room.bolt, room.bin_b, None) == D(-3)
    assert queries.available(room.bolt, room.main) == D(7)


def test_adjustment_needs_a_reason_and_a_quantity(room):
    with pytest.raises(BusinessRuleError) as refused:
        services.adjust_stock(product=room.bolt, location=room.bin_a, quantity=D(2), reason=" ", by=None)
    assert refused.value.field == "reason"
    services.adjust_stock(product=room.bolt, location=room.bin_a, quantity=D(2), reason="Found", by=None)
    move = services.adjust_stock(product=room.bolt, location=room.bin_a, quantity=D(-1), reason="Broken", by=None)
    assert move.from_location == room.bin_a and move.quantity == 1 and move.reason == "Broken"
    assert queries.on_hand_at(room.bolt, room.bin_a, None) == D(1)
    with pytest.raises(ConflictError):
        services.adjust_stock(product=room.bolt, location=room.bin_a, quantity=D(-2), reason="Lost", by=None)


def test_reservations_of_lots_go_earliest_expiry_first_and_never_expired(room, today):
    expired = services.get_or_create_lot(product=room.milk, code="L-OLD", expiry_date=today - datetime.timedelta(1),
                                          by=None)
    late = services.get_or_create_lot(product=room.milk, code="L-LATE", expiry_date=today + datetime.timedelta(20),
                                      by=None)
    soon = services.get_or_create_lot(product=room.milk, code="L-SOON", expiry_date=today + datetime.timedelta(3),
                                      by=None)
    for lot in (expired, late, soon):
        services.receive_stock(product=room.milk, quantity=D(5), location=room.main_stock, lot=lot, by=None)
    order_line = room.bolt  # any row stands in for an order line
    held = services.reserve_stock(product=room.milk, warehouse=room.main, quantity=D(7), origin=order_line,
                                  by=None, on_date=today)
    assert [(r.lot.code, r.quantity) for r in held.parts] == [("L-SOON", D(5)), ("L-LATE", D(2))]
    # 15 on hand, 7 held: 8 available on paper, but 5 of them are expired: only 3 can be held.
    assert queries.available(room.milk, room.main) == D(8)
    with pytest.raises(ConflictError) as refused:
        services.reserve_stock(product=room.milk, warehouse=room.main, quantity=D(4), origin=order_line, by=None,
                               on_date=today)
    assert refused.value.extra["available"] == "3.0000"
    # Shipping lot L-SOON releases its own reservation.
    services.record_move(product=room.milk, quantity=D(5), kind=StockMove.Kind.SHIPMENT,
                         from_location=room.main_stock, lot=soon, release_reserved=D(5), origin=order_line, by=None)
    assert [(r.lot.code, r.quantity) for r in Reservation.objects.all()] == [("L-LATE", D(2))]
    assert services.release_reservations(origin=order_line, by=None) == D(2)
    assert WarehouseStock.objects.get(product=room.milk, warehouse=room.main).reserved == 0


def test_incoming_and_the_expected_date(room):
    purchase = room.drill  # stands in for a purchase order line
    first = services.expect_receipt(product=room.bolt, warehouse=room.main, quantity=D(10),
                                    expected_date=datetime.date(2026, 12, 10), origin=purchase, by=None)
    services.expect_receipt(product=room.bolt, warehouse=room.main, quantity=D(30),
                            expected_date=datetime.date(2026, 12, 20), by=None)
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).incoming == D(40)
    assert queries.expected_date(room.bolt, room.main) == datetime.date(2026, 12, 10)
    assert queries.expected_date(room.bolt, room.main, D(25)) == datetime.date(2026, 12, 20)
    assert queries.expected_date(room.bolt, room.main, D(100)) is None
    assert queries.expected_date(room.bolt, room.second) is None
    assert services.clear_expected_receipt(first, quantity=D(4), by=None) == D(4)
    assert services.clear_expected_receipts(origin=purchase, by=None) == D(6)
    assert WarehouseStock.objects.get(product=room.bolt, warehouse=room.main).incoming == D(30)


def test_a_refused_line_leaves_nothing_of_a_multi_line_document(room):
    lines = [services.MoveLine(room.bolt, D(5)), services.MoveLine(room.milk, D(2))]  # milk has no lot
    with pytest.raises(BusinessRuleError) as refused:
        services.record_moves(lines=lines, kind=StockMove.Kind.RECEIPT, to_location=room.main_stock, by=None)
    assert refused.value.field == "lines.1.lot"
    assert StockMove.objects.count() == 0 and not StockLevel.objects.exclude(on_hand=0).exists()
    assert not WarehouseStock.objects.exclude(on_hand=0).exists()


def test_transfers_between_warehouses_and_bins(room):
    services.receive_stock(product=room.bolt, quantity=D(10), location=room.main_stock, by=None,
                           effective_date=datetime.date(2026, 1, 5), unit_cost=D("1.5"))
    services.transfer_stock(product=room.bolt, quantity=D(4), from_location=room.main_stock, to_location=room.bin_a,
                            by=None)
    services.transfer_stock(product=room.bolt, quantity=D(3), from_location=room.bin_a,
                            to_location=room.second_stock, by=None)
    assert queries.available(room.bolt, room.main) == D(7)
    assert queries.available(room.bolt, room.second) == D(3)
    with pytest.raises(BusinessRuleError) as refused:
        services.transfer_stock(product=room.bolt, quantity=D(1), from_location=room.bin_a, to_location=room.bin_a,
                                by=None)
    assert refused.value.code == "same_location"


def test_archiving_a_bin_with_stock_is_refused(room):
    services.receive_stock(product=room.bolt, quantity=D(1), location=room.bin_a, by=None)
    with pytest.raises(ConflictError):
        services.archive_location(room.bin_a, by=None)
    services.archive_location(room.bin_b, by=None)
    with pytest.raises(BusinessRuleError) as refused:
        services.receive_stock(product=room.bolt, quantity=D(1), location=room.bin_b, by=None)
    assert refused.value.code == "archived"
    with pytest.raises(ConflictError):
        services.archive_warehouse(room.main, by=None)


def test_reserved_goods_may_move_between_bins_but_not_leave(room):
    services.receive_stock(product=room.bolt, quantity=D(5), location=room.bin_a, by=None)
    services.reserve_stock(product=room.bolt, warehouse=room.main, quantity=D(5), origin=room.milk, by=None)
    services.transfer_stock(product=room.bolt, quantity=D(5), from_location=room.bin_a, to_location=room.bin_b,
                            by=None)
    with pytest.raises(ConflictError):
        services.transfer_stock(product=room.bolt, quantity=D(1), from_location=room.bin_b,
                                to_location=room.second_stock, by=None)
    assert queries.available(room.bolt, room.main) == 0


def test_a_lot_held_for_one_order_does_not_ship_for_another(room, today):
    fresh = services.get_or_create_lot(product=room.milk, code="F", expiry_date=today + datetime.timedelta(9),
                                       by=None)
    later = services.get_or_create_lot(product=room.milk, code="G", expiry_date=today + datetime.timedelta(30),
                                       by=None)
    services.receive_stock(product=room.milk, quantity=D(3), location=room.main_stock, lot=fresh, by=None)
    services.receive_stock(product=room.milk, quantity=D(3), location=room.main_stock, lot=later, by=None)
    services.reserve_stock(product=room.milk, warehouse=room.main, quantity=D(3), origin=room.bolt, by=None,
                           on_date=today)
    with pytest.raises(ConflictError) as refused:
        services.record_move(product=room.milk, quantity=D(1), kind=StockMove.Kind.SHIPMENT,
                             from_location=room.main_stock, lot=fresh, by=None)
    assert "(F)" in refused.value.message
    services.record_move(product=room.milk, quantity=D(3), kind=StockMove.Kind.SHIPMENT,
                         from_location=room.main_stock, lot=later, by=None)


def test_a_failure_in_the_middle_of_a_document_leaves_nothing(room, monkeypatch):
    # The lines' stock rows, levels and moves are written; then valuing them fails.
    calls = []

    def fail_after_the_writes(*args):
        calls.append(args)
        assert StockMove.objects.count() == 3 and StockLevel.objects.exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.valuation, "value_new_moves", fail_after_the_writes)
    lines = [services.MoveLine(room.bolt, D(5)), services.MoveLine(room.bolt, D(1)), services.MoveLine(room.bolt, D(2))]
    with pytest.raises(RuntimeError):
        services.record_moves(lines=lines, kind=StockMove.Kind.RECEIPT, to_location=room.main_stock, by=None)
    assert calls
    assert StockMove.objects.count() == 0 and not StockLevel.objects.exists()
    assert not WarehouseStock.objects.exclude(on_hand=0).exists()
