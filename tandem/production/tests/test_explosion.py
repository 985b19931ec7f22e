"""Multi-level explosion, standard cost roll-up and where-used (bom_queries)."""

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Product
from tandem.production import bom_queries
from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre
from tandem.stock.services import receive_stock

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
COUNTER = itertools.count()
JAN = datetime.date(2026, 1, 1)


def _product(sku, unit):
    return Product.objects.create(sku=sku, name=sku.title(), unit=unit)


def _bom(product, lines, *, quantity=1, operations=()):
    bom = Bom.objects.create(product=product, code="v1", quantity=Decimal(quantity), valid_from=JAN)
    for position, (component, qty, scrap) in enumerate(lines, start=1):
        BomLine.objects.create(bom=bom, position=position, component=component, quantity=Decimal(qty),
                               scrap_percent=Decimal(scrap))
    for sequence, (centre, per_unit, setup) in enumerate(operations, start=1):
        BomOperation.objects.create(bom=bom, sequence=sequence * 10, name=f"Op {sequence}", work_centre=centre,
                                    minutes_per_unit=Decimal(per_unit), setup_minutes=Decimal(setup))
    return bom


@pytest.fixture
def furniture(piece, company):
    """set → 1 table + 4 chairs; table → 1 top + 4 legs (5 % scrap); top → 3 boards (10 % scrap);
    chair → 4 legs + 1 board; boards and legs are bought."""
    cut = WorkCentre.objects.create(company=company, code="CUT", name="Cutting", hourly_cost=Decimal("60"))
    asm = WorkCentre.objects.create(company=company, code="ASM", name="Assembly", hourly_cost=Decimal("30"))
    p = {sku: _product(sku, piece) for sku in ("SET", "TABLE", "CHAIR", "TOP", "LEG", "BOARD")}
    _bom(p["SET"], [(p["TABLE"], 1, 0), (p["CHAIR"], 4, 0)], operations=[(asm, 10, 5)])
    _bom(p["TABLE"], [(p["TOP"], 1, 0), (p["LEG"], 4, 5)], operations=[(asm, 30, 15)])
    _bom(p["TOP"], [(p["BOARD"], 3, 10)], operations=[(cut, 20, 30)])
    _bom(p["CHAIR"], [(p["LEG"], 4, 0), (p["BOARD"], 1, 0)], quantity=2, operations=[(asm, 12, 0)])
    return p


def test_quantities_multiply_through_the_levels_with_scrap(furniture):
    explosion = bom_queries.explode(furniture["SET"], 2, DAY)

    assert explosion.levels == 3
    shown = [(row.level, row.product.sku, row.quantity) for row in explosion.rows]
    assert shown == [
        (1, "TABLE", Fraction(2)),
        (2, "TOP", Fraction(2)),
        (3, "BOARD", Fraction(2) * 3 / Fraction("0.9")),       # 6.6667: scrap of the top's boards
        (2, "LEG", Fraction(2) * 4 / Fraction("0.95")),        # 8.4211
        (1, "CHAIR", Fraction(8)),
        (2, "LEG", Fraction(8) * 4 / 2),                       # a chair BOM makes two chairs
        (2, "BOARD", Fraction(8) * 1 / 2),
    ]
    assert explosion.leaves() == {furniture["BOARD"].pk: Fraction(20, 3) + 4,
                                  furniture["LEG"].pk: Fraction(160, 19) + 16}
    assert explosion.rows[2].quantity_shown == Decimal("6.6667")


def test_the_cost_roll_up_is_exact(furniture, warehouse, shelf, admin_user):
    receive_stock(product=furniture["BOARD"], location=shelf, quantity=Decimal(10), unit_cost=Decimal("12.30"),
                  by=admin_user, effective_date=JAN)
    receive_stock(product=furniture["LEG"], location=shelf, quantity=Decimal(10), unit_cost=Decimal("4.10"),
                  by=admin_user, effective_date=JAN)

    explosion = bom_queries.explode(furniture["SET"], 2, DAY)

    boards = Fraction(20, 3) + 4
    legs = Fraction(160, 19) + 16
    assert explosion.material_cost == boards * Fraction("12.30") + legs * Fraction("4.10")
    # Minutes per unit made: set (5 + 10×2) at 30/h; table (15 + 30×2) at 30/h; top (30 + 20×2) at 60/h;
    # chair 12 × 8 chairs at 30/h (its BOM makes two a run: the minutes are still per chair)
    minutes = {("SET", "ASM"): 25, ("TABLE", "ASM"): 75, ("TOP", "CUT"): 70, ("CHAIR", "ASM"): 96}
    assert {(op.product.sku, op.work_centre.code): op.minutes for op in explosion.operations} == minutes
    operation_cost = Fraction(25 + 75 + 96, 60) * 30 + Fraction(70, 60) * 60
    assert explosion.operation_cost == operation_cost
    assert explosion.total_cost == explosion.material_cost + operation_cost
    table_row = explosion.rows[0]
    assert table_row.cost == (Fraction(2) * 3 / Fraction("0.9") * Fraction("12.30")
                              + Fraction(2) * 4 / Fraction("0.95") * Fraction("4.10")
                              + Fraction(75, 60) * 30 + Fraction(70, 60) * 60)
    assert explosion.missing_costs == []


