"""The planning run's arithmetic, in memory and free of the database (services.run_planning feeds it).

Per product and warehouse ("item"), level by level through the BOMs (a product's low-level code is the deepest
place it has in any BOM in force, so every demand on it is known before it is planned):

1. Demands (sales order lines, components of production orders, components of production proposed one level
   up, the minimum + safety stock due today) are taken in date order; dates before today count as today.
2. Supply (on hand, expected receipts, open purchase and production orders) covers them first, whatever its
   date: a late supply is to be hurried, not bought twice. Then the proposals made so far for the item.
3. What is still short becomes a proposal needed on that demand's date, or grows the item's last proposal when
   it is needed within PERIOD_DAYS of it (one order per week rather than one per order line).
4. A purchase is rounded up to the supplier price's minimum quantity, then to its pack size; what the rounding
   adds covers the next demands. It starts its lead time before the need date; a start before today is today,
   flagged late.
5. A proposal to make explodes one level down: each BOM line (scrap included) × quantity / BOM quantity is a
   demand on the component, in the same warehouse, on the day production starts.

Each proposal lists the demands it serves with the quantity of each (pegging)."""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_UP, Decimal

ZERO = Decimal(0)
QUANTUM = Decimal("0.0001")
PERIOD_DAYS = 7
DEFAULT_MAKE_LEAD_DAYS = 1

SALES, COMPONENT, PLANNED, MINIMUM = "sales", "component", "planned", "minimum"
_RANK = {SALES: 0, COMPONENT: 0, PLANNED: 0, MINIMUM: 1}
BUY, MAKE = "purchase", "make"


class BomCycle(Exception):
    def __init__(self, product_ids):
        super().__init__(f"BOM cycle through products {sorted(product_ids)}")
        self.product_ids = sorted(product_ids)


def up(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_UP)


@dataclass
class Demand:
    kind: str
    quantity: Decimal
    date: datetime.date
    sales_line_id: int | None = None
    production_order_id: int | None = None
    parent: Proposal | None = None
    reference: str = ""


@dataclass
class Bom:
    bom_id: int | None
    quantity: Decimal
    lines: list[tuple[int, Decimal]]  # (component id, gross quantity per `quantity` made)


@dataclass
class Price:
    supplier_id: int | None
    currency: str
    unit_price: Decimal | None
    min_quantity: Decimal
    pack_size: Decimal
    lead_time_days: int


@dataclass
class Peg:
    demand: Demand
    quantity: Decimal


@dataclass(eq=False)
class Proposal:
    kind: str
    product_id: int
    warehouse_id: int
    level: int
    need_date: datetime.date
    start_date: datetime.date
    is_late: bool
    net_quantity: Decimal
    quantity: Decimal
    price: Price | None = None
    bom: Bom | None = None
    pegs: list[Peg] = field(default_factory=list)
    pk: int | None = None


@dataclass
class PlanInput:
    today: datetime.date
    on_hand: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    supplies: dict[tuple[int, int], list[tuple[datetime.date, Decimal]]] = field(default_factory=dict)
    demands: dict[tuple[int, int], list[Demand]] = field(default_factory=lambda: defaultdict(list))
    boms: dict[int, Bom] = field(default_factory=dict)
    prices: dict[int, Price] = field(default_factory=dict)
    # (product, warehouse) → (source "auto" | "buy" | "make", make lead time in days)
    params: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)


@dataclass
class PlanResult:
    proposals: list[Proposal]
    levels: dict[int, int]
    items: int
    demands: int


def low_level_codes(boms: dict[int, Bom]) -> dict[int, int]:
    """{product id: deepest level it has in any BOM} (0: never a component). Raises BomCycle."""
    children: dict[int, set[int]] = {parent: {c for c, _q in bom.lines} for parent, bom in boms.items()}
    indegree: dict[int, int] = defaultdict(int)
    nodes = set(children)
    for comps in children.values():
        nodes |= comps
        for comp in comps:
            indegree[comp] += 1
    level = dict.fromkeys(nodes, 0)
    ready = deque(sorted(n for n in nodes if indegree[n] == 0))
    seen = 0
    while ready:
        node = ready.popleft()
        seen += 1
        for comp in children.get(node, ()):
            level[comp] = max(level[comp], level[node] + 1)
            indegree[comp] -= 1
            if indegree[comp] == 0:
                ready.append(comp)
    if seen != len(nodes):
        raise BomCycle([n for n in nodes if indegree[n] > 0])
    return level


