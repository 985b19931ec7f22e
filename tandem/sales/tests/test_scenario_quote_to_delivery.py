"""Business story: Acme Pumps wants 5 pumps and 2 valves. The manager quotes from the deal, Acme accepts, the
order is confirmed (stock reserved). Today's pallet takes 3 pumps and both valves; the 2 other pumps wait as a
backorder, still reserved for Acme. The backorder ships a week later, both parcels are delivered and the order
closes. Acme then complains about a leaking pump and sends one back
into quarantine: it is on the complaint, out of sellable stock, at the cost it left with."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.crm.models import Complaint, ComplaintCategory, Deal
from tandem.sales.models import CustomerReturn, Order, Quote, Shipment
from tandem.sales.services import orders, quotes, returns, shipments
from tandem.stock import queries as stock_queries
from tandem.stock.models import StockLevel, StockMove

pytestmark = pytest.mark.django_db


def test_quote_to_delivery_and_a_return(stocked, deal, sales_manager, sales_rep, storekeeper, receive, pump, valve,
                                        warehouse, shelf, quarantine, client_of_rep):
    # The warehouse holds 3 pumps and 10 valves.
    receive(pump, 3, unit_cost="80")
    receive(valve, 10, unit_cost="6")

    # The manager quotes from the deal (prices agreed): 5 pumps at 120, 2 valves at 9.50.
    quote = quotes.create_quote(by=sales_manager, deal=deal, quote_date=datetime.date(2026, 3, 2), lines=[
        {"product": pump, "quantity": D(5), "unit_price": D("120")},
        {"product": valve, "quantity": D(2), "unit_price": D("9.50")}])
    quotes.send_quote(quote, by=sales_manager)
    order = quotes.accept_quote(quote, by=sales_manager, order_date=datetime.date(2026, 3, 3))
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert Deal.objects.get(pk=deal.pk).amount == D("619.00")
    assert order.total == D("619.00")

    # Confirming 5 pumps needs 5 in stock: 2 more arrive, then the order is confirmed and everything reserved.
    receive(pump, 2, unit_cost="80")
    order = orders.confirm_order(order, by=sales_manager)
    assert order.status == Order.Status.CONFIRMED
    assert stock_queries.available(pump, warehouse) == D(0)

    # The representative asks for today's pallet: 3 pumps and both valves; the warehouse picks, packs, ships.
    pump_line, valve_line = order.lines.order_by("position")
    first = shipments.create_shipment(order, by=sales_rep, shipment_date=datetime.date(2026, 3, 4), lines=[
        {"order_line": pump_line, "quantity": D(3)}, {"order_line": valve_line, "quantity": D(2)}])
    for step in (shipments.pick_shipment, shipments.pack_shipment):
        first = step(first, by=storekeeper)
    first = shipments.ship_shipment(first, by=storekeeper, carrier="DHL", tracking_number="JD014600001")

    # Warehouse ships 3 of 5: the order is partly shipped, 2 pumps are a backorder and stay reserved.
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_SHIPPED
    summary = {row["product"].sku: row for row in shipments.shipping_summary(order)}
    assert (summary["PUMP-1"]["shipped"], summary["PUMP-1"]["backorder"], summary["PUMP-1"]["reserved"]) == (
        D(3), D(2), D(2))
    assert (summary["VALVE-1"]["shipped"], summary["VALVE-1"]["left"]) == (D(2), D(0))
    assert StockLevel.objects.get(product=pump, location=shelf).on_hand == D(2)
    assert StockLevel.objects.get(product=valve, location=shelf).on_hand == D(8)
    assert stock_queries.available(pump, warehouse) == D(0)  # the 2 left are held for Acme

    # Nobody can ship more pumps than are left.
    from tandem.core.errors import BusinessRuleError

    with pytest.raises(BusinessRuleError):
        shipments.create_shipment(order, by=storekeeper, lines=[{"order_line": pump_line, "quantity": D(3)}])

    # The backorder ships the next week; both parcels arrive; the order closes.
    second = shipments.create_shipment(order, by=storekeeper, shipment_date=datetime.date(2026, 3, 11))
    assert [(x.product.sku, x.quantity) for x in second.lines.all()] == [("PUMP-1", D(2))]
    for step in (shipments.pick_shipment, shipments.pack_shipment, shipments.ship_shipment):
        second = step(second, by=storekeeper)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    shipments.deliver_shipment(first, by=storekeeper, delivered_date=datetime.date(2026, 3, 6))
    shipments.deliver_shipment(second, by=storekeeper, delivered_date=datetime.date(2026, 3, 12))
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert list(order.shipments.values_list("status", flat=True)) == [Shipment.Status.DELIVERED] * 2
    assert StockLevel.objects.get(product=pump, location=shelf).on_hand == D(0)
    assert StockMove.objects.filter(kind=StockMove.Kind.SHIPMENT, product=pump).count() == 2

    # Acme complains: one pump leaks. It comes back into quarantine, linked to the complaint.
    category = ComplaintCategory.objects.order_by("pk").first() or ComplaintCategory.objects.create(name="Quality")
    complaint = Complaint.objects.create(client=client_of_rep, category=category, description="Pump leaks",
                                         assignee=sales_rep,
                                         deadline=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))
    draft = returns.create_return(order, by=sales_rep, complaint=complaint, reason="Leaks at the flange",
                                  return_date=datetime.date(2026, 3, 16),
                                  lines=[{"order_line": pump_line, "quantity": D(1)}])
    received = returns.receive_return(draft, by=storekeeper)
    assert received.status == CustomerReturn.Status.RECEIVED and received.location == quarantine
    assert list(returns.returned_quantities(order).values()) == [D(1)]
    # On hand again, but in quarantine: the warehouse has one pump, none on the shelf.
    assert StockLevel.objects.get(product=pump, location=quarantine).on_hand == D(1)
    assert StockLevel.objects.get(product=pump, location=shelf).on_hand == D(0)
    back = received.lines.get().stock_move
    assert (back.kind, back.quantity, back.effective_date) == (StockMove.Kind.RETURN, D(1), datetime.date(2026, 3, 16))
    # The cost it left with (None until valuation prices shipments).
    assert back.unit_cost == second.lines.get().stock_move.unit_cost
    # The complaint shows the return; the order stays closed.
    from tandem.sales.queries import returns_of_complaint

    assert list(returns_of_complaint(sales_rep, complaint)) == [received]
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
