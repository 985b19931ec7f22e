"""SQL statements per step of the quote → order → reservation → shipment flow (bench/sales_flow.py runs the same
steps), so that a change adding a query per line or a re-read after a lock shows up here.

Three lines of stocked goods priced from a price list, a user with the Sales manager and Warehouse roles loaded
afresh for every step as a request loads it. Transaction statements (BEGIN, SAVEPOINT, RELEASE) are counted
apart: each step runs in exactly one transaction (in a test, the service's block is one savepoint inside the
test's transaction) — a nested atomic() adding a SAVEPOINT per line is a regression too. The first flow warms
the caches (content types, the user's permissions), as the first requests of a server process do."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from tandem.catalog.models import PriceList, PriceListItem, Product
from tandem.core import roles
from tandem.core.tests.factories import UserFactory
from tandem.sales.models import Order
from tandem.sales.services import orders, quotes, shipments
from tandem.stock import services as stock_services
from tandem.stock.models import Reservation, StockMove, WarehouseStock

# Statements per step other than transaction control; see the module docstring.
EXPECTED = {
    "quote": 9,  # legal entity, counterparty; quote; price groups, the 3 products; their prices; lines; totals; audit
    "send": 4,  # lines exist; lock; status + version; audit
    "accept": 9,  # lock; status + version; audit; warehouse; order; number; quote lines; order lines; audit
    # lock order + lines; status + version; audit; the client's credit limit (finance); the stock rows locked,
    # written; reservations; lines
    "confirm": 9,
    "shipment": 8,  # lock order + lines; open shipments; location; shipment; number; lines; audit
    "pick": 3,  # lock; status + version; audit
    "pack": 3,
    # locks; status; audit; lines; for all lines at once: stock rows locked, levels, reservations read, deleted,
    # stock rows and levels written, last valuation entry of each pool, moves, valuation entries; the ledger's
    # stock journal and the stock postings (pending here: no ledger; stock_accounting); lines; order
    "ship": 21,
}
TRANSACTION_STATEMENTS = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


class Counter:
    def __init__(self):
        self.statements = 0
        self.transaction_statements = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(TRANSACTION_STATEMENTS):
            self.transaction_statements.append(sql.split()[0].upper())
        else:
            self.statements += 1
        return execute(sql, params, many, context)


@pytest.fixture
def flow(company, warehouse, shelf, piece, counterparty, client_of_rep):
    user = UserFactory(role=roles.SALES_MANAGER, username="flow-manager")
    user.groups.add(Group.objects.get(name=roles.WAREHOUSE))
    price_list = PriceList.objects.create(name="Flow EUR", currency="EUR")
    goods = []
    for sku, price in (("FLOW-PUMP", "120"), ("FLOW-VALVE", "35"), ("FLOW-HOSE", "9.90")):
        good = Product.objects.create(sku=sku, name=sku.title(), unit=piece)
        PriceListItem.objects.create(price_list=price_list, product=good, unit_price=Decimal(price))
        stock_services.record_move(product=good, quantity=Decimal(1000), kind=StockMove.Kind.RECEIPT,
                                   to_location=shelf, effective_date=datetime.date(2026, 1, 5),
                                   unit_cost=Decimal(5), by=None)
        goods.append(good)
    return user, client_of_rep, counterparty, goods


def run_flow(user, client, counterparty, goods) -> tuple[dict, dict, object]:
    counts, transactions = {}, {}
    user_model = type(user)
    doc = None
    steps = [
        ("quote", lambda by, doc: quotes.create_quote(by=by, client=client, counterparty=counterparty, lines=[
            {"product": good, "quantity": Decimal(n)} for good, n in zip(goods, (2, 4, 10), strict=True)])),
        ("send", lambda by, doc: quotes.send_quote(doc, by=by)),
        ("accept", lambda by, doc: quotes.accept_quote(doc, by=by)),
        ("confirm", lambda by, doc: orders.confirm_order(doc, by=by)),
        ("shipment", lambda by, doc: shipments.create_shipment(doc, by=by)),
        ("pick", lambda by, doc: shipments.pick_shipment(doc, by=by)),
        ("pack", lambda by, doc: shipments.pack_shipment(doc, by=by)),
        ("ship", lambda by, doc: shipments.ship_shipment(doc, by=by, carrier="DHL", tracking_number="T1")),
    ]
    for name, step in steps:
        by = user_model.objects.get(pk=user.pk)  # a request's user: permissions come from the cache
        counter = Counter()
        with connection.execute_wrapper(counter):
            doc = step(by, doc)
        counts[name] = counter.statements
        transactions[name] = counter.transaction_statements
    return counts, transactions, doc


@pytest.mark.django_db
def test_statements_per_step_of_the_sales_flow(flow, warehouse):
    user, client, counterparty, goods = flow
    run_flow(user, client, counterparty, goods)  # warm-up
    counts, transactions, shipment = run_flow(user, client, counterparty, goods)

    assert counts == EXPECTED
    # One transaction per step: one BEGIN (or, inside the test's transaction, one SAVEPOINT and its RELEASE).
    for name, statements in transactions.items():
        opened = [s for s in statements if s in ("BEGIN", "SAVEPOINT")]
        assert len(opened) == 1, (name, statements)
    # And the flow did what it should: shipped, nothing left reserved, three valued moves.
    order = Order.objects.get(pk=shipment.order_id)
    assert order.status == Order.Status.SHIPPED
    assert not Reservation.objects.filter(product__in=goods).exists()
    assert sum(WarehouseStock.objects.filter(product__in=goods, warehouse=warehouse)
               .values_list("reserved", flat=True)) == 0
    moves = StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, origin_id__in=order.lines.values("pk"))
    assert moves.count() == 3
    assert all(move.value == move.quantity * 5 for move in moves)
