"""Purchasing services: supplier prices, the approval threshold, transitions in order, receipts."""

import datetime
from decimal import Decimal

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.purchasing import services
from tandem.purchasing.models import PurchaseOrder, SupplierPrice
from tandem.purchasing.tests.conftest import TODAY
from tandem.stock.models import ExpectedReceipt, StockMove, WarehouseStock


def stock_row(product, warehouse):
    return WarehouseStock.objects.get(product=product, warehouse=warehouse)


def sent_order(order_of, manager, quantity=100, product=None, pump=None):
    order = order_of(product, quantity)
    order = services.submit_purchase_order(order, by=manager)
    return services.send_purchase_order(order, by=manager)


# --- Supplier prices -------------------------------------------------------------------------------------------

def test_best_supplier_price_prefers_the_preferred_then_the_cheapest(supplier, pump, pump_price, buyer):
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

    other_cp = CounterpartyFactory(client=ClientFactory(name="Cheap Ltd"), legal_name="Cheap Ltd",
                                   valid_from=datetime.date(2024, 1, 1))
    cheap = services.create_supplier(counterparty=other_cp, currency="EUR", by=buyer)
    services.add_supplier_price(supplier=cheap, product=pump, unit_price=Decimal("30"), by=buyer,
                                min_quantity=Decimal("50"))
    assert services.best_supplier_price(pump, 10, TODAY) == pump_price
    pump_price.is_preferred = False
    pump_price.save()
    assert services.best_supplier_price(pump, 10, TODAY) == pump_price  # below the cheap one's minimum
    assert services.best_supplier_price(pump, 50, TODAY).supplier == cheap
    services.update_supplier_price(pump_price, valid_to=TODAY - datetime.timedelta(days=1), by=buyer)
    assert services.best_supplier_price(pump, 10, TODAY) is None


def test_one_preferred_supplier_per_product(supplier, pump, pump_price, buyer):
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

    other = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Other"), legal_name="Other", valid_from=datetime.date(2024, 1, 1)), by=buyer)
    second = services.add_supplier_price(supplier=other, product=pump, unit_price=Decimal("41"), by=buyer,
                                         is_preferred=True)
    assert list(SupplierPrice.objects.filter(product=pump, is_preferred=True)) == [second]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierPrice.objects.filter(pk=pump_price.pk).update(is_preferred=True)


def test_price_refusals_name_the_field(supplier, pump, buyer):
    with pytest.raises(BusinessRuleError) as exc:
        services.add_supplier_price(supplier=supplier, product=pump, unit_price="-1", by=buyer)
    assert exc.value.field == "unit_price"
    with pytest.raises(BusinessRuleError) as exc:
        services.add_supplier_price(supplier=supplier, product=pump, unit_price="1", pack_size=0, by=buyer)
    assert exc.value.field == "pack_size"


# --- Purchase orders ------------------------------------------------------------------------------------------

def test_order_is_numbered_priced_from_the_supplier_and_totalled(order_of, pump):
    order = order_of(pump, 10)
    line = order.lines.get()
    assert order.number == f"PO-2026-{order.pk:05d}"
    assert line.unit_price == Decimal("40") and not line.price_overridden
    assert order.total == Decimal("400.00")
    overridden = order_of(pump, 3, unit_price="39.5")
    assert overridden.lines.get().price_overridden and overridden.total == Decimal("118.50")
    assert AuditEntry.objects.filter(action="purchasing.purchaseorder.created").count() == 2


def test_below_threshold_the_buyer_submits_straight_to_approved(order_of, pump, buyer):
    order = services.submit_purchase_order(order_of(pump, 10), by=buyer)  # 400 < 5000
    assert order.status == PurchaseOrder.Status.APPROVED and order.approved_by == buyer


def test_above_threshold_a_manager_approves(order_of, pump, buyer, manager, storeman):
    order = services.submit_purchase_order(order_of(pump, 200), by=buyer)  # 8000 ≥ 5000
    assert order.status == PurchaseOrder.Status.TO_APPROVE
    with pytest.raises(AccessDenied):
        services.approve_purchase_order(order, by=buyer)
    with pytest.raises(AccessDenied):
        services.approve_purchase_order(order, by=storeman)
    order = services.approve_purchase_order(order, by=manager)
    assert order.status == PurchaseOrder.Status.APPROVED and order.approved_by == manager
    assert AuditEntry.objects.filter(action="purchasing.purchaseorder.approved").exists()


def test_threshold_is_a_setting_of_the_legal_entity(order_of, pump, buyer, company):
    from tandem.core.tests.factories import UserFactory

    admin = UserFactory(username="boss", is_superuser=True)
    services.update_purchasing_settings(company, approval_threshold="100", by=admin)
    order = services.submit_purchase_order(order_of(pump, 3), by=buyer)  # 120 ≥ 100
    assert order.status == PurchaseOrder.Status.TO_APPROVE


def test_transitions_out_of_order_are_refused(order_of, pump, buyer, manager, storeman):
    order = order_of(pump, 10)
    with pytest.raises(ConflictError) as exc:
        services.send_purchase_order(order, by=buyer)
    assert exc.value.code == "invalid_transition"
    with pytest.raises(ConflictError):
        services.approve_purchase_order(order, by=manager)
    with pytest.raises(ConflictError):
        services.receive_purchase_order(order, lines=[(order.lines.get(), 1, None, None)], by=storeman)
    with pytest.raises(ConflictError):
        services.close_purchase_order(order, by=buyer)
    order = services.cancel_purchase_order(order, by=buyer)
    with pytest.raises(ConflictError):
        services.submit_purchase_order(order, by=buyer)


