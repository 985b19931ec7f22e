"""Issue #10, point 1: whatever is written reads back identically on SQLite and PostgreSQL.

The extremes of every range in core.limits (amounts, dates, moments, durations, ids) are written into every
column that holds such a value, then read back and compared with what was written, exactly. The suite runs
on SQLite by default and on PostgreSQL with DATABASE_URL=postgres://…: these tests run on both.
SQLite keeps decimals as floats (15 significant digits): the amount and exchange rate ranges are chosen so
that this holds."""

import datetime
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from tandem.catalog.models import PriceList, PriceListItem, Product, TaxCategory, Unit, UnitConversion
from tandem.core import limits
from tandem.core.models import ExchangeRate, LegalEntity
from tandem.core.money import quantize
from tandem.core.schemas import money_text
from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Campaign, Complaint, Deal, Interaction, MarketingEvent, SalesTarget, Task
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import ComplaintFactory, InteractionFactory
from tandem.crm.tests.factories_marketing import CampaignFactory, MarketingEventFactory
from tandem.crm.tests.factories_planning import TaskFactory
from tandem.finance.models import (
    AccountBalance,
    BankStatement,
    BankStatementLine,
    BudgetLine,
    CreditLimit,
    DunningLevel,
    DunningReminder,
    Entry,
    EntryLine,
    FiscalYear,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    Period,
    TaxRate,
)
from tandem.parties.models import Counterparty, Source
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.stock.models import (
    CostCorrection,
    ExpectedReceipt,
    Location,
    Lot,
    Reservation,
    RevaluationEntry,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    ValuationEntry,
    Warehouse,
    WarehouseStock,
)

# Upper apps' tables by name (crm must not import sales; the ladder holds for tests too).
Quote, QuoteLine, Order, OrderLine = (apps.get_model("sales", name) for name in ("Quote", "QuoteLine", "Order",
                                                                               "OrderLine"))
Shipment, ShipmentLine, CustomerReturn, ReturnLine = (apps.get_model("sales", name) for name in (
    "Shipment", "ShipmentLine", "CustomerReturn", "ReturnLine"))
PurchasingSettings, SupplierProfile, SupplierPrice, PurchaseOrder, PurchaseOrderLine = (
    apps.get_model("purchasing", name) for name in ("PurchasingSettings", "SupplierProfile", "SupplierPrice",
                                                    "PurchaseOrder", "PurchaseOrderLine"))
StockPosting = apps.get_model("stock_accounting", "StockPosting")
PlanningParameter, PlanningRun, PlanningProposal, PlanningPegging = (apps.get_model("planning", name) for name in (
    "PlanningParameter", "PlanningRun", "PlanningProposal", "PlanningPegging"))
LandedCost, LandedCostLine = (apps.get_model("purchasing", name) for name in ("LandedCost", "LandedCostLine"))
WorkCentre, Bom, BomLine, BomOperation, ProductionOrder, ProductionOrderComponent, ProductionOrderOperation = (
    apps.get_model("production", name) for name in ("WorkCentre", "Bom", "BomLine", "BomOperation", "ProductionOrder",
                                                    "ProductionOrderComponent", "ProductionOrderOperation"))
ProductionOrderOutput = apps.get_model("production", "ProductionOrderOutput")

API = "/api/v1"
UTC = datetime.UTC

AMOUNTS = [
    limits.MIN_AMOUNT,
    limits.AMOUNT_STEP,
    Decimal("0.1"),
    Decimal("12345678901.2345"),
    Decimal("98765432109.8766"),
    limits.MAX_AMOUNT - limits.AMOUNT_STEP,
    limits.MAX_AMOUNT,
]
DATES = [limits.MIN_DATE, datetime.date(2000, 2, 29), limits.MAX_DATE]
MOMENTS = [
    datetime.datetime.combine(limits.MIN_DATE, datetime.time.min, tzinfo=UTC),
    datetime.datetime(1970, 1, 1, tzinfo=UTC),
    datetime.datetime.combine(limits.MAX_DATE, datetime.time.max, tzinfo=UTC),
]
DURATIONS = [0, 1, limits.MAX_DURATION_MINUTES]

