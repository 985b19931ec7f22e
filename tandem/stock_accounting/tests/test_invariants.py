"""After any sequence of receipts (some back-dated, some without a cost), shipments, adjustments, customer
returns, transfers and cost corrections: every entry balances, the inventory accounts' balance equals the stock
value at every date to the cent, and cost of goods sold equals the cost of what was shipped less what came back."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.finance import services as finance
from tandem.finance.models import EntryLine
from tandem.stock import services
from tandem.stock.models import Location, StockMove, Warehouse
from tandem.stock.valuation import services as valuation
from tandem.stock_accounting.queries import reconciliation

START = datetime.date(2026, 1, 1)
_sku = itertools.count()

quantities = st.integers(1, 40).map(Decimal) | st.decimals("0.001", "30", places=3)
costs = st.decimals("0.01", "99.99", places=2) | st.decimals("0.000001", "5", places=6)
days = st.integers(0, 60)
sides = st.integers(0, 1)
operation = st.one_of(
    st.tuples(st.just("receipt"), days, quantities, costs | st.none(), sides),
    st.tuples(st.just("ship"), days, quantities, st.none(), sides),
    st.tuples(st.just("adjust"), days, quantities, st.sampled_from([-1, 1]).map(Decimal), sides),
    st.tuples(st.just("return"), days, quantities, costs | st.none(), sides),
    st.tuples(st.just("transfer"), days, quantities, st.none(), sides),
    st.tuples(st.just("correct"), days, st.integers(0, 20).map(Decimal), costs, sides),
)


@pytest.fixture(params=["average", "fifo"])
def world(request, make_user):
    accountant = make_user("Accountant", username="books")
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR", is_default=True,
                                         valuation_method=request.param)
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=START, by=accountant)
    shelves = []
    for code in ("A", "B"):
        warehouse = Warehouse.objects.create(company=company, code=code, name=code, allow_negative=True)
        shelves.append(Location.objects.create(warehouse=warehouse, code="1", is_default=True))
    return company, shelves, Unit.objects.create(code="pc", name="piece")


def _net(company, code: str, **filters) -> Decimal:
    sums = EntryLine.objects.filter(company=company, account__code=code, **filters).aggregate(
        debit=Sum("debit"), credit=Sum("credit"))
    return (sums["debit"] or Decimal(0)) - (sums["credit"] or Decimal(0))


def _run(company, shelves, unit, ops):
    product = Product.objects.create(sku=f"P{next(_sku)}", name="Thing", unit=unit)
    receipts, shipments = [], []
    for kind, day, q, extra, side in ops:
        date = START + datetime.timedelta(days=day)
        here, there = shelves[side], shelves[1 - side]
        if kind == "correct":
            if receipts:
                valuation.correct_cost(receipts[int(q) % len(receipts)], unit_cost=extra, by=None,
                                       effective_date=date)
        elif kind == "receipt":
            move = services.record_move(product=product, quantity=q, kind=StockMove.Kind.RECEIPT, to_location=here,
                                        effective_date=date, unit_cost=extra, by=None)
            if extra is not None:
                receipts.append(move)
        elif kind == "ship":
            shipments.append(services.record_move(product=product, quantity=q, kind=StockMove.Kind.SHIPMENT,
                                                  from_location=here, effective_date=date, by=None))
        elif kind == "adjust":
            services.adjust_stock(product=product, location=here, quantity=q * extra, reason="Counted",
                                  effective_date=date, by=None)
        elif kind == "return" and extra is None and shipments:  # of an earlier shipment: follows its cost
            shipped = shipments[int(day) % len(shipments)]
            services.record_move(product=product, quantity=min(q, shipped.quantity), kind=StockMove.Kind.RETURN,
                                 to_location=here, effective_date=max(date, shipped.effective_date),
                                 cost_source=shipped, by=None)
        elif kind == "return":
            services.record_move(product=product, quantity=q, kind=StockMove.Kind.RETURN, to_location=here,
                                 effective_date=date, unit_cost=extra, by=None)
        else:
            services.record_move(product=product, quantity=q, kind=StockMove.Kind.TRANSFER, from_location=here,
                                 to_location=there, effective_date=date, by=None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=20), probes=st.lists(st.integers(-1, 62), max_size=4))
def test_the_ledger_follows_the_stock_value_to_the_cent(world, ops, probes):
    company, shelves, unit = world
    with transaction.atomic():  # each example starts from the same empty ledger
        _run(company, shelves, unit, ops)

        unbalanced = (EntryLine.objects.filter(company=company).values("entry")
                      .annotate(debit=Sum("debit"), credit=Sum("credit")).order_by())
        assert all(row["debit"] == row["credit"] for row in unbalanced)
        for day in [62, *probes]:
            state = reconciliation(company, START + datetime.timedelta(days=day))
            assert state.pending_count == 0
            assert state.inventory_balance == state.stock_value, day
        moves = StockMove.objects.filter(company=company)
        shipped = moves.filter(kind=StockMove.Kind.SHIPMENT).aggregate(total=Sum("value"))["total"] or Decimal(0)
        returned = moves.filter(kind=StockMove.Kind.RETURN).aggregate(total=Sum("value"))["total"] or Decimal(0)
        assert _net(company, "5000") == shipped - returned
        adjusted_out = moves.filter(kind=StockMove.Kind.ADJUSTMENT, from_location__isnull=False) \
            .aggregate(total=Sum("value"))["total"] or Decimal(0)
        adjusted_in = moves.filter(kind=StockMove.Kind.ADJUSTMENT, to_location__isnull=False) \
            .aggregate(total=Sum("value"))["total"] or Decimal(0)
        assert _net(company, "5100") == adjusted_out - adjusted_in
        transaction.set_rollback(True)
