"""Reads of bills of materials: the multi-level explosion of a product × quantity on a date with its
standard cost roll-up, and where-used (which BOMs use a component, up the levels).

Quantities and costs are computed exactly (fractions.Fraction: 1 / (1 − 5 %) has no finite decimal) and
rounded only when shown: quantities up to the stored precision (4 places, rounding up, as production orders
plan them), money to the base currency.

- **Explosion**: the top product's BOM in force on the date; each line needs
  parent quantity × line quantity / (1 − scrap %) / BOM quantity of its component. A component with a BOM in
  force on the date is made (exploded further); one without is bought (a leaf). Scrap multiplies through the
  levels. Each level costs three queries (the BOMs in force of that level's products, their lines, their
  operations), plus one for the leaves' costs: a 3-level BOM is exploded in a bounded number of queries.
- **Standard cost**: a bought component at its unit cost in stock valuation (the latest valuation entry of the
  product on or before the date, any warehouse: moving average or the last FIFO layer), else what an upper
  module offers through the AppConfig hook `standard_costs(product_ids, on_date)` (a list of
  (product_id, unit cost in the base currency); production never names purchasing), else unknown (0, listed
  in `missing_costs`). A made component costs its own roll-up. Operations: (set-up + minutes per unit ×
  quantity / BOM quantity, as production orders plan them) / 60 × the work centre's hourly cost.
- **Where used**: the live BOM versions whose lines name the product, then those using their products, up to
  the top (one query per level)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal, localcontext
from fractions import Fraction

from django.db.models import OuterRef, Q, Subquery

from tandem.catalog.models import Product
from tandem.production.models import Bom, BomLine, BomOperation

MAX_LEVELS = 30  # services refuse cycles; this only bounds a damaged structure
QUANTUM = Decimal("0.0001")


def as_decimal(value: Fraction, places: int = 4, rounding=ROUND_UP) -> Decimal:
    """A fraction shown with `places` decimals (quantities round up: never plan less than needed)."""
    value = value if isinstance(value, Fraction) else Fraction(value)
    with localcontext() as context:
        context.prec = 1000  # deep structures of large quantities: never an InvalidOperation
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def _gross_factor(line: BomLine) -> Fraction:
    """Quantity needed per unit of the BOM's output, scrap included."""
    return Fraction(line.quantity) * 100 / (100 - Fraction(line.scrap_percent))


@dataclass
class OperationCost:
    bom_id: int
    product: Product
    level: int
    name: str
    work_centre: object
    minutes: Fraction
    cost: Fraction


@dataclass
class ExplosionRow:
    """One component occurrence in the tree: `level` 1 are the top product's components."""

    level: int
    path: tuple[int, ...]          # product ids from the top product down to this component
    line: BomLine
    product: Product
    quantity: Fraction             # needed for the whole top quantity, scrap of every level included
    bom: Bom | None = None         # the component's own BOM in force (None: bought)
    unit_cost: Fraction | None = None
    cost: Fraction = Fraction(0)   # quantity × unit cost (bought) or the roll-up of its own BOM (made)
    children: list[ExplosionRow] = field(default_factory=list)

    @property
    def is_made(self) -> bool:
        return self.bom is not None

    @property
    def quantity_shown(self) -> Decimal:
        return as_decimal(self.quantity)

    @property
    def indent(self) -> int:
        return self.level - 1


@dataclass
class Explosion:
    product: Product
    quantity: Fraction
    on_date: datetime.date
    bom: Bom | None
    rows: list[ExplosionRow]                 # depth first, in position order (the tree, flattened)
    operations: list[OperationCost]
    material_cost: Fraction = Fraction(0)
    operation_cost: Fraction = Fraction(0)
    missing_costs: list[Product] = field(default_factory=list)
    levels: int = 0

    @property
    def total_cost(self) -> Fraction:
        return self.material_cost + self.operation_cost

    @property
    def unit_cost(self) -> Fraction:
        return self.total_cost / self.quantity if self.quantity else Fraction(0)

    def leaves(self) -> dict[int, Fraction]:
        """Bought components: product id → total quantity needed (summed over every path)."""
        totals: dict[int, Fraction] = {}
        for row in self.rows:
            if not row.is_made:
                totals[row.product.pk] = totals.get(row.product.pk, Fraction(0)) + row.quantity
        return totals