# model -> (factory, the columns holding one kind of ranged value). Columns of one model get the same
# value at once, so "to >= from" constraints hold at every extreme.
AMOUNT_COLUMNS = {
    WorkCentre: (lambda: _work_centre(), ["capacity_hours_per_week"]),
    BomOperation: (lambda: _bom_operation(), ["minutes_per_unit", "setup_minutes"]),
    ProductionOrder: (lambda: _production_order(), ["produced_quantity", "scrapped_quantity", "standard_cost",
                                                    "material_cost", "operation_cost", "output_value", "written_off",
                                                    "variance"]),
    ProductionOrderComponent: (lambda: _production_component(), ["consumed_quantity", "consumed_value"]),
    ProductionOrderOutput: (lambda: _production_output(), ["value"]),
    ProductionOrderOperation: (lambda: _production_operation(), ["planned_minutes", "actual_minutes"]),
    StockCountLine: (lambda: _count_line(), ["counted", "on_hand_at_posting"]),
    Campaign: (CampaignFactory, ["cost"]),
    MarketingEvent: (MarketingEventFactory, ["cost"]),
    Deal: (DealFactory, ["amount"]),
    SalesTarget: (lambda: _sales_target(), ["amount"]),
    # Quantities share the amount range (core.limits.MAX_QUANTITY).
    StockMove: (lambda: _stock_move(), ["value"]),
    StockLevel: (lambda: StockLevel.objects.create(product=_product(), location=_location()), ["on_hand"]),
    WarehouseStock: (lambda: WarehouseStock.objects.create(product=_product(), warehouse=_location().warehouse),
                     ["on_hand", "reserved", "incoming"]),
    EntryLine: (lambda: _entry_line(), ["debit", "amount_currency"]),
    AccountBalance: (lambda: _account_balance(), ["debit", "credit"]),
    BudgetLine: (lambda: _budget_line(), ["amount"]),
    ValuationEntry: (lambda: _valuation_entry(), ["quantity", "value", "running_quantity", "running_value",
                                                  "cum_in", "cum_out"]),
    RevaluationEntry: (lambda: _revaluation_entry(), ["old_value", "new_value", "difference"]),
    CostCorrection: (lambda: _cost_correction(), ["added_value"]),
    StockPosting: (lambda: _stock_posting(), ["amount"]),
    Quote: (lambda: _quote(), ["net_total", "tax_total", "total"]),
    Order: (lambda: _order(), ["net_total", "tax_total", "total"]),
    QuoteLine: (lambda: _quote_line(), ["net_amount", "tax_amount", "gross_amount"]),
    OrderLine: (lambda: _order_line(), ["net_amount", "tax_amount", "gross_amount", "reserved_quantity",
                                        "short_quantity", "shipped_quantity"]),
    PurchasingSettings: (lambda: _purchasing_settings(), ["approval_threshold"]),
    SupplierPrice: (lambda: _supplier_price(), ["min_quantity"]),
    PlanningParameter: (lambda: _planning_parameter(), ["minimum_stock", "safety_stock"]),
    PlanningPegging: (lambda: _planning_pegging(), ["quantity"]),
    PurchaseOrder: (lambda: _purchase_order(), ["net_total", "tax_total", "total"]),
    PurchaseOrderLine: (lambda: _purchase_order_line(), ["net_amount", "tax_amount", "received_quantity",
                                                         "billed_quantity"]),
    LandedCost: (lambda: _landed_cost(), ["base_amount"]),
    LandedCostLine: (lambda: _landed_cost_line(), ["amount", "base_amount"]),
    Invoice: (lambda: _invoice(), ["net_total", "tax_total", "total", "amount_due"]),
    InvoiceLine: (lambda: _invoice_line(), ["quantity", "net_amount", "tax_amount", "gross_amount",
                                            "received_value"]),
    Payment: (lambda: _payment(), ["unallocated_amount"]),
    PaymentAllocation: (lambda: _allocation(), ["exchange_difference"]),
    BankStatement: (lambda: _statement_line().statement, ["opening_balance", "closing_balance"]),
    CreditLimit: (lambda: _credit_limit(), ["amount", "max_overdue"]),
    DunningLevel: (lambda: _dunning_level(), ["fee"]),
    DunningReminder: (lambda: _dunning_reminder(), ["amount_due", "fee"]),
}
RATES = [
    limits.EXCHANGE_RATE_STEP,
    Decimal("1.0832"),
    Decimal("1234567.12345678"),
    limits.MAX_EXCHANGE_RATE,
]
RATE_COLUMNS = {ExchangeRate: (lambda: _exchange_rate(), ["rate"])}
# Unit prices and costs: 6 decimal places, 9 digits before the point.
UNIT_PRICES = [Decimal("0.000001"), Decimal("1.5"), limits.MAX_RATE]
UNIT_PRICE_COLUMNS = {
    WorkCentre: (lambda: _work_centre(), ["hourly_cost"]),
    ProductionOrderOperation: (lambda: _production_operation(), ["hourly_cost"]),
    ProductionOrderComponent: (lambda: _production_component(), ["standard_unit_cost"]),
    ProductionOrderOutput: (lambda: _production_output(), ["unit_cost"]),
    StockMove: (lambda: _stock_move(), ["unit_cost"]),
    EntryLine: (lambda: _entry_line(), ["rate"]),
    PriceListItem: (lambda: _price_list_item(), ["unit_price"]),
    UnitConversion: (lambda: _unit_conversion(), ["factor"]),
    ValuationEntry: (lambda: _valuation_entry(), ["unit_cost", "current_cost"]),
    CostCorrection: (lambda: _cost_correction(), ["old_unit_cost", "new_unit_cost"]),
    QuoteLine: (lambda: _quote_line(), ["unit_price", "list_price"]),
    OrderLine: (lambda: _order_line(), ["unit_price", "list_price"]),
    ReturnLine: (lambda: _return_line(), ["unit_cost"]),
    SupplierPrice: (lambda: _supplier_price(), ["unit_price"]),
    PlanningProposal: (lambda: _planning_proposal(), ["unit_price"]),
    PurchaseOrder: (lambda: _purchase_order(), ["exchange_rate"]),
    PurchaseOrderLine: (lambda: _purchase_order_line(), ["unit_price"]),
    LandedCost: (lambda: _landed_cost(), ["exchange_rate"]),
    LandedCostLine: (lambda: _landed_cost_line(), ["basis", "unit_cost_before", "unit_cost_after"]),
    Product: (lambda: _product(), ["weight"]),
    Invoice: (lambda: _invoice(), ["rate"]),
    InvoiceLine: (lambda: _invoice_line(), ["unit_price"]),
    Payment: (lambda: _payment(), ["rate"]),
}
# Percentages (tax rates, discounts): 0 to 100 with 4 decimal places.
PERCENTS = [Decimal(0), Decimal("0.0001"), Decimal("33.3333"), Decimal(100)]
PERCENT_COLUMNS = {
    TaxCategory: (lambda: TaxCategory.objects.create(name="Standard", rate=Decimal(23)), ["rate"]),
    PriceListItem: (lambda: _price_list_item(), ["discount_percent"]),
    QuoteLine: (lambda: _quote_line(), ["discount_percent", "tax_rate"]),
    OrderLine: (lambda: _order_line(), ["discount_percent", "tax_rate"]),
    PurchasingSettings: (lambda: _purchasing_settings(), ["receipt_tolerance_percent", "bill_price_tolerance_percent",
                                                          "bill_quantity_tolerance_percent"]),
    PurchaseOrderLine: (lambda: _purchase_order_line(), ["tax_rate"]),
    InvoiceLine: (lambda: _invoice_line(), ["discount_percent", "tax_percent"]),
    TaxRate: (lambda: _tax_rate(), ["rate"]),
}
# Above zero: a unit's step, the quantity a move carries or a reservation holds.
STEPS = [limits.AMOUNT_STEP, Decimal("0.001"), Decimal(12), limits.MAX_AMOUNT]
# Scrap allowances: below 100 % (all of it lost would need an infinite quantity).
SCRAP_PERCENTS = [Decimal(0), Decimal("0.0001"), Decimal("33.3333"), Decimal("99.9999")]
SCRAP_PERCENT_COLUMNS = {BomLine: (lambda: _bom_line(), ["scrap_percent"])}
STEP_COLUMNS = {
    Bom: (lambda: _bom(), ["quantity"]),
    BomLine: (lambda: _bom_line(), ["quantity"]),
    ProductionOrder: (lambda: _production_order(), ["quantity"]),
    ProductionOrderComponent: (lambda: _production_component(), ["required_quantity"]),
    ProductionOrderOutput: (lambda: _production_output(), ["quantity"]),
    Unit: (lambda: _unit(), ["step"]),
    StockMove: (lambda: _stock_move(), ["quantity"]),
    Reservation: (lambda: _reservation(), ["quantity"]),
    ExpectedReceipt: (lambda: _expected_receipt(), ["quantity"]),
    # A credit line (its debit zero: a line has one side) carries the credit extremes above zero.
    EntryLine: (lambda: _entry_line(credit=True), ["credit"]),
    PriceListItem: (lambda: _price_list_item(), ["min_quantity"]),
    QuoteLine: (lambda: _quote_line(), ["quantity"]),
    OrderLine: (lambda: _order_line(), ["quantity", "invoiced_quantity"]),
    ShipmentLine: (lambda: _shipment_line(), ["quantity"]),
    ReturnLine: (lambda: _return_line(), ["quantity"]),
    SupplierPrice: (lambda: _supplier_price(), ["pack_size"]),
    PlanningProposal: (lambda: _planning_proposal(), ["quantity", "net_quantity"]),
    PurchaseOrderLine: (lambda: _purchase_order_line(), ["quantity"]),
    LandedCost: (lambda: _landed_cost(), ["amount"]),
    # Payments, allocations and statement lines are never zero.
    Payment: (lambda: _payment(), ["amount"]),
    PaymentAllocation: (lambda: _allocation(), ["amount"]),
    BankStatementLine: (lambda: _statement_line(), ["amount"]),
}
DATE_COLUMNS = {
    Bom: (lambda: _bom(), ["valid_from", "valid_to"]),
    ProductionOrder: (lambda: _production_order(), ["planned_start", "planned_end"]),
    ProductionOrderOutput: (lambda: _production_output(), ["effective_date"]),
    ExpectedReceipt: (lambda: _expected_receipt(), ["expected_date"]),
    StockCount: (lambda: _count_line().count, ["count_date"]),
    ExchangeRate: (lambda: _exchange_rate(), ["date"]),
    Counterparty: (CounterpartyFactory, ["valid_from", "valid_to"]),
    Campaign: (CampaignFactory, ["starts_on", "ends_on"]),
    MarketingEvent: (MarketingEventFactory, ["starts_on", "ends_on"]),
    Deal: (DealFactory, ["expected_close_date"]),
    StockMove: (lambda: _stock_move(), ["effective_date"]),
    Lot: (lambda: Lot.objects.create(product=_product(), code="L1"), ["expiry_date"]),
    FiscalYear: (lambda: _period().fiscal_year, ["start_date", "end_date"]),
    Period: (lambda: _period(), ["start_date", "end_date"]),
    Entry: (lambda: _entry_line().entry, ["date"]),
    EntryLine: (lambda: _entry_line(), ["date"]),
    PriceList: (lambda: PriceList.objects.create(name="List", currency="EUR"), ["valid_from", "valid_to"]),
    ValuationEntry: (lambda: _valuation_entry(), ["effective_date"]),
    CostCorrection: (lambda: _cost_correction(), ["effective_date"]),
    RevaluationEntry: (lambda: _revaluation_entry(), ["effective_date"]),
    StockPosting: (lambda: _stock_posting(), ["stock_date"]),
    Quote: (lambda: _quote(), ["quote_date", "valid_until"]),
    Order: (lambda: _order(), ["order_date", "requested_date"]),
    OrderLine: (lambda: _order_line(), ["expected_date"]),
    Shipment: (lambda: _shipment(), ["shipment_date", "delivered_date"]),
    CustomerReturn: (lambda: _customer_return(), ["return_date"]),
    SupplierPrice: (lambda: _supplier_price(), ["valid_from", "valid_to"]),
    PlanningRun: (lambda: _planning_proposal().run, ["plan_date"]),
    PlanningProposal: (lambda: _planning_proposal(), ["need_date", "start_date"]),
    PlanningPegging: (lambda: _planning_pegging(), ["need_date"]),
    PurchaseOrder: (lambda: _purchase_order(), ["order_date", "expected_date"]),
    PurchaseOrderLine: (lambda: _purchase_order_line(), ["expected_date"]),
    LandedCost: (lambda: _landed_cost(), ["date"]),
    Invoice: (lambda: _invoice(), ["invoice_date", "due_date"]),
    TaxRate: (lambda: _tax_rate(), ["valid_from", "valid_to"]),
    Payment: (lambda: _payment(), ["date"]),
    PaymentAllocation: (lambda: _allocation(), ["date"]),
    BankStatement: (lambda: _statement_line().statement, ["date_from", "date_to"]),
    BankStatementLine: (lambda: _statement_line(), ["date"]),
    DunningReminder: (lambda: _dunning_reminder(), ["run_date"]),
}
MOMENT_COLUMNS = {
    Interaction: (InteractionFactory, ["occurred_at"]),
    Complaint: (ComplaintFactory, ["deadline"]),
    Task: (TaskFactory, ["due_at", "remind_at"]),
}
DURATION_COLUMNS = {Interaction: (InteractionFactory, ["duration_minutes"])}
# Months are stored as their first day.
MONTHS = [limits.MIN_DATE, datetime.date(2200, 12, 1)]
MONTH_COLUMNS = {SalesTarget: (lambda: _sales_target(), ["month"])}


