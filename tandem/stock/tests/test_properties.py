"""Property: for random sequences of receipts (some back-dated), transfers, reservations, shipments, returns
and counts, on hand equals the sum of the moves per product, location and lot; the warehouse totals equal
their bins; reserved equals the reservations; and where negatives are not allowed, neither a bin's on hand
nor a warehouse's available ever goes below zero. Refused steps change nothing."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Unit
from tandem.core.errors import BusinessRuleError
from tandem.stock import services
from tandem.stock.models import Reservation, StockLevel, StockMove, WarehouseStock

TODAY = datetime.date(2026, 12, 1)
quantities = st.integers(min_value=1, max_value=8).map(Decimal)
product_ix = st.integers(0, 1)  # bolt (untracked) or milk (by lot)
location_ix = st.integers(0, 3)  # MAIN/STOCK, MAIN/A1, MAIN/B1, SECOND/STOCK (negatives allowed)
lot_ix = st.integers(0, 1)  # fresh lot or expired lot (milk only)
origin_ix = st.integers(0, 2)

steps = st.one_of(
    st.tuples(st.just("receive"), product_ix, location_ix, quantities, lot_ix, st.integers(0, 60)),
    st.tuples(st.just("transfer"), product_ix, location_ix, location_ix, quantities, lot_ix),
    st.tuples(st.just("reserve"), product_ix, st.integers(0, 1), quantities, origin_ix),
    st.tuples(st.just("ship"), product_ix, location_ix, quantities, lot_ix, origin_ix),
    st.tuples(st.just("return"), product_ix, location_ix, quantities, lot_ix),
    st.tuples(st.just("count"), product_ix, location_ix, st.integers(0, 10).map(Decimal), lot_ix),
    st.tuples(st.just("release"), origin_ix),
)


def _world(room):
    room.second.allow_negative = True
    room.second.save()
    fresh = services.get_or_create_lot(product=room.milk, code="FRESH", expiry_date=TODAY + datetime.timedelta(30),
                                       by=None)
    expired = services.get_or_create_lot(product=room.milk, code="OLD", expiry_date=TODAY - datetime.timedelta(1),
                                         by=None)
    origins = [Unit.objects.create(code=f"origin-{i}", name="order line") for i in range(3)]
    return {"products": [room.bolt, room.milk], "locations": [room.main_stock, room.bin_a, room.bin_b,
                                                              room.second_stock],
            "warehouses": [room.main, room.second], "lots": [fresh, expired], "origins": origins}


def _lot(world, product_index, lot_index):
    return world["lots"][lot_index] if product_index == 1 else None


def _apply(world, step):
    kind = step[0]
    products, locations = world["products"], world["locations"]
    if kind == "receive":
        _k, p, loc, qty, lot, days_back = step
        services.receive_stock(product=products[p], quantity=qty, location=locations[loc], lot=_lot(world, p, lot),
                               effective_date=TODAY - datetime.timedelta(days_back), by=None)
    elif kind == "transfer":
        _k, p, source, target, qty, lot = step
        services.transfer_stock(product=products[p], quantity=qty, from_location=locations[source],
                                to_location=locations[target], lot=_lot(world, p, lot), by=None)
    elif kind == "reserve":
        _k, p, w, qty, origin = step
        services.reserve_stock(product=products[p], warehouse=world["warehouses"][w], quantity=qty,
                               origin=world["origins"][origin], by=None, on_date=TODAY)
    elif kind == "ship":
        _k, p, loc, qty, lot, origin = step
        location, origin_row = locations[loc], world["origins"][origin]
        held = Reservation.objects.filter(product=products[p], warehouse=location.warehouse,
                                          origin_id=origin_row.pk).aggregate(t=Sum("quantity"))["t"] or 0
        services.record_move(product=products[p], quantity=qty, kind=StockMove.Kind.SHIPMENT,
                             from_location=location, lot=_lot(world, p, lot), origin=origin_row,
                             release_reserved=min(Decimal(held), qty), by=None)
    elif kind == "return":
        _k, p, loc, qty, lot = step
        services.record_move(product=products[p], quantity=qty, kind=StockMove.Kind.RETURN,
                             to_location=locations[loc], lot=_lot(world, p, lot), by=None)
    elif kind == "count":
        _k, p, loc, counted, lot = step
        location = locations[loc]
        count = services.create_count(warehouse=location.warehouse, count_date=TODAY, by=None)
        services.set_count_line(count, product=products[p], location=location, lot=_lot(world, p, lot),
                                counted=counted, by=None)
        services.post_count(count, by=None)
    elif kind == "release":
        services.release_reservations(origin=world["origins"][step[1]], by=None)


def _snapshot():
    return (sorted(StockLevel.objects.values_list("product_id", "location_id", "lot_id", "on_hand")),
            sorted(WarehouseStock.objects.values_list("product_id", "warehouse_id", "on_hand", "reserved")),
            StockMove.objects.count(), Reservation.objects.count())


def _check_invariants(world):
    moved = defaultdict(Decimal)
    for product, source, target, lot, quantity in StockMove.objects.values_list(
            "product_id", "from_location_id", "to_location_id", "lot_id", "quantity"):
        if source:
            moved[(product, source, lot)] -= quantity
        if target:
            moved[(product, target, lot)] += quantity
    levels = {(p, loc, lot): q for p, loc, lot, q in StockLevel.objects.values_list(
        "product_id", "location_id", "lot_id", "on_hand")}
    for key in set(moved) | set(levels):
        assert levels.get(key, 0) == moved.get(key, 0), key
    strict = {loc.pk for loc in world["locations"] if not loc.warehouse.allow_negative}
    assert all(q >= 0 for (p, loc, lot), q in levels.items() if loc in strict)
    by_warehouse = defaultdict(Decimal)
    for (p, loc, _lot), q in levels.items():
        by_warehouse[(p, next(x.warehouse_id for x in world["locations"] if x.pk == loc))] += q
    held = defaultdict(Decimal)
    for p, w, q in Reservation.objects.values_list("product_id", "warehouse_id", "quantity"):
        held[(p, w)] += q
    for row in WarehouseStock.objects.select_related("warehouse"):
        assert row.on_hand == by_warehouse[(row.product_id, row.warehouse_id)]
        assert row.reserved == held[(row.product_id, row.warehouse_id)]
        if not row.warehouse.allow_negative:
            assert row.available >= 0, (row.product_id, row.warehouse.code, row.on_hand, row.reserved)
    # Lots: what is held of a lot never exceeds what a strict warehouse has of it.
    held_lots = defaultdict(Decimal)
    for lot_id, w, q in Reservation.objects.filter(lot__isnull=False).values_list("lot_id", "warehouse_id",
                                                                                 "quantity"):
        held_lots[(lot_id, w)] += q
    for (lot_id, w), q in held_lots.items():
        if w == world["warehouses"][0].pk:
            there = sum((v for (p, loc, lot), v in levels.items() if lot == lot_id and loc in strict), Decimal(0))
            assert q <= there, (lot_id, q, there)
    assert not Reservation.objects.filter(lot=world["lots"][1]).exists()  # never an expired lot


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=1, max_size=25))
def test_stock_stays_consistent_under_random_operations(room, sequence):
    with transaction.atomic():
        world = _world(room)
        for step in sequence:
            before = _snapshot()
            try:
                with transaction.atomic():
                    _apply(world, step)
            except BusinessRuleError:
                assert _snapshot() == before, step  # a refusal leaves nothing half-written
            _check_invariants(world)
        transaction.set_rollback(True)