def lot_size(quantity: Decimal, price: Price | None) -> Decimal:
    """The supplier's minimum quantity, then whole packs (quantities come in at the stored precision)."""
    if price is None:
        return quantity
    quantity = max(quantity, price.min_quantity)
    if price.pack_size > 0:
        quantity = (quantity / price.pack_size).to_integral_value(rounding=ROUND_CEILING) * price.pack_size
    return quantity


def plan(data: PlanInput) -> PlanResult:
    today = data.today
    levels = low_level_codes(data.boms)
    demands: dict[tuple[int, int], list[Demand]] = defaultdict(list)
    for key, rows in data.demands.items():
        demands[key].extend(rows)
    buckets: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for key in demands:
        buckets[levels.get(key[0], 0)].add(key)
    proposals: list[Proposal] = []
    demand_count = sum(len(rows) for rows in demands.values())
    level = 0
    max_level = max(levels.values(), default=0)
    while level <= max_level:
        for key in sorted(buckets.get(level, ())):
            made = _plan_item(key, level, demands[key], data, today)
            proposals.extend(made)
            for proposal in made:
                if proposal.kind != MAKE:
                    continue
                bom = proposal.bom
                for component_id, gross in bom.lines:
                    quantity = up(gross * proposal.quantity / bom.quantity)
                    if quantity <= 0:
                        continue
                    child = (component_id, key[1])
                    demands[child].append(Demand(PLANNED, quantity, proposal.start_date, parent=proposal))
                    demand_count += 1
                    buckets[levels.get(component_id, 0)].add(child)
        level += 1
    return PlanResult(proposals, levels, len(demands), demand_count)


def _source(key, data: PlanInput) -> tuple[str, int]:
    source, lead = data.params.get(key, ("auto", DEFAULT_MAKE_LEAD_DAYS))
    bom = data.boms.get(key[0])
    if bom is not None and bom.lines and source in ("auto", "make"):
        return MAKE, lead
    return BUY, lead


def _plan_item(key, level, rows: list[Demand], data: PlanInput, today) -> list[Proposal]:
    for demand in rows:
        if demand.date < today:
            demand.date = today
    rows.sort(key=lambda d: (d.date, _RANK[d.kind]))
    supply = data.on_hand.get(key, ZERO) + sum((q for _d, q in data.supplies.get(key, ())), ZERO)
    pool: deque[list] = deque()  # [quantity left, proposal]; existing supply is one anonymous entry
    if supply > 0:
        pool.append([supply, None])
    kind, make_lead = _source(key, data)
    price = data.prices.get(key[0]) if kind == BUY else None
    lead = price.lead_time_days if price is not None else (make_lead if kind == MAKE else 0)
    made: list[Proposal] = []
    for demand in rows:
        remaining = demand.quantity
        while remaining > 0 and pool:
            entry = pool[0]
            take = min(entry[0], remaining)
            entry[0] -= take
            remaining -= take
            if entry[1] is not None:
                entry[1].pegs.append(Peg(demand, take))
            if entry[0] <= 0:
                pool.popleft()
        if remaining <= 0:
            continue
        last = made[-1] if made else None
        if last is not None and (demand.date - last.need_date).days < PERIOD_DAYS:
            wanted = last.quantity + remaining
            last.net_quantity += remaining
            last.quantity = lot_size(wanted, price)
            last.pegs.append(Peg(demand, remaining))
            excess = last.quantity - wanted
            if excess > 0:
                pool.append([excess, last])
            continue
        start = demand.date - datetime.timedelta(days=lead)
        proposal = Proposal(kind, key[0], key[1], level, demand.date, max(start, today), start < today,
                            net_quantity=remaining, quantity=lot_size(remaining, price), price=price,
                            bom=data.boms.get(key[0]) if kind == MAKE else None)
        proposal.pegs.append(Peg(demand, remaining))
        excess = proposal.quantity - remaining
        if excess > 0:
            pool.append([excess, proposal])
        made.append(proposal)
    return made