def _invoice():
    counterparty = CounterpartyFactory()
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR")
    day = datetime.date(2026, 1, 1)
    return Invoice.objects.create(company=company, client=counterparty.client, counterparty=counterparty,
                                  invoice_date=day, due_date=day, currency="EUR")


def _invoice_line():
    return InvoiceLine.objects.create(invoice=_invoice(), description="Work", quantity=Decimal(1),
                                      unit_price=Decimal(1))


def _tax_rate():
    return TaxRate.objects.create(country="PL", code=f"T{TaxRate.objects.count()}", name="Tax", rate=Decimal(5),
                                  valid_from=datetime.date(2026, 1, 1))


def _sales_target():
    return SalesTarget.objects.create(user=UserFactory(), month=datetime.date(2026, 12, 1), amount=Decimal("1000"),
                                      currency="EUR")


def _unit():
    return Unit.objects.create(code=f"u{Unit.objects.count()}", name="unit")


def _product():
    return Product.objects.create(sku=f"SKU-{Product.objects.count()}", name="Product", unit=_unit())


def _price_list_item():
    price_list = PriceList.objects.create(name="List", currency="EUR")
    return PriceListItem.objects.create(price_list=price_list, product=_product(), unit_price=Decimal(1))


def _unit_conversion():
    return UnitConversion.objects.create(from_unit=_unit(), to_unit=_unit(), factor=Decimal(12))


