"""The story of one production order, costed to the cent and followed in the books.

Legs are bought at 2.40 and 2.60 (average 2.50), tops at 40.00. An order for 4 tables (2 per run: 8 legs with
5 % scrap, 2 tops; 15 minutes set-up + 30 minutes per run of the BOM at 30.00 an hour) is confirmed — its
components reserved, its standard cost fixed — then started; 17 legs (one more than needed) and 4 tops are
consumed, 80 minutes booked; 2 tables are produced, then 1 more with 1 scrapped; the order is finished."""

import datetime
from decimal import Decimal

import pytest

from tandem.production import services
from tandem.production.models import ProductionOrderOutput
from tandem.production.tests.conftest import balance, buy
from tandem.stock.models import StockMove, WarehouseStock
from tandem.stock.valuation.queries import value_at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 7)


def stock(product, warehouse):
    row = WarehouseStock.objects.filter(product=product, warehouse=warehouse).first()
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))


def test_an_order_from_purchase_to_finished_goods_at_actual_cost(ledger, admin_user, table, leg, top, table_bom,
                                                                 warehouse, shelf):
    buy(leg, 10, "2.40", shelf)
    buy(leg, 10, "2.60", shelf)
    buy(top, 4, "40.00", shelf)
    order = services.create_production_order(product=table, quantity=4, by=admin_user, planned_start=DAY)
    legs, tops = order.components.order_by("position")
    assert legs.required_quantity == Decimal("16.8422")  # 16 / 0.95, rounded up

    order = services.confirm_production_order(order, by=admin_user)
    # 16.8422 × 2.50 + 4 × 40.00 + (15 + 30 × 4) minutes × 30.00 / 60 = 42.1055 + 160 + 67.50
    assert order.standard_cost == Decimal("269.61")
    assert stock(leg, warehouse) == (Decimal(20), Decimal("16.8422"))
    assert stock(top, warehouse) == (Decimal(4), Decimal(4))
    assert stock(table, warehouse)[0] == 0 and WarehouseStock.objects.get(product=table).incoming == 4

    order = services.start_production_order(order, by=admin_user)
    order = services.consume_components(order, by=admin_user, effective_date=DAY, lines=[
        services.Consumption(legs, Decimal(17)), services.Consumption(tops, Decimal(4))])
    assert order.material_cost == Decimal("202.50")  # 17 × 2.50 + 4 × 40.00
    assert stock(leg, warehouse) == (Decimal(3), Decimal(0))  # the one extra leg took nothing held for others
    operation = order.operations.get()
    order = services.book_operation(order, operation=operation, minutes=80, by=admin_user, effective_date=DAY)
    assert order.operation_cost == Decimal("40.00")
    assert balance(ledger, "1220") == Decimal("242.50")  # components and time sit in work in progress
    assert balance(ledger, "5210") == Decimal("-40.00")

    order = services.produce_output(order, quantity=2, by=admin_user, effective_date=DAY)
    assert order.output_value == Decimal("121.25")  # half of the order: half of what was in progress
    order = services.produce_output(order, quantity=1, scrap=1, by=admin_user, effective_date=DAY)
    # the last part: what is left (121.25) is split between the good table and the scrapped one
    assert order.output_value == Decimal("181.88") and order.written_off == Decimal("60.62")
    assert list(order.outputs.values_list("kind", "quantity")) == [
        ("finished", Decimal(2)), ("finished", Decimal(1)), ("scrap", Decimal(1))]

    order = services.finish_production_order(order, by=admin_user, effective_date=DAY)
    assert order.status == "done"
    assert order.actual_cost == Decimal("242.50")
    # actual − standard of the 3 made: 242.50 − 269.61 / 4 × 3
    assert order.variance == Decimal("40.29")
    assert order.work_in_progress == 0
    assert balance(ledger, "1220") == 0  # nothing stays in work in progress
    assert balance(ledger, "5200") == Decimal("60.62")  # the scrapped table
    table_value = value_at(table, warehouse, DAY)
    assert table_value.quantity == 3 and table_value.value == Decimal("181.88")
    inventory = balance(ledger, "1200") + balance(ledger, "1210") + balance(ledger, "1230")
    stock_value = sum((value_at(p, warehouse, DAY).value for p in (leg, top, table)), Decimal(0))
    assert inventory == stock_value == Decimal("189.38")  # 3 legs × 2.50 + 181.88
    assert WarehouseStock.objects.get(product=table).incoming == 0
    kinds = set(StockMove.objects.filter(origin_id=order.pk).values_list("kind", flat=True))
    assert kinds == {"consumption", "production"}
    assert ProductionOrderOutput.objects.filter(order=order, kind="scrap").get().quantity == 1


def test_every_entry_balances(ledger, admin_user, table, leg, top, table_bom, warehouse, shelf):
    from tandem.finance.models import Entry

    buy(leg, 20, "2.50", shelf)
    buy(top, 4, "40", shelf)
    order = services.create_production_order(product=table, quantity=2, by=admin_user, planned_start=DAY)
    order = services.start_production_order(services.confirm_production_order(order, by=admin_user), by=admin_user)
    legs, tops = order.components.order_by("position")
    order = services.consume_components(order, by=admin_user, effective_date=DAY, lines=[
        services.Consumption(legs, Decimal(3)), services.Consumption(legs, Decimal("5.4211")),
        services.Consumption(tops, Decimal(2))])
    order = services.book_operation(order, operation=order.operations.get(), minutes=7, by=admin_user,
                                    effective_date=DAY)
    order = services.produce_output(order, quantity=1, by=admin_user, effective_date=DAY)
    order = services.finish_production_order(order, by=admin_user, effective_date=DAY)
    for entry in Entry.objects.prefetch_related("lines"):
        assert sum(line.debit for line in entry.lines.all()) == sum(line.credit for line in entry.lines.all())
    assert balance(ledger, "1220") == 0
    # made 1 of 2: the other half of the costs is a loss in production variances
    assert order.written_off == order.actual_cost - order.output_value
    assert balance(ledger, "5200") == order.written_off > 0
