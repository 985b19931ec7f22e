"""The whole story of issue #15 as a small furniture maker lives it: a client orders three oak tables that are not in
stock; the planning run proposes to make them and to buy their legs and tops; the planner confirms; the buyer's
order is received and the carrier's freight is allocated to it by weight; the tables are made (a fifth of the legs
break on the way, as the BOM's scrap allowance says), shipped, and the sale's margin is exact to the cent — with
the books agreeing: work in progress and the landed-cost clearing account empty, inventory equal to stock value."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity
from tandem.core.tests.factories import UserFactory
from tandem.finance import services as finance
from tandem.finance.models import Account, Journal
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.planning import services as planning
from tandem.planning.models import PlanningProposal
from tandem.production import services as production
from tandem.production.models import Bom, BomLine, BomOperation, ProductionOrder, WorkCentre
from tandem.purchasing import landed_costs
from tandem.purchasing import services as purchasing
from tandem.purchasing.models import PurchaseOrder, SupplierPrice
from tandem.sales.services import orders as sales_orders
from tandem.sales.services import shipments
from tandem.stock.models import Location, StockMove, Warehouse
from tandem.stock_accounting.queries import reconciliation

pytestmark = pytest.mark.django_db


def balance(company, code) -> Decimal:
    account = Account.objects.get(company=company, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), Decimal(0))


def test_a_table_order_short_of_stock_is_planned_bought_made_shipped_and_costed_to_the_cent(settings):
    settings.SALES_ALLOW_CONFIRM_WITH_SHORTAGE = True
    today = timezone.localdate()
    company = LegalEntity.objects.create(name="Eiche Möbel GmbH", base_currency="EUR", is_default=True)
    accountant = UserFactory(username="anna", role=roles.ACCOUNTANT)
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(today.year, 1, 1), by=accountant)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Workshop")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.create(code="pc", name="piece")
    table = Product.objects.create(sku="TABLE", name="Oak table", unit=piece)
    leg = Product.objects.create(sku="LEG", name="Oak leg", unit=piece, weight=Decimal(1))
    top = Product.objects.create(sku="TOP", name="Oak top", unit=piece, weight=Decimal(9))
    seller = UserFactory(username="sam", role=roles.SALES_MANAGER)
    buyer = UserFactory(username="bea", role=roles.PURCHASING)
    storeman = UserFactory(username="walt", role=roles.WAREHOUSE)
    maker = UserFactory(username="max", role=roles.PRODUCTION)

    # A table: four legs (a fifth of them breaks: 20 % scrap → 5 bought per table) and a top, 30 minutes assembly.
    assembly = WorkCentre.objects.create(company=company, code="ASM", name="Assembly", hourly_cost=Decimal(30))
    bom = Bom.objects.create(product=table, code="v1", valid_from=datetime.date(2020, 1, 1))
    BomLine.objects.create(bom=bom, position=1, component=leg, quantity=Decimal(4), scrap_percent=Decimal(20))
    BomLine.objects.create(bom=bom, position=2, component=top, quantity=Decimal(1))
    BomOperation.objects.create(bom=bom, name="Assemble", work_centre=assembly, minutes_per_unit=Decimal(30))
    holzwerk = purchasing.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Holzwerk KG"), legal_name="Holzwerk KG", valid_from=datetime.date(2020, 1, 1)),
        by=buyer)
    carrier = purchasing.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Schnell Spedition"), legal_name="Schnell Spedition",
        valid_from=datetime.date(2020, 1, 1)), by=buyer)
    for product, price in ((leg, "5.00"), (top, "40.00")):
        SupplierPrice.objects.create(supplier=holzwerk, product=product, currency="EUR", unit_price=Decimal(price),
                                     lead_time_days=3, is_preferred=True)

    # 1. Three tables sold at 250 each, none in stock: confirmed short.
    garden = ClientFactory(name="Gasthaus Linde")
    CounterpartyFactory(client=garden, legal_name="Gasthaus Linde OHG", valid_from=datetime.date(2020, 1, 1))
    sale = sales_orders.create_order(by=seller, client=garden, warehouse=warehouse, order_date=today,
                                     requested_date=today + datetime.timedelta(days=14),
                                     lines=[{"product": table, "quantity": Decimal(3), "unit_price": Decimal(250)}])
    sale = sales_orders.confirm_order(sale, by=seller)
    assert sale.lines.get().short_quantity == Decimal(3)

    # 2. Planning: make 3 tables (for the order), buy 15 legs and 3 tops (for the tables), pegged to what they serve.
    planning.run_planning(by=seller)
    proposals = {p.product.sku: p for p in PlanningProposal.objects.select_related("product")}
    assert {sku: (p.kind, p.quantity) for sku, p in proposals.items()} == {
        "TABLE": ("make", Decimal(3)), "LEG": ("purchase", Decimal(15)), "TOP": ("purchase", Decimal(3))}
    assert proposals["TABLE"].need_date == today + datetime.timedelta(days=14)
    assert proposals["LEG"].start_date <= proposals["TABLE"].start_date

    # 3. Confirmed at once: one purchase order to the supplier, one draft production order.
    planning.confirm_proposals([p.pk for p in proposals.values()], by=seller)
    order = PurchaseOrder.objects.get()
    making = ProductionOrder.objects.get()
    assert order.supplier == holzwerk and order.total == Decimal("195.00")  # 15 × 5 + 3 × 40, no tax
    assert (making.product, making.quantity, making.status) == (table, Decimal(3), "draft")

    # 4. Bought and received; the carrier's 42 EUR freight goes by weight: legs 15 kg, tops 27 kg.
    order = purchasing.submit_purchase_order(order, by=buyer)
    assert order.status == "approved"  # below the legal entity's approval threshold
    order = purchasing.send_purchase_order(order, by=buyer)
    order = purchasing.receive_purchase_order(order, lines=[(line, line.quantity, None, None)
                                                            for line in order.lines.all()], date=today, by=storeman)
    general = Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL).order_by("code").first()
    finance.post_entry(company=company, journal=general, date=today, memo="Freight bill",
                       lines=[{"account": Account.objects.get(company=company, code="2310"), "debit": Decimal(42)},
                              {"account": Account.objects.get(company=company, code="2000"), "credit": Decimal(42)}],
                       by=accountant)
    freight = landed_costs.create_landed_cost(by=buyer, amount=Decimal(42), supplier=carrier, method="weight",
                                              date=today, orders=[order], reference="SP-42")
    freight = landed_costs.allocate_landed_cost(freight, by=seller)
    shares = {line.move.product.sku: line for line in freight.lines.select_related("move__product")}
    assert (shares["LEG"].amount, shares["LEG"].unit_cost_after) == (Decimal("15.00"), Decimal(6))  # 5 + 1
    assert (shares["TOP"].amount, shares["TOP"].unit_cost_after) == (Decimal("27.00"), Decimal(49))  # 40 + 9

    # 5. Made: 15 legs and 3 tops consumed, 90 minutes of assembly, 3 tables produced at their actual cost.
    making = production.confirm_production_order(making, by=maker)
    assert making.standard_cost == Decimal("282.00")  # 15 × 6 + 3 × 49 + 90 min × 30 / 60, landed costs included
    making = production.start_production_order(making, by=maker)
    legs_needed, tops_needed = making.components.order_by("position")
    assert legs_needed.required_quantity == Decimal(15)
    making = production.consume_components(making, by=maker, effective_date=today, lines=[
        production.Consumption(legs_needed, Decimal(15)), production.Consumption(tops_needed, Decimal(3))])
    making = production.book_operation(making, operation=making.operations.get(), minutes=90, by=maker,
                                       effective_date=today)
    making = production.produce_output(making, quantity=3, by=maker, effective_date=today)
    making = production.finish_production_order(making, by=maker, effective_date=today)
    assert making.actual_cost == Decimal("282.00") and making.variance == 0
    assert balance(company, "1220") == 0  # nothing left in work in progress

    # 6. Shipped: the three tables leave at 94.00 each; the sale's margin is 750 − 282 = 468.00.
    shipment = shipments.create_shipment(sale, by=storeman, shipment_date=today)
    shipment = shipments.pack_shipment(shipments.pick_shipment(shipment, by=storeman), by=storeman)
    shipments.ship_shipment(shipment, by=storeman)
    shipped = StockMove.objects.get(kind=StockMove.Kind.SHIPMENT, product=table)
    assert shipped.unit_cost == Decimal(94) and shipped.value == Decimal("282.00")
    revenue = sale.lines.get().net_amount
    assert revenue - shipped.value == Decimal("468.00")
    assert balance(company, "5000") == Decimal("282.00")  # cost of goods sold
    assert balance(company, "2310") == 0  # the freight bill, all of it in the tables' cost
    assert reconciliation(company, today).agrees  # inventory accounts equal the stock value (nothing left)