def test_a_component_without_a_cost_is_named(furniture):
    explosion = bom_queries.explode(furniture["TABLE"], 1, DAY)
    assert [p.sku for p in explosion.missing_costs] == ["BOARD", "LEG"]


def test_the_date_chooses_the_versions(furniture, piece):
    table = furniture["TABLE"]
    Bom.objects.filter(product=table).update(valid_to=datetime.date(2026, 12, 31))
    steel = _product("STEEL-LEG", piece)
    _bom_v2 = Bom.objects.create(product=table, code="v2", valid_from=datetime.date(2027, 1, 1))
    BomLine.objects.create(bom=_bom_v2, component=steel, quantity=Decimal(4))

    assert [r.product.sku for r in bom_queries.explode(table, 1, DAY).rows] == ["TOP", "BOARD", "LEG"]
    assert [r.product.sku for r in bom_queries.explode(table, 1, datetime.date(2027, 2, 1)).rows] == ["STEEL-LEG"]
    assert bom_queries.explode(furniture["BOARD"], 1, DAY).rows == []


def test_a_three_level_explosion_takes_a_bounded_number_of_queries(furniture, piece):
    bom_queries.explode(furniture["SET"], 1, DAY)  # warms the module switches' cache
    with CaptureQueriesContext(connection) as few:
        bom_queries.explode(furniture["SET"], 1, DAY)
    # Widen every level: more components, same number of queries.
    extra = [_product(f"PART-{i}", piece) for i in range(6)]
    for bom in Bom.objects.all():
        for part in extra:
            BomLine.objects.create(bom=bom, component=part, quantity=Decimal(1))
    with CaptureQueriesContext(connection) as many:
        explosion = bom_queries.explode(furniture["SET"], 1, DAY)
    assert len(explosion.rows) > 30
    assert len(many) == len(few) <= 3 * 4 + 2


def test_where_used_goes_up_the_levels(furniture):
    used = bom_queries.where_used(furniture["BOARD"])
    assert [(u.level, u.bom.product.sku) for u in used] == [
        (1, "CHAIR"), (1, "TOP"), (2, "SET"), (2, "TABLE"), (3, "SET")]
    assert [u.bom.product.sku for u in bom_queries.where_used(furniture["SET"])] == []


@st.composite
def structures(draw):
    """A random tree of up to 3 levels below a top product: per node 1–3 children with quantity and scrap."""
    def node(depth):
        if depth == 3 or (depth > 0 and draw(st.booleans())):
            return []
        return [(draw(st.decimals(min_value="0.0001", max_value="50", places=4)),
                 draw(st.decimals(min_value="0", max_value="99.9999", places=4)),
                 node(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
    quantity_made = draw(st.decimals(min_value="0.5", max_value="10", places=2))
    return quantity_made, node(0), draw(st.decimals(min_value="0.0001", max_value="1000", places=4))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(structure=structures())
def test_a_leaf_needs_the_product_of_quantities_and_yields_along_its_paths(piece, structure):
    quantity_made, tree, wanted = structure
    counter = COUNTER
    expected: dict[int, Fraction] = {}

    def build(product, children, factor, made):
        bom = Bom.objects.create(product=product, code="v1", valid_from=JAN, quantity=made)
        for quantity, scrap, grandchildren in children:
            component = _product(f"P-{next(counter)}-{product.pk}", piece)
            BomLine.objects.create(bom=bom, component=component, quantity=quantity, scrap_percent=scrap)
            path = factor * Fraction(quantity) / (1 - Fraction(scrap) / 100) / Fraction(made)
            if grandchildren:
                build(component, grandchildren, path, Decimal(1))
            else:
                expected[component.pk] = expected.get(component.pk, Fraction(0)) + path

    top = _product(f"TOP-{next(counter)}", piece)
    build(top, tree, Fraction(wanted), quantity_made)
    assert bom_queries.explode(top, wanted, DAY).leaves() == expected
