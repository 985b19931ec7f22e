"""Invariants of the planning arithmetic (engine.plan, no database): with unlimited supply no demand stays
uncovered; quantities through BOMs multiply; planning again with what it proposed as supply proposes nothing."""

import datetime
from collections import defaultdict
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.planning import engine

TODAY = datetime.date(2026, 6, 1)
WAREHOUSES = (1, 2)
quantities = st.integers(min_value=1, max_value=500).map(D)


@st.composite
def worlds(draw):
    """Products 1..n; some have a BOM over products with higher numbers (so no cycles), up to four levels;
    some have a supplier price with a minimum and a pack size; demands and stock in two warehouses."""
    n = draw(st.integers(min_value=1, max_value=12))
    boms = {}
    for product in range(1, n + 1):
        later = list(range(product + 1, n + 1))
        if later and draw(st.booleans()):
            components = draw(st.lists(st.sampled_from(later), min_size=1, max_size=3, unique=True))
            boms[product] = engine.Bom(product, D(draw(st.integers(1, 3))),
                                       [(c, D(draw(st.integers(1, 4))) / D(draw(st.sampled_from([1, 2, 4]))))
                                        for c in components])
    prices = {}
    for product in range(1, n + 1):
        if draw(st.booleans()):
            prices[product] = engine.Price(1, "EUR", D(1), D(draw(st.integers(0, 50))),
                                           D(draw(st.sampled_from([1, 5, 12, 100]))), draw(st.integers(0, 20)))
    data = engine.PlanInput(today=TODAY, boms=boms, prices=prices)
    for _ in range(draw(st.integers(0, 25))):
        key = (draw(st.integers(1, n)), draw(st.sampled_from(WAREHOUSES)))
        data.demands[key].append(engine.Demand(engine.SALES, draw(quantities),
                                               TODAY + datetime.timedelta(days=draw(st.integers(-5, 60)))))
    for _ in range(draw(st.integers(0, 6))):
        key = (draw(st.integers(1, n)), draw(st.sampled_from(WAREHOUSES)))
        data.on_hand[key] = data.on_hand.get(key, D(0)) + draw(quantities)
    for _ in range(draw(st.integers(0, 4))):
        key = (draw(st.integers(1, n)), draw(st.sampled_from(WAREHOUSES)))
        data.supplies.setdefault(key, []).append((TODAY + datetime.timedelta(days=draw(st.integers(0, 30))),
                                                  draw(quantities)))
    for product in range(1, n + 1):
        if draw(st.integers(0, 4)) == 0:
            key = (product, draw(st.sampled_from(WAREHOUSES)))
            data.params[key] = (draw(st.sampled_from(["auto", "buy", "make"])), draw(st.integers(0, 10)))
    return data


def _copy(data: engine.PlanInput) -> engine.PlanInput:
    demands = defaultdict(list)
    for key, rows in data.demands.items():
        demands[key] = [engine.Demand(d.kind, d.quantity, d.date, d.sales_line_id) for d in rows]
    return engine.PlanInput(today=data.today, on_hand=dict(data.on_hand), supplies={k: list(v) for k, v in
                                                                                    data.supplies.items()},
                            demands=demands, boms=data.boms, prices=data.prices, params=dict(data.params))


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_with_unlimited_supply_no_demand_is_left_uncovered(data):
    independent = {k: sum((d.quantity for d in rows), D(0)) for k, rows in data.demands.items()}
    result = engine.plan(_copy(data))
    supply_by_key = defaultdict(lambda: D(0))
    dependent = defaultdict(lambda: D(0))
    pegged_per_proposal = {}
    for p in result.proposals:
        supply_by_key[(p.product_id, p.warehouse_id)] += p.quantity
        pegged = sum((peg.quantity for peg in p.pegs), D(0))
        pegged_per_proposal[id(p)] = pegged
        assert D(0) < p.net_quantity <= pegged <= p.quantity
        assert p.start_date <= p.need_date and p.start_date >= TODAY
        if p.kind == engine.MAKE:
            for component, gross in p.bom.lines:
                dependent[(component, p.warehouse_id)] += engine.up(gross * p.quantity / p.bom.quantity)
    for key in set(independent) | set(dependent):
        demand = independent.get(key, D(0)) + dependent.get(key, D(0))
        existing = data.on_hand.get(key, D(0)) + sum((q for _d, q in data.supplies.get(key, ())), D(0))
        assert existing + supply_by_key[key] >= demand, key
    # Nothing is proposed for an item whose own supply already covered it.
    for p in result.proposals:
        key = (p.product_id, p.warehouse_id)
        existing = data.on_hand.get(key, D(0)) + sum((q for _d, q in data.supplies.get(key, ())), D(0))
        assert existing < independent.get(key, D(0)) + dependent.get(key, D(0))


@settings(max_examples=100, deadline=None)
@given(per=st.lists(st.integers(1, 9), min_size=3, max_size=3), made=st.lists(st.integers(1, 4), min_size=3,
                                                                               max_size=3), sold=quantities)
def test_quantities_through_three_bom_levels_multiply(per, made, sold):
    boms = {1: engine.Bom(1, D(made[0]), [(2, D(per[0]))]), 2: engine.Bom(2, D(made[1]), [(3, D(per[1]))]),
            3: engine.Bom(3, D(made[2]), [(4, D(per[2]))])}
    data = engine.PlanInput(today=TODAY, boms=boms)
    data.demands[(1, 1)].append(engine.Demand(engine.SALES, sold, TODAY + datetime.timedelta(days=30)))
    result = engine.plan(data)
    by_product = {p.product_id: p for p in result.proposals}
    expected = sold
    assert by_product[1].quantity == expected
    for level, product in enumerate((2, 3, 4)):
        expected = engine.up(expected * D(per[level]) / D(made[level]))
        assert by_product[product].quantity == expected
        assert by_product[product].level == level + 1


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_planning_again_with_the_proposals_as_orders_proposes_nothing(data):
    """Confirmed proposals are orders: a purchase or production order is supply on its date, a production
    order's components are demand on its start."""
    first = engine.plan(_copy(data))
    again = _copy(data)
    for p in first.proposals:
        key = (p.product_id, p.warehouse_id)
        again.supplies.setdefault(key, []).append((p.need_date, p.quantity))
        if p.kind == engine.MAKE:
            for component, gross in p.bom.lines:
                again.demands[(component, p.warehouse_id)].append(engine.Demand(
                    engine.COMPONENT, engine.up(gross * p.quantity / p.bom.quantity), p.start_date))
    assert engine.plan(again).proposals == []


def test_lot_size_respects_minimum_then_pack():
    price = engine.Price(1, "EUR", D(1), D(10), D(6), 3)
    assert [engine.lot_size(D(q), price) for q in ("1", "10", "12", "12.5", "19")] == [D(12), D(12), D(12),
                                                                                         D(18), D(24)]
    assert engine.lot_size(D("3.0001"), None) == D("3.0001")
