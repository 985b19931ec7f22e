"""Customer returns through the services: at most shipped − returned, into quarantine or storage, RETURN moves
at the shipped cost, linked to a complaint of the same client; refusals."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.crm.models import Complaint, ComplaintCategory
from tandem.parties.tests.factories import ClientFactory
from tandem.sales.models import CustomerReturn
from tandem.sales.services import returns, shipments
from tandem.stock.models import StockLevel, StockMove, WarehouseStock

pytestmark = pytest.mark.django_db


def _ship(order, by, lines=None):
    shipment = shipments.create_shipment(order, by=by, lines=lines, shipment_date=datetime.date(2026, 3, 3))
    shipment = shipments.pack_shipment(shipments.pick_shipment(shipment, by=by), by=by)
    return shipments.ship_shipment(shipment, by=by)


def _complaint(client, user):
    category = ComplaintCategory.objects.order_by("pk").first() or ComplaintCategory.objects.create(name="Quality")
    return Complaint.objects.create(client=client, category=category, description="Pump leaks", assignee=user,
                                    deadline=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))


def test_a_return_into_quarantine_after_a_complaint(make_order, receive, pump, shelf, quarantine, warehouse,
                                                    storekeeper, sales_rep, client_of_rep):
    receive(pump, 10, unit_cost="12.5")
    order = make_order([(pump, 5)])
    shipment = _ship(order, storekeeper)
    move = shipment.lines.get().stock_move
    move.unit_cost = D("12.5")  # as valuation would set it
    move.save(update_fields=["unit_cost"])
    complaint = _complaint(client_of_rep, sales_rep)
    line = order.lines.get()

    draft = returns.create_return(order, by=sales_rep, complaint=complaint, reason="Leaks",
                                  lines=[{"order_line": line, "quantity": D(2)}],
                                  return_date=datetime.date(2026, 3, 10))
    assert (draft.status, draft.location, draft.number[:3]) == (CustomerReturn.Status.DRAFT, quarantine, "RT-")
    with pytest.raises(AccessDenied):  # the warehouse receives
        returns.receive_return(draft, by=sales_rep)
    received = returns.receive_return(draft, by=storekeeper)
    assert received.status == CustomerReturn.Status.RECEIVED
    back = received.lines.get().stock_move
    assert (back.kind, back.quantity, back.to_location, back.unit_cost, back.effective_date) == (
        StockMove.Kind.RETURN, D(2), quarantine, D("12.5"), datetime.date(2026, 3, 10))
    assert StockLevel.objects.get(product=pump, location=quarantine).on_hand == D(2)
    assert WarehouseStock.objects.get(product=pump, warehouse=warehouse).on_hand == D(7)
    assert list(returns.returned_quantities(order).values()) == [D(2)]

    # Only 3 more can come back.
    with pytest.raises(BusinessRuleError) as refused:
        returns.create_return(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(4)}])
    assert (refused.value.code, refused.value.field, refused.value.extra["left"]) == (
        "more_than_shipped", "lines[0].quantity", "3")
    again = returns.create_return(order, by=storekeeper, location=shelf, receive=True,
                                  lines=[{"order_line": line, "quantity": D(3)}])
    assert again.status == CustomerReturn.Status.RECEIVED and again.lines.get().stock_move.to_location == shelf


def test_nothing_shipped_nothing_returned(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    with pytest.raises(BusinessRuleError) as refused:
        returns.create_return(order, by=storekeeper, lines=[{"order_line": order.lines.get(), "quantity": D(1)}])
    assert refused.value.code == "more_than_shipped"
    assert not CustomerReturn.objects.exists()


def test_the_complaint_must_be_the_clients(make_order, receive, pump, storekeeper, sales_manager):
    receive(pump, 10)
    order = make_order([(pump, 5)])
    _ship(order, storekeeper)
    other = _complaint(ClientFactory(), sales_manager)
    with pytest.raises(BusinessRuleError) as refused:
        returns.create_return(order, by=storekeeper, complaint=other,
                              lines=[{"order_line": order.lines.get(), "quantity": D(1)}])
    assert refused.value.field == "complaint"


def test_a_cancelled_return_frees_its_quantity_and_moves_nothing(make_order, receive, pump, storekeeper):
    receive(pump, 10)
    order = make_order([(pump, 2)])
    _ship(order, storekeeper)
    line = order.lines.get()
    draft = returns.create_return(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(2)}])
    returns.cancel_return(draft, by=storekeeper)
    assert not StockMove.objects.filter(kind=StockMove.Kind.RETURN).exists()
    assert returns.returnable(line, returns.returned_quantities(order).get(line.pk, D(0))) == D(2)


def test_a_lot_tracked_return_takes_the_shipped_lot(make_order, serum, serum_lots, storekeeper, quarantine):
    early, late = serum_lots
    order = make_order([(serum, 2)])
    _ship(order, storekeeper)
    line = order.lines.get()
    received = returns.create_return(order, by=storekeeper, receive=True,
                                     lines=[{"order_line": line, "quantity": D(1)}])
    assert received.lines.get().lot == early
    with pytest.raises(BusinessRuleError) as refused:
        returns.create_return(order, by=storekeeper, lines=[{"order_line": line, "quantity": D(1), "lot": late}])
    assert (refused.value.code, refused.value.field) == ("lot_not_shipped", "lines[0].lot")


@pytest.mark.parametrize("method", ["average", "fifo"])
def test_a_return_follows_its_shipment_when_a_late_receipt_revalues_it(method, make_order, receive, pump, shelf,
                                                                        quarantine, warehouse, storekeeper,
                                                                        sales_rep):
    """Receive 10 @ 10, ship 6, return 2, then a receipt of 10 @ 16 dated before everything: the shipment is
    revalued and the return with it (at the shipment's new unit cost), as a replay from scratch values them."""
    from tandem.stock import services as stock_services
    from tandem.stock.models import RevaluationEntry
    from tandem.stock.tests.test_valuation_property import reference
    from tandem.stock.valuation.queries import value_at

    company = warehouse.company
    company.valuation_method = method
    company.save(update_fields=["valuation_method"])
    first = receive(pump, 10, unit_cost="10")
    order = make_order([(pump, 6)])
    shipped = _ship(order, storekeeper).lines.get().stock_move
    shipped.refresh_from_db()
    assert shipped.unit_cost == D("10")
    draft = returns.create_return(order, by=sales_rep, lines=[{"order_line": order.lines.get(), "quantity": D(2)}],
                                  return_date=datetime.date(2026, 3, 10))
    back = returns.receive_return(draft, by=storekeeper).lines.get().stock_move
    assert (back.unit_cost, back.value) == (D("10"), D("20.00"))

    late = stock_services.record_move(product=pump, quantity=D(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                                      effective_date=datetime.date(2026, 1, 1), unit_cost=D("16"), by=None)
    shipped.refresh_from_db()
    back.refresh_from_db()
    expected_cost = D("13") if method == "average" else D("16")
    assert shipped.unit_cost == back.unit_cost == expected_cost
    assert back.value == 2 * expected_cost

    log = [{"id": m.pk, "date": m.effective_date, "qty": m.quantity, "src": None, "dst": warehouse.pk,
            "cost": m.unit_cost} for m in (first, late)]
    log.append({"id": shipped.pk, "date": shipped.effective_date, "qty": shipped.quantity, "src": warehouse.pk,
                "dst": None, "cost": None})
    log.append({"id": back.pk, "date": back.effective_date, "qty": back.quantity, "src": None, "dst": warehouse.pk,
                "cost": None, "returns": shipped.pk})
    values, history = reference(log, method == "fifo")
    assert dict(StockMove.objects.filter(product=pump).values_list("pk", "value")) == values
    at = value_at(pump, warehouse, datetime.date(2026, 12, 31))
    assert (at.quantity, at.value) == history[warehouse.pk][-1][1:]
    assert at.value == (D("208.00") if method == "average" else D("196.00"))
    # The ledger is told: the return's change is a revaluation entry like the shipment's.
    changed = RevaluationEntry.objects.filter(cause_move=late).values_list("move_id", "difference")
    assert dict(changed) == {shipped.pk: 6 * expected_cost - 60, back.pk: 2 * expected_cost - 20}