def _location():
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR")
    warehouse = Warehouse.objects.create(company=company, code=f"W{Warehouse.objects.count()}", name="Main")
    return Location.objects.create(warehouse=warehouse, code="A1", is_default=True)


def _expected_receipt():
    location = _location()
    return ExpectedReceipt.objects.create(product=_product(), warehouse=location.warehouse, quantity=Decimal(1),
                                          expected_date=datetime.date(2026, 6, 1))


def _count_line():
    location = _location()
    count = StockCount.objects.create(warehouse=location.warehouse, count_date=datetime.date(2026, 6, 1))
    return StockCountLine.objects.create(count=count, product=_product(), location=location, counted=Decimal(1))


def _stock_move():
    location = _location()
    return StockMove.objects.create(company=location.warehouse.company, product=_product(), kind="receipt",
                                    quantity=Decimal(1), to_location=location, effective_date=datetime.date.today())


def _valuation_entry():
    move = _stock_move()
    return ValuationEntry.objects.create(move=move, product=move.product, warehouse=move.to_location.warehouse,
                                         effective_date=move.effective_date, basis="given", quantity=Decimal(1))


def _cost_correction():
    return CostCorrection.objects.create(move=_stock_move(), effective_date=datetime.date.today(),
                                         old_unit_cost=Decimal(1), new_unit_cost=Decimal(2))


