"""Production orders along their states: reservations, partial consumption and output, lots, by-products,
cancelling, permissions and stale edits."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.production import services
from tandem.production.tests.conftest import buy
from tandem.stock.models import Lot, Reservation, StockLevel, WarehouseStock

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 7)


def started(product, by, quantity=2):
    order = services.create_production_order(product=product, quantity=quantity, by=by, planned_start=DAY)
    return services.start_production_order(services.confirm_production_order(order, by=by), by=by)


def test_cancel_releases_what_was_reserved_and_the_expected_output(admin_user, table, leg, top, table_bom, shelf):
    buy(leg, 5, "2", shelf)  # short: 8.4211 needed
    buy(top, 10, "40", shelf)
    order = services.create_production_order(product=table, quantity=2, by=admin_user, planned_start=DAY)
    order = services.confirm_production_order(order, by=admin_user)
    held = dict(Reservation.objects.values_list("product__sku", "quantity"))
    assert held == {"LEG-1": Decimal(5), "TOP-1": Decimal(2)}  # as much as there is
    order = services.cancel_production_order(order, by=admin_user)
    assert order.status == "cancelled"
    assert not Reservation.objects.exists()
    assert WarehouseStock.objects.get(product=leg).reserved == 0
    assert WarehouseStock.objects.get(product=table).incoming == 0
    with pytest.raises(ConflictError):
        services.start_production_order(order, by=admin_user)


def test_partial_consumption_uses_the_reservation_and_stock_never_goes_negative(admin_user, table, leg, top,
                                                                                  table_bom, shelf):
    buy(leg, 9, "2", shelf)
    buy(top, 2, "40", shelf)
    order = started(table, admin_user)
    legs, tops = order.components.order_by("position")
    order = services.consume_components(order, by=admin_user, lines=[services.Consumption(legs, Decimal(4))])
    legs.refresh_from_db()
    assert legs.consumed_quantity == 4 and legs.open_quantity == Decimal("4.4211")
    assert WarehouseStock.objects.get(product=leg).reserved == Decimal("4.4211")
    with pytest.raises(ConflictError) as short:
        services.consume_components(order, by=admin_user, lines=[services.Consumption(tops, Decimal(1)),
                                                                 services.Consumption(legs, Decimal(6))])
    assert short.value.code == "insufficient_stock" and short.value.field == "lines.1.quantity"
    tops.refresh_from_db()
    assert tops.consumed_quantity == 0  # nothing of the refused consumption was written
    assert WarehouseStock.objects.get(product=top).on_hand == 2


def test_lots_are_respected_and_the_output_gets_a_new_lot(admin_user, piece, shelf, warehouse, assembly):
    from tandem.production.models import Bom

    flour = Product.objects.create(sku="FLOUR", name="Flour", unit=piece, tracking="lot")
    bread = Product.objects.create(sku="BREAD", name="Bread", unit=piece, tracking="lot")
    crumbs = Product.objects.create(sku="CRUMBS", name="Crumbs", unit=piece)
    bom = Bom.objects.create(product=bread, code="v1", valid_from=datetime.date(2026, 1, 1))
    bom.lines.create(component=flour, quantity=Decimal(2))
    old = Lot.objects.create(product=flour, code="F-OLD", expiry_date=datetime.date(2027, 1, 1))
    new = Lot.objects.create(product=flour, code="F-NEW", expiry_date=datetime.date(2027, 6, 1))
    buy(flour, 3, "1.00", shelf, lot=old)
    buy(flour, 3, "2.00", shelf, lot=new)
    order = started(bread, admin_user, quantity=2)
    (component,) = order.components.all()
    with pytest.raises(BusinessRuleError) as no_lot:
        services.consume_components(order, by=admin_user, lines=[services.Consumption(component, Decimal(1))])
    assert no_lot.value.field == "lines.0.lot"
    with pytest.raises(ConflictError) as too_much:
        services.consume_components(order, by=admin_user,
                                    lines=[services.Consumption(component, Decimal(4), lot=old)])
    assert too_much.value.field == "lines.0.quantity"
    order = services.consume_components(order, by=admin_user, lines=[
        services.Consumption(component, Decimal(3), lot=old), services.Consumption(component, Decimal(1), lot=new)])
    assert StockLevel.objects.get(product=flour, lot=old).on_hand == 0
    assert StockLevel.objects.get(product=flour, lot=new).on_hand == 2
    order = services.produce_output(order, quantity=1, by=admin_user,
                                    by_products=[services.ByProduct(crumbs, Decimal(5), Decimal("0.10"))])
    order = services.produce_output(order, quantity=1, lot_code="B-42", by=admin_user)
    lots = list(StockLevel.objects.filter(product=bread).order_by("lot__code").values_list("lot__code", "on_hand"))
    assert lots == [("B-42", Decimal(1)), (f"{order.number}-1", Decimal(1))]
    assert WarehouseStock.objects.get(product=crumbs).on_hand == 5
    with pytest.raises(ConflictError) as again:
        services.produce_output(order, quantity=1, lot_code="B-42", by=admin_user)
    assert again.value.field == "lot_code"
    # 4 of flour at its average cost (3 × 1.00 + 3 × 2.00) / 6 = 1.50: 6.00; crumbs take 0.50, the loaves 2.75 each
    assert order.material_cost == Decimal("6.00")
    assert list(order.outputs.order_by("id").values_list("kind", "value")) == [
        ("by_product", Decimal("0.50")), ("finished", Decimal("2.75")), ("finished", Decimal("2.75"))]


def test_the_production_role_runs_orders_and_others_only_read(make_user, table, leg, top, table_bom, shelf):
    from tandem.core import roles

    producer = make_user(roles.PRODUCTION, username="producer")
    seller = make_user(roles.SALES_MANAGER, username="seller")
    storekeeper = make_user(roles.WAREHOUSE, username="storekeeper")
    order = services.create_production_order(product=table, quantity=1, by=producer, planned_start=DAY)
    with pytest.raises(AccessDenied):
        services.confirm_production_order(order, by=seller)
    with pytest.raises(AccessDenied):
        services.create_production_order(product=table, quantity=1, by=storekeeper)
    assert services.confirm_production_order(order, by=producer).status == "confirmed"


def test_a_stale_edit_is_refused_and_finishing_needs_output(admin_user, table, leg, top, table_bom, shelf):
    order = services.create_production_order(product=table, quantity=1, by=admin_user, planned_start=DAY)
    version = order.version
    services.confirm_production_order(order, by=admin_user, expected_version=version)
    with pytest.raises(ConflictError) as stale:
        services.cancel_production_order(order, by=admin_user, expected_version=version)
    assert stale.value.code == "stale"
    order = services.start_production_order(order, by=admin_user)
    with pytest.raises(ConflictError) as nothing:
        services.finish_production_order(order, by=admin_user)
    assert nothing.value.code == "nothing_produced"
    with pytest.raises(BusinessRuleError) as minutes:
        services.book_operation(order, operation=order.operations.get(), minutes="-5", by=admin_user)
    assert minutes.value.field == "minutes"