def test_lines_only_change_in_draft(order_of, pump, buyer):
    order = services.submit_purchase_order(order_of(pump, 10), by=buyer)
    with pytest.raises(ConflictError) as exc:
        services.add_purchase_order_line(order, product=pump, quantity=1, by=buyer)
    assert exc.value.code == "not_editable"


def test_stale_version_refused(order_of, pump, buyer):
    order = order_of(pump, 10)
    services.add_purchase_order_line(order, product=pump, quantity=1, by=buyer, expected_version=1)
    with pytest.raises(ConflictError) as exc:
        services.add_purchase_order_line(order, product=pump, quantity=1, by=buyer, expected_version=1)
    assert exc.value.code == "stale"


# --- Receipts -------------------------------------------------------------------------------------------------

def test_sending_makes_the_lines_incoming_and_partial_receipt_leaves_the_rest(order_of, pump, manager, storeman,
                                                                              warehouse):
    order = sent_order(order_of, manager, 100, pump)
    row = stock_row(pump, warehouse)
    assert row.incoming == 100 and row.on_hand == 0
    line = order.lines.get()
    order = services.receive_purchase_order(order, lines=[(line, Decimal(60), None, None)],
                                            date=TODAY + datetime.timedelta(days=9), by=storeman)
    assert order.status == PurchaseOrder.Status.PARTLY_RECEIVED
    row.refresh_from_db()
    assert (row.on_hand, row.incoming) == (60, 40)
    expected = ExpectedReceipt.objects.get(product=pump)
    assert expected.quantity == 40 and expected.expected_date == TODAY + datetime.timedelta(days=10)
    move = StockMove.objects.get(product=pump)
    assert move.kind == StockMove.Kind.RECEIPT and move.unit_cost == Decimal("40")
    order = services.receive_purchase_order(order, lines=[(line, Decimal(40), None, None)], by=storeman)
    assert order.status == PurchaseOrder.Status.RECEIVED
    row.refresh_from_db()
    assert (row.on_hand, row.incoming) == (100, 0)
    assert not ExpectedReceipt.objects.exists()


def test_over_receipt_beyond_tolerance_is_refused_naming_the_line(order_of, pump, manager, storeman, warehouse):
    order = sent_order(order_of, manager, 100, pump)
    line = order.lines.get()
    order = services.receive_purchase_order(order, lines=[(line, Decimal(105), None, None)], by=storeman)  # 5 %
    assert order.status == PurchaseOrder.Status.RECEIVED
    order2 = sent_order(order_of, manager, 100, pump)
    with pytest.raises(ConflictError) as exc:
        services.receive_purchase_order(order2, lines=[(order2.lines.get(), Decimal("105.01"), None, None)],
                                        by=storeman)
    assert exc.value.code == "over_receipt" and exc.value.field == "lines.0.quantity"
    assert stock_row(pump, warehouse).on_hand == 105  # nothing of the refused receipt


def test_lots_required_for_tracked_products_and_nothing_half_written(order_of, pump, seal, manager, storeman,
                                                                       warehouse, buyer):
    order = order_of(pump, 10)
    services.add_purchase_order_line(order, product=seal, quantity=5, unit_price="2", by=buyer)
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    pump_line, seal_line = order.lines.order_by("position")
    with pytest.raises(BusinessRuleError) as exc:
        services.receive_purchase_order(order, lines=[(pump_line, 10, None, None), (seal_line, 5, None, None)],
                                        by=storeman)
    assert exc.value.code == "lot_required" and exc.value.field == "lines.1.lot"
    assert stock_row(pump, warehouse).on_hand == 0
    pump_line.refresh_from_db()
    assert pump_line.received_quantity == 0
    services.receive_purchase_order(order, lines=[(pump_line, 10, None, None), (seal_line, 5, "L-2026-1", None)],
                                    by=storeman)
    assert StockMove.objects.get(product=seal).lot.code == "L-2026-1"


def test_foreign_currency_receipt_costs_in_base_currency(order_of, pump, manager, storeman, supplier):
    from tandem.core.models import ExchangeRate

    ExchangeRate.objects.create(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9"),
                                date=datetime.date(2026, 1, 1))
    order = order_of(pump, 10, unit_price="50", currency="USD")
    assert order.exchange_rate == Decimal("0.9")
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    services.receive_purchase_order(order, lines=[(order.lines.get(), 10, None, None)], by=storeman)
    assert StockMove.objects.get(product=pump).unit_cost == Decimal("45")


def test_only_receivers_receive_and_cancel_clears_incoming(order_of, pump, manager, buyer, warehouse):
    order = sent_order(order_of, manager, 10, pump)
    with pytest.raises(AccessDenied):
        services.receive_purchase_order(order, lines=[(order.lines.get(), 1, None, None)], by=buyer)
    services.cancel_purchase_order(order, by=buyer)
    assert stock_row(pump, warehouse).incoming == 0


def test_close_after_partial_receipt_drops_the_rest(order_of, pump, manager, storeman, buyer, warehouse):
    order = sent_order(order_of, manager, 10, pump)
    order = services.receive_purchase_order(order, lines=[(order.lines.get(), 4, None, None)], by=storeman)
    order = services.close_purchase_order(order, by=buyer)
    assert order.status == PurchaseOrder.Status.CLOSED
    assert stock_row(pump, warehouse).incoming == 0 and stock_row(pump, warehouse).on_hand == 4