def _revaluation_entry():
    import uuid

    move = _stock_move()
    return RevaluationEntry.objects.create(
        move=move, warehouse=move.to_location.warehouse, product=move.product, company=move.company, kind="shipment",
        effective_date=move.effective_date, old_value=Decimal(1), new_value=Decimal(2), difference=Decimal(1),
        batch=uuid.uuid4())


def _stock_posting():
    move = _stock_move()
    return StockPosting.objects.create(company=move.company, move=move, stock_date=move.effective_date,
                                       amount=Decimal(1), counter="goods_received", status="pending",
                                       reason="no_ledger")


def _reservation():
    from django.contrib.contenttypes.models import ContentType

    location = _location()
    return Reservation.objects.create(product=_product(), warehouse=location.warehouse, quantity=Decimal(1),
                                      origin_type=ContentType.objects.get_for_model(Unit), origin_id=1)


def _period():
    company = LegalEntity.objects.create(name="Our books", base_currency="EUR")
    year = FiscalYear.objects.create(company=company, name="2026", start_date=datetime.date(2026, 1, 1),
                                     end_date=datetime.date(2026, 12, 31))
    return Period.objects.create(company=company, fiscal_year=year, number=1, start_date=datetime.date(2026, 1, 1),
                                 end_date=datetime.date(2026, 1, 31))


def _entry_line(credit: bool = False):
    from tandem.finance.models import Account, Journal

    period = _period()
    company = period.company
    journal = Journal.objects.create(company=company, code="GEN", name="General", kind="general")
    account = Account.objects.create(company=company, code="1010", name="Bank", type="asset")
    entry = Entry.objects.create(company=company, journal=journal, fiscal_year=period.fiscal_year, period=period,
                                 date=period.start_date, status="posted")
    return EntryLine.objects.create(entry=entry, company=company, account=account, period=period,
                                    date=period.start_date, debit=Decimal(0 if credit else 1),
                                    credit=Decimal(1 if credit else 0), currency="EUR", amount_currency=Decimal(1))


def _account_balance():
    line = _entry_line()
    return AccountBalance.objects.create(company=line.company, account=line.account, period=line.period)


def _budget_line():
    from tandem.finance.models import Budget

    line = _entry_line()
    budget = Budget.objects.create(company=line.company, fiscal_year=line.period.fiscal_year, name="Plan")
    return BudgetLine.objects.create(budget=budget, account=line.account, period=line.period)
def _sales_document(model, date_field):
    counterparty = CounterpartyFactory()
    company = LegalEntity.objects.create(name="Our company", base_currency="EUR")
    return model.objects.create(company=company, client=counterparty.client, counterparty=counterparty,
                                owner=UserFactory(), currency="EUR", **{date_field: datetime.date(2026, 1, 1)})


def _quote():
    return _sales_document(Quote, "quote_date")


def _order():
    return _sales_document(Order, "order_date")


def _line_values():
    product = _product()
    return {"product": product, "unit": product.unit, "quantity": Decimal(1), "unit_price": Decimal(1)}


def _quote_line():
    return QuoteLine.objects.create(quote=_quote(), **_line_values())


def _order_line():
    return OrderLine.objects.create(order=_order(), **_line_values())


def _shipment():
    order = _order()
    return Shipment.objects.create(company=order.company, order=order, client=order.client,
                                   warehouse=_location().warehouse, shipment_date=datetime.date(2026, 1, 2))


def _shipment_line():
    line = _order_line()
    shipment = Shipment.objects.create(company=line.order.company, order=line.order, client=line.order.client,
                                       warehouse=_location().warehouse, shipment_date=datetime.date(2026, 1, 2))
    return ShipmentLine.objects.create(shipment=shipment, order_line=line, product=line.product, quantity=Decimal(1),
                                       location=shipment.warehouse.locations.first())


def _purchasing_settings():
    return PurchasingSettings.objects.create(company=LegalEntity.objects.create(name="Buyer", base_currency="EUR"))


def _supplier():
    return SupplierProfile.objects.create(counterparty=CounterpartyFactory(), currency="EUR")


def _supplier_price():
    return SupplierPrice.objects.create(supplier=_supplier(), product=_product(), currency="EUR",
                                        unit_price=Decimal(1))


def _planning_parameter():
    return PlanningParameter.objects.create(product=_product(), warehouse=_location().warehouse)


def _planning_proposal():
    day = datetime.date(2026, 6, 1)
    run = PlanningRun.objects.create(started_at=datetime.datetime(2026, 6, 1, tzinfo=UTC), plan_date=day)
    return PlanningProposal.objects.create(run=run, kind="purchase", product=_product(),
                                           warehouse=_location().warehouse, quantity=Decimal(1),
                                           net_quantity=Decimal(1), need_date=day, start_date=day)