def boms_in_force(product_ids, on_date: datetime.date) -> dict[int, Bom]:
    """product id → its BOM version in force on the date (one query for any number of products)."""
    found: dict[int, Bom] = {}
    rows = (Bom.objects.filter(product_id__in=list(product_ids), is_archived=False, valid_from__lte=on_date)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
            .order_by("product_id", "-valid_from", "-id"))
    for bom in rows:
        found.setdefault(bom.product_id, bom)
    return found


def standard_costs(product_ids, on_date: datetime.date) -> dict[int, Fraction]:
    """Unit cost in the base currency of bought products: stock valuation's cost on or before the date, else
    an upper module's (AppConfig hook `standard_costs`). Products with neither are left out."""
    from tandem.stock.valuation.models import ValuationEntry

    ids = list(product_ids)
    if not ids:
        return {}
    last = (ValuationEntry.objects.filter(product_id=OuterRef("pk"), effective_date__lte=on_date)
            .order_by("-effective_date", "-move_id").values("current_cost")[:1])
    costs = {pk: Fraction(cost) for pk, cost in Product.objects.filter(pk__in=ids).annotate(cost=Subquery(last))
             .values_list("pk", "cost") if cost is not None}
    missing = [pk for pk in ids if pk not in costs]
    if missing:
        from tandem.core.modules import collect

        for product_id, cost in collect("standard_costs", missing, on_date):
            if product_id in missing and product_id not in costs and cost is not None:
                costs[product_id] = Fraction(cost)
    return costs


def explode(product, quantity=1, on_date: datetime.date | None = None, *, bom: Bom | None = None) -> Explosion:
    """The multi-level explosion of `quantity` of `product` with its BOM in force on `on_date` (or `bom`),
    with the standard cost roll-up. Level by level: three queries a level and one for the costs."""
    on_date = on_date or datetime.date.today()
    quantity = Fraction(Decimal(str(quantity)))
    top_bom = bom or boms_in_force([product.pk], on_date).get(product.pk)
    result = Explosion(product=product, quantity=quantity, on_date=on_date, bom=top_bom, rows=[], operations=[])
    if top_bom is None:
        return result
    # A node is one made item in the tree: (its BOM, the quantity of it needed, its level, its row or None).
    frontier: list[tuple[Bom, Fraction, int, ExplosionRow | None, tuple[int, ...]]] = [
        (top_bom, quantity, 0, None, (product.pk,))]
    top_rows: list[ExplosionRow] = []
    made: list[tuple[ExplosionRow | None, list[OperationCost]]] = []
    while frontier and len(made) < 100_000:
        level = frontier[0][2] + 1
        if level > MAX_LEVELS:
            break
        bom_ids = {node[0].pk for node in frontier}
        lines_of: dict[int, list[BomLine]] = {}
        for line in (BomLine.objects.filter(bom_id__in=bom_ids).select_related("component__unit")
                     .order_by("bom_id", "position", "id")):
            lines_of.setdefault(line.bom_id, []).append(line)
        operations_of: dict[int, list[BomOperation]] = {}
        for operation in (BomOperation.objects.filter(bom_id__in=bom_ids).select_related("work_centre")
                          .order_by("bom_id", "sequence", "id")):
            operations_of.setdefault(operation.bom_id, []).append(operation)
        component_ids = {line.component_id for lines in lines_of.values() for line in lines}
        their_boms = boms_in_force(component_ids, on_date) if component_ids else {}
        next_frontier = []
        for node_bom, needed, node_level, node_row, path in frontier:
            operations = []
            for operation in operations_of.get(node_bom.pk, []):
                # Minutes per unit made: the set-up once, then each unit of what this level makes.
                minutes = Fraction(operation.setup_minutes) + Fraction(operation.minutes_per_unit) * needed
                operations.append(OperationCost(
                    bom_id=node_bom.pk, product=node_row.product if node_row else product, level=node_level,
                    name=operation.name, work_centre=operation.work_centre, minutes=minutes,
                    cost=minutes / 60 * Fraction(operation.work_centre.hourly_cost)))
            made.append((node_row, operations))
            children = node_row.children if node_row is not None else top_rows
            for line in lines_of.get(node_bom.pk, []):
                row = ExplosionRow(level=level, path=(*path, line.component_id), line=line, product=line.component,
                                   quantity=needed * _gross_factor(line) / Fraction(node_bom.quantity))
                own = their_boms.get(line.component_id)
                if own is not None and line.component_id not in path:
                    row.bom = own
                    next_frontier.append((own, row.quantity, level, row, row.path))
                children.append(row)
        frontier = next_frontier
        result.levels = level
    _flatten(top_rows, result.rows)
    _roll_up(result, made)
    return result


