"""Landed costs: split to the cent by value, quantity or weight; the receipts' value rises (goods on hand cost
more, goods already shipped go to cost of goods sold); the ledger credits the landed-cost clearing account;
refusals name the field and leave nothing written."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Product
from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import LegalEntity
from tandem.finance import services as finance
from tandem.finance.models import Account
from tandem.purchasing import landed_costs, services
from tandem.purchasing.models import LandedCost
from tandem.purchasing.tests.conftest import TODAY
from tandem.stock import services as stock
from tandem.stock.models import StockMove, Warehouse
from tandem.stock.valuation.queries import value_at
from tandem.stock_accounting.queries import reconciliation

pytestmark = pytest.mark.django_db
D = datetime.date


# --- Splitting ---------------------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(cents=st.integers(min_value=1, max_value=10**12),
       weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=12)
       .filter(lambda w: sum(w) > 0))
def test_split_parts_add_up_to_the_amount_and_none_is_negative(cents, weights):
    amount = Decimal(cents) / 100
    parts = landed_costs.split(amount, weights, "EUR")
    assert sum(parts) == amount
    assert all(part >= 0 for part in parts)
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - amount * weight / total) < Decimal("0.01")  # each within a cent of its exact share
        assert part == part.quantize(Decimal("0.01"))


def test_split_gives_the_cents_left_to_the_largest_remainders():
    assert landed_costs.split(Decimal("100.00"), [Decimal(1)] * 3, "EUR") == [Decimal("33.34"), Decimal("33.33"),
                                                                            Decimal("33.33")]
    assert landed_costs.split(Decimal("1000"), [Decimal(1), Decimal(2)], "JPY") == [Decimal(333), Decimal(667)]


# --- Fixtures ------------------------------------------------------------------------------------------------------

@pytest.fixture
def accountant(db):
    from tandem.core.tests.factories import UserFactory

    return UserFactory(username="accountant", role=roles.ACCOUNTANT)


@pytest.fixture
def ledger(company, accountant):
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=D(2026, 1, 1), by=accountant)
    return company


def balance(company, code) -> Decimal:
    account = Account.objects.get(company=company, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), Decimal(0))


@pytest.fixture
def gear(piece):
    return Product.objects.create(sku="GEAR-2", name="Gear box", unit=piece, weight=Decimal("0.5"))


@pytest.fixture
def receive(order_of, manager, storeman):
    """A purchase order of `quantity` × `product` at `price`, sent and received in full on TODAY; its receipt move."""
    def make(product, quantity, price, date=TODAY):
        order = order_of(product, quantity, price)
        order = services.submit_purchase_order(order, by=manager)
        order = services.send_purchase_order(order, by=manager)
        line = order.lines.get()
        services.receive_purchase_order(order, lines=[services.ReceiptLine(line, Decimal(quantity))], date=date,
                                        by=storeman)
        return landed_costs.receipts_of(order).get()

    return make


def ship(product, quantity, shelf, date):
    return stock.record_move(product=product, quantity=Decimal(quantity), kind=StockMove.Kind.SHIPMENT,
                             from_location=shelf, effective_date=date, by=None)


def lines_of(landed_cost):
    return {line.move_id: line for line in landed_cost.lines.all()}


# --- Allocation ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method,expected_pump,expected_gear", [
    ("value", "57.15", "42.86"),     # 400 : 300 → 57.1485… / 42.8614…, the cent left to the larger remainder
    ("quantity", "25.00", "75.01"),  # 10 : 30 → 25.0025 / 75.0075
    ("weight", "62.51", "37.50"),    # 10 × 2.5 kg : 30 × 0.5 kg → 62.50625 / 37.50375
])
def test_allocation_splits_the_amount_exactly_to_the_cent(receive, pump, gear, buyer, manager, method, expected_pump,
                                                          expected_gear):
    pump.weight = Decimal("2.5")
    pump.save()
    pump_receipt = receive(pump, 10, "40")
    gear_receipt = receive(gear, 30, "10")
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("100.01"), method=method, date=TODAY,
                                                  receipts=[pump_receipt, gear_receipt])
    landed_cost = landed_costs.allocate_landed_cost(landed_cost, by=manager)
    assert landed_cost.status == LandedCost.Status.ALLOCATED
    lines = lines_of(landed_cost)
    assert lines[pump_receipt.pk].amount == Decimal(expected_pump)
    assert lines[gear_receipt.pk].amount == Decimal(expected_gear)
    assert lines[pump_receipt.pk].amount + lines[gear_receipt.pk].amount == Decimal("100.01")
    # Nothing was shipped: each receipt's value rose by its share exactly, the unit cost is (value + share) / qty.
    pump_receipt.refresh_from_db()
    assert pump_receipt.value == Decimal("400") + Decimal(expected_pump)
    assert pump_receipt.unit_cost == ((Decimal("400") + Decimal(expected_pump)) / 10).quantize(Decimal("0.000001"))
    assert lines[pump_receipt.pk].unit_cost_before == Decimal("40")
    assert lines[pump_receipt.pk].unit_cost_after == pump_receipt.unit_cost
    warehouse = pump_receipt.to_location.warehouse
    assert value_at(pump, warehouse, TODAY).value == pump_receipt.value
    assert value_at(gear, warehouse, TODAY).value == Decimal("300") + Decimal(expected_gear)


def test_an_order_brings_all_its_receipts(receive, pump, buyer):
    receipt = receive(pump, 10, "40")
    order = services.PurchaseOrder.objects.get(lines__pk=receipt.origin_id)
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("5"), orders=[order])
    assert list(landed_cost.lines.values_list("move_id", flat=True)) == [receipt.pk]
    assert list(landed_costs.landed_costs_of(order)) == [landed_cost]


def test_goods_already_shipped_take_their_share_to_cost_of_goods_sold(ledger, receive, pump, shelf, buyer, manager):
    receipt = receive(pump, 10, "40")
    shipment = ship(pump, 4, shelf, TODAY + datetime.timedelta(days=2))
    assert shipment.value == Decimal("160.00")
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("100"), method="quantity",
                                                  date=TODAY + datetime.timedelta(days=5), receipts=[receipt])
    landed_costs.allocate_landed_cost(landed_cost, by=manager)
    shipment.refresh_from_db()
    receipt.refresh_from_db()
    assert receipt.unit_cost == Decimal("50") and receipt.value == Decimal("500.00")
    assert shipment.value == Decimal("200.00")  # 4 × 50: the shipped share (40.00) went to cost of goods sold
    company = ledger
    assert balance(company, "5000") == Decimal("200.00")          # cost of goods sold
    assert balance(company, "1200") == Decimal("300.00")          # 6 on hand × 50
    assert balance(company, "2310") == Decimal("-100.00")         # landed costs to allocate: credited the amount
    assert balance(company, "2300") == Decimal("-400.00")         # goods received: untouched by the landed cost
    assert reconciliation(company, TODAY + datetime.timedelta(days=30)).agrees
    # Once the carrier's bill is booked (Dr 2310 / Cr payables), the clearing account is empty.


def test_a_foreign_currency_landed_cost_is_split_in_both_currencies(receive, pump, gear, buyer, manager):
    from tandem.core.models import ExchangeRate

    ExchangeRate.objects.create(base_currency="USD", quote_currency="EUR", rate=Decimal("0.9"), date=D(2026, 1, 1))
    receipts = [receive(pump, 10, "40"), receive(gear, 10, "40")]
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("100.01"), currency="USD",
                                                  method="quantity", receipts=receipts, date=TODAY)
    assert landed_cost.base_amount == Decimal("90.01")
    landed_cost = landed_costs.allocate_landed_cost(landed_cost, by=manager)
    lines = list(landed_cost.lines.order_by("move_id"))
    assert sum(line.amount for line in lines) == Decimal("100.01")
    assert sum(line.base_amount for line in lines) == Decimal("90.01")
    receipts[0].refresh_from_db()
    assert receipts[0].value == Decimal("400") + lines[0].base_amount


# --- Refusals -----------------------------------------------------------------------------------------------------

def _refused(call, field, code=None):
    with pytest.raises(BusinessRuleError) as exc:
        call()
    assert exc.value.field == field, exc.value.message
    if code:
        assert exc.value.code == code
    return exc.value


def test_refusals_name_the_field(receive, pump, buyer, company):
    receipt = receive(pump, 10, "40")
    _refused(lambda: landed_costs.create_landed_cost(by=buyer, amount=Decimal("10")), "receipts", "no_receipts")
    _refused(lambda: landed_costs.create_landed_cost(by=buyer, amount=Decimal("0"), receipts=[receipt]), "amount")
    _refused(lambda: landed_costs.create_landed_cost(by=buyer, amount=Decimal("-5"), receipts=[receipt]), "amount")
    other = LegalEntity.objects.create(name="Tandem Austria GmbH", base_currency="EUR")
    _refused(lambda: landed_costs.create_landed_cost(by=buyer, company=other, amount=Decimal("10"),
                                                     receipts=[receipt]), "receipts", "foreign_entity")
    shipment_like = StockMove.objects.filter(kind=StockMove.Kind.RECEIPT).exclude(pk=receipt.pk).first()
    assert shipment_like is None
    assert not LandedCost.objects.exists()


def test_allocation_by_weight_refuses_a_product_without_weight_and_writes_nothing(receive, pump, gear, buyer,
                                                                                 manager):
    receipts = [receive(pump, 10, "40"), receive(gear, 10, "10")]
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("30"), method="weight", receipts=receipts)
    error = _refused(lambda: landed_costs.allocate_landed_cost(landed_cost, by=manager), "method", "weight_missing")
    assert "PUMP-1" in error.message and "GEAR-2" not in error.message
    landed_cost.refresh_from_db()
    receipts[0].refresh_from_db()
    assert landed_cost.status == LandedCost.Status.DRAFT and receipts[0].unit_cost == Decimal("40")
    assert all(line.amount is None for line in landed_cost.lines.all())


def test_a_receipt_moved_to_another_entity_is_refused_at_allocation(receive, pump, buyer, manager, company):
    receipt = receive(pump, 10, "40")
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("10"), receipts=[receipt])
    other = LegalEntity.objects.create(name="Tandem Austria GmbH", base_currency="EUR")
    LandedCost.objects.filter(pk=landed_cost.pk).update(company=other)
    _refused(lambda: landed_costs.allocate_landed_cost(landed_cost, by=manager), "receipts", "foreign_entity")


def test_buyers_prepare_managers_allocate(receive, pump, buyer, manager, storeman):
    receipt = receive(pump, 10, "40")
    with pytest.raises(AccessDenied):
        landed_costs.create_landed_cost(by=storeman, amount=Decimal("10"), receipts=[receipt])
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("10"), receipts=[receipt])
    with pytest.raises(AccessDenied):
        landed_costs.allocate_landed_cost(landed_cost, by=buyer)
    landed_costs.allocate_landed_cost(landed_cost, by=manager)


def test_stale_edits_and_late_steps_are_conflicts(receive, pump, buyer, manager):
    receipt = receive(pump, 10, "40")
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("10"), receipts=[receipt])
    changed = landed_costs.update_landed_cost(landed_cost, by=buyer, expected_version=1, amount=Decimal("12"),
                                              kind="duty")
    assert changed.version == 2 and changed.amount == Decimal("12") and changed.kind == "duty"
    with pytest.raises(ConflictError) as exc:
        landed_costs.update_landed_cost(landed_cost, by=buyer, expected_version=1, amount=Decimal("11"))
    assert exc.value.code == "stale"
    with pytest.raises(ConflictError):
        landed_costs.allocate_landed_cost(landed_cost, by=manager, expected_version=1)
    landed_costs.allocate_landed_cost(landed_cost, by=manager, expected_version=2)
    with pytest.raises(ConflictError):
        landed_costs.cancel_landed_cost(landed_cost, by=buyer)  # allocated changed stock values: it stays
    with pytest.raises(BusinessRuleError):
        landed_costs.allocate_landed_cost(landed_cost, by=manager)


def test_a_draft_can_be_cancelled_and_is_audited(receive, pump, buyer):
    from tandem.core.models import AuditEntry

    receipt = receive(pump, 10, "40")
    landed_cost = landed_costs.create_landed_cost(by=buyer, amount=Decimal("10"), receipts=[receipt])
    landed_cost = landed_costs.cancel_landed_cost(landed_cost, by=buyer)
    assert landed_cost.status == LandedCost.Status.CANCELLED
    actions = set(AuditEntry.objects.filter(object_id=landed_cost.pk).values_list("action", flat=True))
    assert {"purchasing.landedcost.created", "purchasing.landedcost.cancelled"} <= actions
    receipt.refresh_from_db()
    assert receipt.unit_cost == Decimal("40")


def test_a_later_price_correction_keeps_the_landed_cost(receive, pump, buyer, manager):
    from tandem.stock.valuation.services import correct_cost

    receipt = receive(pump, 10, "40")
    landed_costs.allocate_landed_cost(
        landed_costs.create_landed_cost(by=buyer, amount=Decimal("25"), receipts=[receipt]), by=manager)
    correct_cost(receipt, unit_cost=Decimal("42"), by=None)
    receipt.refresh_from_db()
    assert receipt.value == Decimal("445.00") and receipt.unit_cost == Decimal("44.5")


def test_fifo_entities_carry_the_landed_cost_in_the_layer(receive, pump, shelf, buyer, manager, company):
    Warehouse.objects.filter(company=company)  # the entity has no moves yet: the method may still change
    company.valuation_method = "fifo"
    company.save(update_fields=["valuation_method"])
    first = receive(pump, 10, "40")
    receive(pump, 10, "60", date=TODAY + datetime.timedelta(days=1))
    shipment = ship(pump, 12, shelf, TODAY + datetime.timedelta(days=3))
    assert shipment.value == Decimal("520.00")  # 10 × 40 + 2 × 60
    landed_costs.allocate_landed_cost(
        landed_costs.create_landed_cost(by=buyer, amount=Decimal("30"), receipts=[first]), by=manager)
    shipment.refresh_from_db()
    assert shipment.value == Decimal("550.00")  # the whole first layer, landed cost included, was shipped