def _planning_pegging():
    return PlanningPegging.objects.create(proposal=_planning_proposal(), kind="minimum", quantity=Decimal(1),
                                          need_date=datetime.date(2026, 6, 1))
def _landed_cost():
    return LandedCost.objects.create(company=_location().warehouse.company, date=datetime.date(2026, 1, 1),
                                     amount=Decimal(1), currency="EUR")


def _landed_cost_line():
    return LandedCostLine.objects.create(landed_cost=_landed_cost(), move=_stock_move())


def _purchase_order():
    warehouse = _location().warehouse
    return PurchaseOrder.objects.create(company=warehouse.company, supplier=_supplier(), warehouse=warehouse,
                                        owner=UserFactory(), currency="EUR", order_date=datetime.date(2026, 1, 1))


def _purchase_order_line():
    return PurchaseOrderLine.objects.create(order=_purchase_order(), product=_product(), quantity=Decimal(1),
                                            unit_price=Decimal(1))


def _work_centre():
    return WorkCentre.objects.create(company=_location().warehouse.company, code="WC", name="Work centre")


def _bom():
    return Bom.objects.create(product=_product(), code="v1", valid_from=datetime.date(2026, 1, 1))


def _bom_line():
    return BomLine.objects.create(bom=_bom(), component=_product(), quantity=Decimal(1))


def _bom_operation():
    return BomOperation.objects.create(bom=_bom(), name="Assemble", work_centre=_work_centre())


def _production_order():
    bom = _bom()
    warehouse = _location().warehouse
    return ProductionOrder.objects.create(company=warehouse.company, product=bom.product, bom=bom,
                                          warehouse=warehouse, quantity=Decimal(1),
                                          planned_start=datetime.date(2026, 1, 1))


def _production_component():
    return ProductionOrderComponent.objects.create(order=_production_order(), product=_product(),
                                                   required_quantity=Decimal(1))


def _production_output():
    order = _production_order()
    return ProductionOrderOutput.objects.create(order=order, kind="finished", product=order.product,
                                                quantity=Decimal(1), effective_date=datetime.date(2026, 1, 2))


def _production_operation():
    return ProductionOrderOperation.objects.create(order=_production_order(), name="Assemble",
                                                   work_centre=_work_centre())


def _customer_return():
    order = _order()
    return CustomerReturn.objects.create(company=order.company, order=order, client=order.client,
                                         location=_location(), return_date=datetime.date(2026, 1, 3))


def _return_line():
    line = _order_line()
    customer_return = CustomerReturn.objects.create(company=line.order.company, order=line.order,
                                                    client=line.order.client, location=_location(),
                                                    return_date=datetime.date(2026, 1, 3))
    return ReturnLine.objects.create(customer_return=customer_return, order_line=line, product=line.product,
                                     quantity=Decimal(1))


def _payment_account():
    from tandem.finance.models import Account, Journal, PaymentAccount

    company = LegalEntity.objects.create(name="Our bank", base_currency="EUR")
    return PaymentAccount.objects.create(
        company=company, name="Bank", currency="EUR",
        account=Account.objects.create(company=company, code="1010", name="Bank", type="asset", subtype="bank"),
        journal=Journal.objects.create(company=company, code="BNK", name="Bank", kind="bank"))


def _payment():
    account = _payment_account()
    return Payment.objects.create(company=account.company, direction="in", payment_account=account,
                                  date=datetime.date(2026, 1, 1), amount=Decimal(1), currency="EUR",
                                  client=ClientFactory())


def _allocation():
    from tandem.finance.models import Invoice

    payment = _payment()
    invoice = Invoice.objects.create(company=payment.company, client=payment.client, currency="EUR",
                                     invoice_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 1, 1))
    return PaymentAllocation.objects.create(payment=payment, invoice=invoice, date=payment.date, amount=Decimal(1))


def _statement_line():
    account = _payment_account()
    statement = BankStatement.objects.create(payment_account=account, format="csv", date_from=datetime.date(2026, 1, 1),
                                             date_to=datetime.date(2026, 1, 1), file_hash="x")
    return BankStatementLine.objects.create(statement=statement, payment_account=account, date=statement.date_from,
                                            amount=Decimal(1), currency="EUR", dedupe_key="k")


def _exchange_rate():
    return ExchangeRate.objects.create(
        base_currency="EUR", quote_currency="USD", date=datetime.date(2026, 1, 1), rate=Decimal("1.1")
    )


def _columns(table):
    return {(model._meta.label, name) for model, (_factory, names) in table.items() for name in names}


def test_every_amount_and_date_column_is_round_tripped():
    """A new decimal or date column joins the tables above (and core.limits' ranges), or this fails."""
    found = {"decimal": set(), "date": set()}
    for model in apps.get_app_configs():
        if not model.name.startswith("tandem."):
            continue
        for model_class in model.get_models():
            for field in model_class._meta.concrete_fields:
                if isinstance(field, models.DecimalField):
                    found["decimal"].add((model_class._meta.label, field.name))
                elif type(field) is models.DateField and field.editable:
                    found["date"].add((model_class._meta.label, field.name))
    assert found["decimal"] == (_columns(AMOUNT_COLUMNS) | _columns(RATE_COLUMNS) | _columns(UNIT_PRICE_COLUMNS)
        | _columns(STEP_COLUMNS) | _columns(PERCENT_COLUMNS) | _columns(SCRAP_PERCENT_COLUMNS))
    assert found["date"] == _columns(DATE_COLUMNS) | _columns(MONTH_COLUMNS)


