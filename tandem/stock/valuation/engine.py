"""The valuation rules as pure functions over one pool's entries (no database): shared by the services, which
replay a pool from a restart point, and documented here once.

Rounding: unit costs carry 6 decimals (ROUND_HALF_UP); every value is rounded with core.money.quantize in
the legal entity's base currency when it is computed, so sums of values are exact.

Moving average: an incoming entry adds its value (quantity × unit cost, rounded) to the pool; the average
(value ÷ quantity, 6 decimals) is the current cost. An outgoing entry takes quantity × current cost, rounded,
except the one that empties the pool exactly, which takes the whole remaining value (no cents are left
behind). Stock that goes below zero is costed at the last average.

FIFO: every incoming entry is a layer; layers are consumed in order. Positions are cumulative quantities
(`cum_in`, `cum_out`), so the part x of a layer already taken has the value F(x) = quantize(x × unit cost),
and F(whole layer) = the layer's value: the values taken from a layer always add up to its value. An
outgoing entry's value is the sum of F differences over the layers it takes from; what no layer covers
(stock below zero) is costed at the last layer's unit cost. The current cost is the last layer's unit cost.

An incoming entry without a cost given (basis "derived": a positive adjustment, a receipt without price) enters
at the current cost at its position; a transfer from another warehouse enters with the value it left with; a
receipt with landed costs (basis "valued") enters with its stored value (its cost plus the landed costs); a
customer return (basis "returned") enters at the current unit cost of the shipment it returns, which the services
pass as its `unit_cost` (and replay again whenever that shipment's cost changes)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tandem.core.money import quantize

COST_PLACES = Decimal("0.000001")
ZERO = Decimal(0)


def unit(amount: Decimal) -> Decimal:
    return amount.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Layer:
    start: Decimal      # cum_in before the layer
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal

    def taken(self, x: Decimal, currency: str) -> Decimal:
        """Value of the first x units of the layer."""
        if x <= 0:
            return ZERO
        if x >= self.quantity:
            return self.value
        return quantize(x * self.unit_cost, currency)


@dataclass
class PoolState:
    quantity: Decimal = ZERO
    value: Decimal = ZERO
    current_cost: Decimal = ZERO
    cum_in: Decimal = ZERO
    cum_out: Decimal = ZERO
    layers: deque[Layer] = field(default_factory=deque)   # FIFO: layers not yet fully consumed, in order


@dataclass
class Step:
    """What one entry is: `basis` and `quantity`; `unit_cost` for bases given and returned, `value` for bases
    transfer and valued (a receipt with landed costs: it enters with exactly that value, its unit cost is
    value ÷ quantity)."""

    basis: str
    quantity: Decimal
    unit_cost: Decimal | None = None
    value: Decimal | None = None


def apply(state: PoolState, step: Step, *, fifo: bool, currency: str) -> tuple[Decimal, Decimal]:
    """Apply one entry to the pool (in place); returns its (unit cost, value)."""
    q = step.quantity
    if step.basis == "out":
        if fifo:
            value = _fifo_take(state, q, currency)
        elif state.quantity > 0 and q == state.quantity:
            value = state.value
        else:
            value = quantize(q * state.current_cost, currency)
        cost = unit(value / q)
        state.quantity -= q
        state.value -= value
        state.cum_out += q
        return cost, value
    if step.basis in ("transfer", "valued"):
        value = step.value
        cost = unit(value / q)
    else:
        cost = step.unit_cost if step.basis in ("given", "returned") else state.current_cost
        value = quantize(q * cost, currency)
    start = state.cum_in
    state.quantity += q
    state.value += value
    state.cum_in += q
    if fifo:
        state.layers.append(Layer(start, q, cost, value))
        state.current_cost = cost
    else:
        state.current_cost = unit(state.value / state.quantity) if state.quantity > 0 else cost
    return cost, value


def _fifo_take(state: PoolState, q: Decimal, currency: str) -> Decimal:
    low, high = state.cum_out, state.cum_out + q
    value = ZERO
    covered = ZERO
    layers = state.layers
    for layer in layers:  # in order; stops at the first layer this take does not reach
        if layer.start >= high:
            break
        end = layer.start + layer.quantity
        if end <= low:
            continue
        a = max(low, layer.start) - layer.start
        b = min(high, end) - layer.start
        value += layer.taken(b, currency) - layer.taken(a, currency)
        covered += b - a
    while layers and layers[0].start + layers[0].quantity <= high:
        layers.popleft()  # consumed
    uncovered = q - covered
    if uncovered > 0:
        value += quantize(uncovered * state.current_cost, currency)
    return value
