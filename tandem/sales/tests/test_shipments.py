"""Shipments through the services: partial shipment → backorder → second shipment → shipped; refusals
(more than left, lots required, wrong role, wrong step); one transaction per shipment."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.sales.calculations import order_status_from_shipped
from tandem.sales.models import Order, Shipment
from tandem.sales.services import shipments
from tandem.stock import queries as stock_queries
from tandem.stock.models import StockMove, WarehouseStock

pytestmark = pytest.mark.django_db


def _through(shipment, by):
    shipment = shipments.pick_shipment(shipment, by=by)
    shipment = shipments.pack_shipment(shipment, by=by)
    return shipments.ship_shipment(shipment, by=by, carrier="DHL", tracking_number="JD0001")


def _stock(product, warehouse):
    row = WarehouseStock.objects.get(product=product, warehouse=warehouse)
    return row.on_hand, row.reserved


def test_partial_shipment_leaves_a_backorder_that_a_second_shipment_ships(
        make_order, receive, pump, warehouse, shelf, storekeeper, sales_rep):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    line = order.lines.get()
    assert _stock(pump, warehouse) == (D(10), D(5))

    # The representative asks for 3 of 5; the storekeeper picks, packs and ships them.
    first = shipments.create_shipment(order, by=sales_rep, lines=[{"order_line": line, "quantity": D(3)}],
                                      shipment_date=datetime.date(2026, 3, 3))
    assert first.status == Shipment.Status.DRAFT and first.number.startswith("SH-2026-")
    assert first.lines.get().location == shelf
    first = _through(first, storekeeper)
    assert (first.status, first.carrier, first.tracking_number) == (Shipment.Status.SHIPPED, "DHL", "JD0001")
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED
    assert (line.shipped_quantity, line.reserved_quantity) == (D(3), D(2))
    # The backorder (2) stays reserved; on hand fell by 3.
    assert _stock(pump, warehouse) == (D(7), D(2))
    assert stock_queries.available(pump, warehouse) == D(5)
    move = first.lines.get().stock_move
    assert (move.kind, move.quantity, move.from_location, move.effective_date) == (
        StockMove.Kind.SHIPMENT, D(3), shelf, datetime.date(2026, 3, 3))
    summary = shipments.shipping_summary(order)
    assert [(row["ordered"], row["shipped"], row["left"], row["backorder"]) for row in summary] == [
        (D(5), D(3), D(2), D(2))]

    # A shipment without lines takes everything left.
    second = shipments.create_shipment(order, by=storekeeper)
    assert [(x.order_line_id, x.quantity) for x in second.lines.all()] == [(line.pk, D(2))]
    assert shipments.shipping_summary(order)[0]["left"] == D(0)
    _through(second, storekeeper)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert _stock(pump, warehouse) == (D(5), D(0))

    # Delivered both: the order closes.
    shipments.deliver_shipment(first, by=storekeeper)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    shipments.deliver_shipment(second, by=storekeeper)
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert AuditEntry.objects.filter(action="sales.order.closed", object_id=str(order.pk)).exists()
    assert AuditEntry.objects.filter(action="sales.shipment.shipped", root_object_id=str(order.client_id)).count() == 2


def test_more_than_left_is_refused_counting_open_shipments(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    line = order.lines.get()
    with pytest.raises(BusinessRuleError) as refused:
        shipments.create_shipment(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(6)}])
    assert (refused.value.code, refused.value.field, refused.value.extra["left"]) == (
        "more_than_left", "lines[0].quantity", "5")
    shipments.create_shipment(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(4)}])
    with pytest.raises(BusinessRuleError) as refused:
        shipments.create_shipment(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(2)}])
    assert refused.value.extra["left"] == "1"
    assert Shipment.objects.count() == 1


def test_a_cancelled_shipment_frees_its_quantity_and_keeps_the_reservation(make_order, receive, pump, warehouse,
                                                                           storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    shipment = shipments.create_shipment(order, by=storekeeper)
    shipments.pick_shipment(shipment, by=storekeeper)
    shipments.cancel_shipment(shipment, by=storekeeper)
    assert shipments.shipping_summary(order)[0]["left"] == D(5)
    assert _stock(pump, warehouse) == (D(10), D(5))
    shipment.refresh_from_db()
    assert not shipment.can_cancel() and not shipment.can_ship()


def test_steps_follow_the_table(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 1)])
    shipment = shipments.create_shipment(order, by=storekeeper)
    with pytest.raises(ConflictError) as refused:
        shipments.ship_shipment(shipment, by=storekeeper)
    assert refused.value.code == "invalid_transition"
    assert not StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT).exists()


def test_only_the_warehouse_confirms(make_order, receive, pump, sales_rep, sales_manager):
    receive(pump, 10)
    order = make_order([(pump, 1)])
    shipment = shipments.create_shipment(order, by=sales_rep)
    for user in (sales_rep, sales_manager):
        with pytest.raises(AccessDenied):
            shipments.pick_shipment(shipment, by=user)


def test_draft_and_cancelled_orders_are_not_shipped(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    draft = make_order([(pump, 1)], confirm=False)
    with pytest.raises(BusinessRuleError) as refused:
        shipments.create_shipment(draft, by=storekeeper)
    assert refused.value.code == "order_not_shippable"


def test_a_lot_tracked_product_needs_a_lot_and_gets_the_earliest_expiry(
        make_order, serum, serum_lots, storekeeper, shelf, warehouse):
    early, late = serum_lots
    order = make_order([(serum, 3)])
    line = order.lines.get()
    shipment = shipments.create_shipment(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(3)}])
    assert shipment.lines.get().lot == early  # FEFO suggestion
    shipments.cancel_shipment(shipment, by=storekeeper)
    # A location without stock of any lot and no reservation per lot: nothing to suggest → refused.
    from tandem.stock.models import Location, Reservation

    Reservation.objects.filter(lot__isnull=False).update(lot=None)
    empty = Location.objects.create(warehouse=warehouse, code="B9")
    with pytest.raises(BusinessRuleError) as refused:
        shipments.create_shipment(order, by=storekeeper, lines=[
            {"order_line": line, "quantity": D(3), "location": empty}])
    assert (refused.value.code, refused.value.field) == ("lot_required", "lines[0].lot")
    shipment = shipments.create_shipment(order, by=storekeeper, lines=[
        {"order_line": line, "quantity": D(3), "lot": late}])
    shipped = _through(shipment, storekeeper)
    assert shipped.lines.get().stock_move.lot == late


def test_a_location_of_another_warehouse_is_refused(make_order, receive, pump, company, storekeeper):
    from tandem.stock.models import Location, Warehouse

    receive(pump, 10)
    order = make_order([(pump, 1)])
    elsewhere = Location.objects.create(warehouse=Warehouse.objects.create(company=company, code="W2", name="Two"),
                                        code="X")
    with pytest.raises(BusinessRuleError) as refused:
        shipments.create_shipment(order, by=storekeeper, lines=[
            {"order_line": order.lines.get(), "quantity": D(1), "location": elsewhere}])
    assert refused.value.field == "lines[0].location"


def test_a_failure_on_the_second_line_leaves_no_move_written(make_order, receive, pump, valve, warehouse,
                                                             storekeeper, monkeypatch):
    receive(pump, 10)
    receive(valve, 10)
    order = make_order([(pump, 2), (valve, 2)])
    shipment = shipments.pick_shipment(shipments.create_shipment(order, by=storekeeper), by=storekeeper)
    shipment = shipments.pack_shipment(shipment, by=storekeeper)
    real = shipments.stock_services._check_and_apply  # the lines' moves are checked in turn, then written
    calls = []

    def failing_second(move, **kwargs):
        calls.append(move.product.sku)
        if len(calls) == 2:
            raise BusinessRuleError("insufficient_stock", "boom", field="quantity")
        return real(move, **kwargs)

    monkeypatch.setattr(shipments.stock_services, "_check_and_apply", failing_second)
    with pytest.raises(BusinessRuleError):
        shipments.ship_shipment(shipment, by=storekeeper)
    assert len(calls) == 2
    assert not StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT).exists()
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == Shipment.Status.PACKED and order.status == Order.Status.CONFIRMED
    assert [x.shipped_quantity for x in order.lines.all()] == [D(0), D(0)]
    assert _stock(pump, warehouse) == (D(10), D(2)) and _stock(valve, warehouse) == (D(10), D(2))
    monkeypatch.setattr(shipments.stock_services, "_check_and_apply", real)
    shipments.ship_shipment(shipment, by=storekeeper)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED


def test_a_representative_ships_only_own_clients_orders(make_order, receive, pump, other_rep):
    receive(pump, 10)
    order = make_order([(pump, 1)])
    with pytest.raises(AccessDenied):
        shipments.create_shipment(order, by=other_rep)


def test_order_status_is_a_function_of_quantities():
    assert order_status_from_shipped("confirmed", [(D(5), D(0))]) == "confirmed"
    assert order_status_from_shipped("confirmed", [(D(5), D(3)), (D(1), D(0))]) == "partly_shipped"
    assert order_status_from_shipped("partly_shipped", [(D(5), D(5)), (D(1), D(1))]) == "shipped"
    assert order_status_from_shipped("closed", [(D(5), D(5))]) == "closed"