def _round_trip(table, values):
    for model, (factory, names) in table.items():
        pk = factory().pk
        for value in values:
            model.objects.filter(pk=pk).update(**dict.fromkeys(names, value))
            for name in names:
                read = model.objects.filter(pk=pk).values_list(name, flat=True).get()
                assert read == value, (model.__name__, name, value, read)
                if isinstance(value, Decimal):  # the same digits, not merely an equal number
                    step = Decimal(1).scaleb(-model._meta.get_field(name).decimal_places)
                    assert str(read) == str(value.quantize(step)), (model.__name__, name, read)
                if isinstance(value, datetime.datetime):
                    assert read.utcoffset() == datetime.timedelta(0) and read.microsecond == value.microsecond


@pytest.mark.django_db
def test_amount_extremes_read_back_identically():
    _round_trip(AMOUNT_COLUMNS, AMOUNTS)


@pytest.mark.django_db
def test_exchange_rate_extremes_read_back_identically():
    _round_trip(RATE_COLUMNS, RATES)


@pytest.mark.django_db
def test_unit_price_and_step_extremes_read_back_identically():
    _round_trip(UNIT_PRICE_COLUMNS, UNIT_PRICES)
    _round_trip(STEP_COLUMNS, STEPS)


@pytest.mark.django_db
def test_percent_extremes_read_back_identically():
    _round_trip(PERCENT_COLUMNS, PERCENTS)
    _round_trip(SCRAP_PERCENT_COLUMNS, SCRAP_PERCENTS)


@pytest.mark.django_db
def test_date_extremes_read_back_identically():
    _round_trip(DATE_COLUMNS, DATES)


@pytest.mark.django_db
def test_month_extremes_read_back_identically():
    _round_trip(MONTH_COLUMNS, MONTHS)


@pytest.mark.django_db
def test_moment_extremes_read_back_identically():
    _round_trip(MOMENT_COLUMNS, MOMENTS)


@pytest.mark.django_db
def test_duration_extremes_read_back_identically():
    _round_trip(DURATION_COLUMNS, DURATIONS)


@pytest.mark.django_db
def test_largest_id_reads_back_identically():
    source = Source.objects.create(pk=limits.MAX_ID, name="Last id")
    deal = DealFactory(source=source)
    assert Source.objects.get(pk=limits.MAX_ID).name == "Last id"
    assert Deal.objects.filter(pk=deal.pk).values_list("source_id", flat=True).get() == limits.MAX_ID


# --- The same through the API: what a client sends is what it (and the database) reads back ----------------


def _send(http, method, url, data):
    response = getattr(http, method)(url, json.dumps(data), content_type="application/json")
    assert response.status_code in (200, 201), (url, data, response.content)
    return response.json()


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def manager_api(api, sales_manager):
    return api(sales_manager)


@pytest.fixture
def client_of_manager(sales_manager):
    return ClientFactory(name="Range Round Trip Ltd", owner=sales_manager)


