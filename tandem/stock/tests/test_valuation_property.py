"""Valuation against a slow reference: random receipts (some back-dated, some without a cost), shipments,
adjustments in and out, transfers between two warehouses, customer returns of earlier shipments (into either
warehouse, valued at the shipment's cost) and cost corrections; every move's cost and the stock value at
random dates equal what a replay of all moves from scratch, in date order, gives — to the cent."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.stock import services
from tandem.stock.models import Location, RevaluationEntry, StockMove, Warehouse
from tandem.stock.valuation import services as valuation
from tandem.stock.valuation.queries import value_at

START = datetime.date(2026, 1, 1)
CENT = Decimal("0.01")
_sku = itertools.count()


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def six(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# --- The reference: replay every move from the start, in (date, id) order ----------------------------------

class RefLayer:
    def __init__(self, quantity, cost, value):
        self.quantity, self.cost, self.value, self.taken = quantity, cost, value, Decimal(0)

    def worth(self, x):  # value of the first x units
        return self.value if x >= self.quantity else cents(x * self.cost)


def reference(moves, fifo: bool):
    """moves: dicts with id, date, qty, src, dst (warehouse or None), cost (given unit cost or None) and, for a
    customer return, returns (the id of the shipment it returns: it enters at that shipment's unit cost, six
    places of its value ÷ quantity, as replayed from scratch; the shipment must come earlier).
    Returns ({move id: value}, {warehouse: [(date, quantity, value) after each move]})."""
    qty, val, cost = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    layers, deficit = defaultdict(list), defaultdict(Decimal)
    values, history = {}, defaultdict(list)
    by_id = {move["id"]: move for move in moves}
    for move in sorted(moves, key=lambda m: (m["date"], m["id"])):
        q = move["qty"]
        out_value = None
        if move["src"] is not None:
            w = move["src"]
            if fifo:
                left, out_value = q, Decimal(0)
                while left > 0 and layers[w]:
                    layer = layers[w][0]
                    take = min(left, layer.quantity - layer.taken)
                    out_value += layer.worth(layer.taken + take) - layer.worth(layer.taken)
                    layer.taken += take
                    left -= take
                    if layer.taken == layer.quantity:
                        layers[w].pop(0)
                if left > 0:
                    out_value += cents(left * cost[w])
                    deficit[w] += left
            else:
                out_value = val[w] if (qty[w] > 0 and q == qty[w]) else cents(q * cost[w])
            qty[w] -= q
            val[w] -= out_value
            values[move["id"]] = out_value
            history[w].append((move["date"], qty[w], val[w]))
        if move["dst"] is not None:
            w = move["dst"]
            if out_value is not None:
                in_value, in_cost = out_value, six(out_value / q)
            else:
                if move.get("returns") is not None:
                    shipped = by_id[move["returns"]]
                    in_cost = six(values[shipped["id"]] / shipped["qty"])
                else:
                    in_cost = move["cost"] if move["cost"] is not None else cost[w]
                in_value = cents(q * in_cost)
                values[move["id"]] = in_value
            qty[w] += q
            val[w] += in_value
            if fifo:
                layer = RefLayer(q, in_cost, in_value)
                absorbed = min(deficit[w], q)
                layer.taken, deficit[w] = absorbed, deficit[w] - absorbed
                if layer.taken < layer.quantity:
                    layers[w].append(layer)
                cost[w] = in_cost
            else:
                cost[w] = six(val[w] / qty[w]) if qty[w] > 0 else in_cost
            history[w].append((move["date"], qty[w], val[w]))
    return values, history


def reference_at(history, date):
    state = (Decimal(0), Decimal(0))
    for day, q, v in history:
        if day <= date:
            state = (q, v)
    return state


# --- Random operations ------------------------------------------------------------------------------------

quantities = st.integers(1, 40).map(Decimal) | st.decimals("0.001", "30", places=3)
costs = st.decimals("0.01", "99.99", places=2) | st.decimals("0.000001", "5", places=6)
operation = st.one_of(
    st.tuples(st.just("receipt"), st.integers(0, 60), quantities, costs | st.none(), st.integers(0, 1)),
    st.tuples(st.just("ship"), st.integers(0, 60), quantities, st.none(), st.integers(0, 1)),
    st.tuples(st.just("transfer"), st.integers(0, 60), quantities, st.none(), st.integers(0, 1)),
    st.tuples(st.just("adjust-out"), st.integers(0, 60), quantities, st.none(), st.integers(0, 1)),
    # Returns: which earlier shipment (index modulo their count), days after it, and the part of it that comes back.
    st.tuples(st.just("return"), st.integers(0, 20), st.integers(0, 20).map(Decimal),
              st.sampled_from([Decimal(1), Decimal("0.5"), Decimal("0.333")]), st.integers(0, 1)),
    st.tuples(st.just("correct"), st.integers(0, 60), st.integers(0, 20).map(Decimal), costs, st.integers(0, 1)),
)


@pytest.fixture(params=["average", "fifo"])
def world(request, db):
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR", is_default=True,
                                         valuation_method=request.param)
    shelves = []
    for code in ("A", "B"):
        warehouse = Warehouse.objects.create(company=company, code=code, name=code, allow_negative=True)
        shelves.append(Location.objects.create(warehouse=warehouse, code="1", is_default=True))
    return request.param == "fifo", shelves, Unit.objects.create(code="pc", name="piece")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=25), probes=st.lists(st.integers(-1, 62), max_size=6))
def test_costs_and_values_equal_a_replay_from_scratch(world, ops, probes):
    fifo, shelves, unit = world
    product = Product.objects.create(sku=f"P{next(_sku)}", name="Thing", unit=unit)
    warehouses = [shelf.warehouse for shelf in shelves]
    log, receipts, shipments, first_value = [], [], [], {}
    for kind, day, q, cost, side in ops:
        date = START + datetime.timedelta(days=day)
        here, there = shelves[side], shelves[1 - side]
        if kind == "correct":
            if not receipts:
                continue
            target = receipts[int(q) % len(receipts)]
            valuation.correct_cost(StockMove.objects.get(pk=target["id"]), unit_cost=cost, by=None)
            target["cost"] = cost
            continue
        if kind == "return":
            if not shipments:
                continue
            shipped, shipped_move = shipments[int(q) % len(shipments)]
            date = shipped["date"] + datetime.timedelta(days=day)
            back = max(Decimal("0.001"), (shipped["qty"] * cost).quantize(Decimal("0.001")))
            move = services.record_move(product=product, quantity=back, kind=StockMove.Kind.RETURN,
                                        to_location=here, effective_date=date, cost_source=shipped_move, by=None)
            entry = {"id": move.pk, "date": date, "qty": back, "src": None, "dst": here.warehouse_id, "cost": None,
                     "returns": shipped["id"]}
        elif kind == "receipt":
            move = services.record_move(product=product, quantity=q, kind=StockMove.Kind.RECEIPT if cost is not None
                                        else StockMove.Kind.ADJUSTMENT, to_location=here, effective_date=date,
                                        unit_cost=cost, by=None)
            entry = {"id": move.pk, "date": date, "qty": q, "src": None, "dst": here.warehouse_id, "cost": cost}
            if cost is not None:
                receipts.append(entry)
        elif kind in ("ship", "adjust-out"):
            move = services.record_move(product=product, quantity=q, kind=StockMove.Kind.SHIPMENT if kind == "ship"
                                        else StockMove.Kind.ADJUSTMENT, from_location=here, effective_date=date,
                                        by=None)
            entry = {"id": move.pk, "date": date, "qty": q, "src": here.warehouse_id, "dst": None, "cost": None}
            if kind == "ship":
                shipments.append((entry, move))
        else:
            move = services.record_move(product=product, quantity=q, kind=StockMove.Kind.TRANSFER,
                                        from_location=here, to_location=there, effective_date=date, by=None)
            entry = {"id": move.pk, "date": date, "qty": q, "src": here.warehouse_id, "dst": there.warehouse_id,
                     "cost": None}
        log.append(entry)
        first_value[move.pk] = move.value

    values, history = reference(log, fifo)
    stored = dict(StockMove.objects.filter(product=product).values_list("pk", "value"))
    assert stored == values
    # Every change after a move was first costed is on record: first value + differences = current value.
    changes = defaultdict(Decimal)
    for move_id, difference in RevaluationEntry.objects.filter(product=product).values_list("move_id",
                                                                                         "difference"):
        changes[move_id] += difference
    receipt_ids = {entry["id"] for entry in receipts}
    for move_id, value in values.items():
        if move_id not in receipt_ids:
            assert first_value[move_id] + changes[move_id] == value, move_id
    for day in probes:
        date = START + datetime.timedelta(days=day)
        for warehouse in warehouses:
            at = value_at(product, warehouse, date)
            assert (at.quantity, at.value) == reference_at(history[warehouse.pk], date), (warehouse.code, date)


def test_a_return_into_another_warehouse_follows_its_shipment(world):
    """The shipment's pool and the return's differ: a back-dated receipt that revalues the shipment replays
    the return's pool too (the cascade a transfer gets)."""
    fifo, shelves, unit = world
    product = Product.objects.create(sku=f"P{next(_sku)}", name="Thing", unit=unit)
    a, b = shelves
    day = [START + datetime.timedelta(days=n) for n in range(10)]
    first = services.record_move(product=product, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=a,
                                 effective_date=day[2], unit_cost=Decimal(10), by=None)
    shipped = services.record_move(product=product, quantity=Decimal(6), kind=StockMove.Kind.SHIPMENT,
                                   from_location=a, effective_date=day[4], by=None)
    back = services.record_move(product=product, quantity=Decimal(2), kind=StockMove.Kind.RETURN, to_location=b,
                                effective_date=day[6], cost_source=shipped, by=None)
    late = services.record_move(product=product, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=a,
                                effective_date=day[1], unit_cost=Decimal(16), by=None)
    log = [{"id": first.pk, "date": day[2], "qty": Decimal(10), "src": None, "dst": a.warehouse_id,
            "cost": Decimal(10)},
           {"id": shipped.pk, "date": day[4], "qty": Decimal(6), "src": a.warehouse_id, "dst": None, "cost": None},
           {"id": back.pk, "date": day[6], "qty": Decimal(2), "src": None, "dst": b.warehouse_id, "cost": None,
            "returns": shipped.pk},
           {"id": late.pk, "date": day[1], "qty": Decimal(10), "src": None, "dst": a.warehouse_id,
            "cost": Decimal(16)}]
    values, history = reference(log, fifo)
    assert dict(StockMove.objects.filter(product=product).values_list("pk", "value")) == values
    back.refresh_from_db()
    assert back.unit_cost == (Decimal(16) if fifo else Decimal(13))
    assert RevaluationEntry.objects.get(move=back, cause_move=late).difference == back.value - Decimal(20)
    for shelf in shelves:
        at = value_at(product, shelf.warehouse, day[9])
        assert (at.quantity, at.value) == reference_at(history[shelf.warehouse_id], day[9])