def _flatten(rows: list[ExplosionRow], into: list[ExplosionRow]) -> None:
    for row in rows:
        into.append(row)
        _flatten(row.children, into)


def _roll_up(result: Explosion, made) -> None:
    leaves = {row.product.pk for row in result.rows if not row.is_made}
    costs = standard_costs(leaves, result.on_date)
    missing = set()
    for row in result.rows:
        if not row.is_made:
            row.unit_cost = costs.get(row.product.pk)
            if row.unit_cost is None:
                missing.add(row.product.pk)
            row.cost = row.quantity * (row.unit_cost or 0)
    operation_cost_of: dict[int, Fraction] = {}
    for node_row, operations in made:
        result.operations.extend(operations)
        operation_cost_of[id(node_row)] = sum((op.cost for op in operations), Fraction(0))
    # Made rows cost their children plus their own operations, deepest first.
    for row in sorted((r for r in result.rows if r.is_made), key=lambda r: -r.level):
        row.cost = sum((child.cost for child in row.children), Fraction(0)) + operation_cost_of.get(id(row), 0)
        row.unit_cost = row.cost / row.quantity
    result.operation_cost = sum((op.cost for op in result.operations), Fraction(0))
    result.material_cost = sum((row.cost for row in result.rows if not row.is_made), Fraction(0))
    result.missing_costs = sorted({row.product for row in result.rows if row.product.pk in missing},
                                  key=lambda p: p.sku)
    result.operations.sort(key=lambda op: (op.level, op.bom_id))


# --- Where used ------------------------------------------------------------------------------------------------

@dataclass
class UsedIn:
    level: int          # 1: a BOM naming the product directly; 2: a BOM naming that BOM's product, …
    bom: Bom
    line: BomLine
    via: Product        # the component the line names (the product itself at level 1)


def where_used(product, *, include_archived: bool = False, on_date: datetime.date | None = None) -> list[UsedIn]:
    """The BOM versions using `product`, then those using their products, up to the top: one query per level.
    `on_date`: only versions in force on that date."""
    found: list[UsedIn] = []
    seen_products = {product.pk}
    frontier = {product.pk}
    level = 0
    while frontier and level < MAX_LEVELS:
        level += 1
        lines = BomLine.objects.filter(component_id__in=frontier).select_related("bom__product__unit",
                                                                                 "component__unit")
        if not include_archived:
            lines = lines.filter(bom__is_archived=False)
        if on_date is not None:
            lines = lines.filter(bom__valid_from__lte=on_date).filter(
                Q(bom__valid_to__isnull=True) | Q(bom__valid_to__gte=on_date))
        next_frontier = set()
        for line in lines.order_by("bom__product__sku", "-bom__valid_from", "bom_id", "position"):
            found.append(UsedIn(level=level, bom=line.bom, line=line, via=line.component))
            if line.bom.product_id not in seen_products:
                next_frontier.add(line.bom.product_id)
        seen_products |= next_frontier
        frontier = next_frontier
    return found