def test_api_round_trips_the_extremes(manager_api, sales, sales_manager, client_of_manager):
    low, high = limits.MIN_DATE.isoformat(), limits.MAX_DATE.isoformat()
    # The API writes moments in milliseconds (Django's JSON encoder, as JavaScript reads them): the last one
    # it can show is 23:59:59.999 (the database keeps microseconds, see above).
    first, last = "1900-01-01T00:00:00Z", "2200-12-31T23:59:59.999Z"
    source = Source.objects.create(pk=limits.MAX_ID, name="Last id")

    # Deal amounts and costs are kept in the currency's minor unit: the largest a euro amount can be is
    # 99999999999.99 (what rounds past the range is refused), and that reads back as sent.
    top = Decimal("99999999999.99")
    for amount in [*AMOUNTS, top]:
        sent = str(amount)
        payload = {
            "title": f"Edge {sent}",
            "client_id": client_of_manager.pk,
            "amount": sent,
            "currency": "EUR",
            "expected_close_date": high if amount else low,
            "source_id": limits.MAX_ID,
        }
        if quantize(amount, "EUR") > limits.MAX_AMOUNT:
            refused = manager_api.post(f"{API}/crm/deals", json.dumps(payload), content_type="application/json")
            assert refused.status_code == 400 and refused.json()["field"] == "amount", refused.content
            continue
        created = _send(manager_api, "post", f"{API}/crm/deals", payload)
        again = manager_api.get(f"{API}/crm/deals/{created['id']}").json()
        stored = Deal.objects.get(pk=created["id"])
        assert stored.amount == quantize(amount, "EUR") and stored.source_id == source.pk
        assert again["amount"] == created["amount"] == money_text(amount, "EUR")
        assert again["expected_close_date"] == (high if amount else low)
        assert again["source"]["id"] == limits.MAX_ID
    assert Deal.objects.get(amount=top).amount == top

    top_cost = top
    campaign = _send(
        manager_api,
        "post",
        f"{API}/crm/campaigns",
        {"name": "Range edges", "cost": str(top_cost), "currency": "EUR", "starts_on": low, "ends_on": high},
    )
    again = manager_api.get(f"{API}/crm/campaigns/{campaign['id']}").json()
    assert (again["cost"], again["starts_on"], again["ends_on"]) == (str(top_cost), low, high)
    assert Campaign.objects.get(pk=campaign["id"]).cost == top_cost
    event = _send(
        manager_api,
        "post",
        f"{API}/crm/events",
        {"name": "Range edges", "cost": "0", "currency": "EUR", "starts_on": low, "ends_on": high},
    )
    again = manager_api.get(f"{API}/crm/events/{event['id']}").json()
    assert (again["cost"], again["starts_on"], again["ends_on"]) == ("0.00", low, high)

    party = _send(
        manager_api,
        "post",
        f"{API}/clients/{client_of_manager.pk}/counterparties",
        {"legal_name": "Range Edges GmbH", "valid_from": low, "valid_to": high},
    )
    again = manager_api.get(f"{API}/counterparties/{party['id']}").json()
    assert (again["valid_from"], again["valid_to"]) == (low, high)

    task = _send(manager_api, "post", f"{API}/crm/tasks", {"title": "Edges", "due_at": last, "remind_at": first})
    again = manager_api.get(f"{API}/crm/tasks/{task['id']}").json()
    assert (_moment(again["due_at"]), _moment(again["remind_at"])) == (_moment(last), _moment(first))
    stored = Task.objects.get(pk=task["id"])
    assert (stored.due_at, stored.remind_at) == (_moment(last), _moment(first))

    for moment, minutes in ((first, 0), (last, limits.MAX_DURATION_MINUTES)):
        logged = _send(
            manager_api,
            "post",
            f"{API}/crm/interactions",
            {
                "client_id": client_of_manager.pk,
                "kind": "meeting",
                "subject": "Edge",
                "occurred_at": moment,
                "duration_minutes": minutes,
            },
        )
        stored = Interaction.objects.get(pk=logged["id"])
        assert (stored.occurred_at, stored.duration_minutes) == (_moment(moment), minutes)
        assert (_moment(logged["occurred_at"]), logged["duration_minutes"]) == (_moment(moment), minutes)

    complaint = _send(
        manager_api,
        "post",
        f"{API}/crm/complaints",
        {"client_id": client_of_manager.pk, "category": "quality", "description": "Edge", "deadline": last},
    )
    again = manager_api.get(f"{API}/crm/complaints/{complaint['id']}").json()
    assert _moment(again["deadline"]) == _moment(last) == Complaint.objects.get(pk=complaint["id"]).deadline


def test_exchange_rate_extremes_through_the_api(api, admin_user):
    http = api(admin_user)
    for day, rate in (("1900-01-01", limits.MAX_EXCHANGE_RATE), ("2200-12-31", limits.EXCHANGE_RATE_STEP)):
        created = _send(
            http, "post", f"{API}/exchange-rates", {"date": day, "quote_currency": "USD", "rate": str(rate)}
        )
        stored = ExchangeRate.objects.get(pk=created["id"])
        assert (stored.date.isoformat(), stored.rate) == (day, rate)
        assert (created["date"], Decimal(created["rate"])) == (day, rate)
    for field, payload in (
        ("rate", {"date": "2026-01-01", "rate": str(limits.MAX_EXCHANGE_RATE + limits.EXCHANGE_RATE_STEP)}),
        ("date", {"date": "1899-12-31", "rate": "1.5"}),
        ("date", {"date": "9999-12-31", "rate": "1.5"}),
    ):
        response = http.post(
            f"{API}/exchange-rates", json.dumps({**payload, "quote_currency": "CHF"}), content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["field"] == field, response.content
    assert not ExchangeRate.objects.filter(quote_currency="CHF").exists()
    assert http.get(f"{API}/exchange-rates", {"date_from": "0001-01-01"}).status_code == 400


def _credit_limit():
    return CreditLimit.objects.create(client=ClientFactory(), amount=Decimal(1), currency="EUR")


def _dunning_level():
    company = LegalEntity.objects.create(name="Our dunning", base_currency="EUR")
    return DunningLevel.objects.create(company=company, days_overdue=7, name="First", text="{number}")


def _dunning_reminder():
    from tandem.finance.models import Invoice

    level = _dunning_level()
    client = ClientFactory()
    invoice = Invoice.objects.create(company=level.company, client=client, status="issued", number="R-1",
                                     invoice_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 1, 15),
                                     currency="EUR", total=Decimal(1), amount_due=Decimal(1))
    return DunningReminder.objects.create(company=level.company, invoice=invoice, level=level, client=client,
                                          run_date=datetime.date(2026, 2, 1), days_overdue=17, amount_due=Decimal(1),
                                          currency="EUR", text="R-1")
