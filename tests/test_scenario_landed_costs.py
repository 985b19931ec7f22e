"""A business story of landed costs: pumps and hoses are bought on one purchase order and received; the carrier's
freight bill (300 EUR) is booked to "landed costs to allocate" and allocated by weight (the heavy pumps carry most
of it); half the pumps are sold and shipped; the margin of that sale uses the landed unit cost, and the clearing
account is empty again."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity
from tandem.core.tests.factories import UserFactory
from tandem.finance import services as finance
from tandem.finance.models import Account, Journal
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import landed_costs, services
from tandem.sales.services import orders as sales_orders
from tandem.sales.services import shipments
from tandem.stock.models import Location, StockMove, Warehouse
from tandem.stock.valuation.queries import value_at
from tandem.stock_accounting.queries import reconciliation

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 1)


def balance(company, code) -> Decimal:
    account = Account.objects.get(company=company, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), Decimal(0))


def test_freight_allocated_by_weight_raises_the_unit_cost_the_sale_is_costed_at():
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    accountant = UserFactory(username="anna", role=roles.ACCOUNTANT)
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.create(code="pc", name="piece")
    pump = Product.objects.create(sku="PUMP-1", name="Pump", unit=piece, weight=Decimal("2"))
    hose = Product.objects.create(sku="HOSE-1", name="Hose", unit=piece, weight=Decimal("0.5"))
    buyer = UserFactory(username="bea", role=roles.PURCHASING)
    manager = UserFactory(username="max", role=roles.SALES_MANAGER)
    storeman = UserFactory(username="walt", role=roles.WAREHOUSE)

    # Bought and received: 100 pumps at 80, 100 hoses at 10.
    supplier = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG", valid_from=DAY), by=buyer)
    carrier = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Schnell Spedition"), legal_name="Schnell Spedition", valid_from=DAY), by=buyer)
    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=DAY, by=buyer, lines=[
        {"product": pump, "quantity": Decimal(100), "unit_price": Decimal(80)},
        {"product": hose, "quantity": Decimal(100), "unit_price": Decimal(10)}])
    order = services.approve_purchase_order(services.submit_purchase_order(order, by=buyer), by=manager)
    order = services.send_purchase_order(order, by=buyer)
    order = services.receive_purchase_order(order, lines=[(line, line.quantity, None, None)
                                                          for line in order.lines.all()],
                                            date=DAY + datetime.timedelta(days=3), by=storeman)
    assert balance(company, "1200") == Decimal("9000.00")

    # The carrier's bill: 300 EUR to "landed costs to allocate" (booked by accounting against payables).
    general = Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL).order_by("code").first()
    finance.post_entry(company=company, journal=general, date=DAY + datetime.timedelta(days=4), memo="Freight bill",
                       lines=[{"account": Account.objects.get(company=company, code="2310"), "debit": Decimal(300)},
                              {"account": Account.objects.get(company=company, code="2000"),
                               "credit": Decimal(300)}], by=accountant)

    # The buyer enters it for the order's receipts, by weight; the manager allocates it.
    freight = landed_costs.create_landed_cost(by=buyer, amount=Decimal(300), supplier=carrier, method="weight",
                                              date=DAY + datetime.timedelta(days=4), orders=[order],
                                              reference="SP-4711")
    freight = landed_costs.allocate_landed_cost(freight, by=manager)
    shares = {line.move.product.sku: line for line in freight.lines.select_related("move__product")}
    # 100 × 2 kg : 100 × 0.5 kg = 200 : 50 → 240.00 and 60.00
    assert shares["PUMP-1"].amount == Decimal("240.00") and shares["HOSE-1"].amount == Decimal("60.00")
    assert (shares["PUMP-1"].unit_cost_before, shares["PUMP-1"].unit_cost_after) == (Decimal(80), Decimal("82.4"))
    assert value_at(pump, warehouse, DAY + datetime.timedelta(days=5)).value == Decimal("8240.00")
    assert balance(company, "2310") == Decimal("0.00")  # the bill's debit, allocated to the goods
    assert balance(company, "1200") == Decimal("9300.00")

    # Half the pumps are sold at 120 and shipped.
    sales_manager = UserFactory(username="sam", role=roles.SALES_MANAGER)
    garden = ClientFactory(name="Gartenbau GmbH")
    CounterpartyFactory(client=garden, legal_name="Gartenbau GmbH", valid_from=DAY)
    sale = sales_orders.create_order(by=sales_manager, client=garden,
                                     order_date=DAY + datetime.timedelta(days=6), warehouse=warehouse,
                                     lines=[{"product": pump, "quantity": Decimal(50), "unit_price": Decimal(120)}])
    sale = sales_orders.confirm_order(sale, by=sales_manager)
    shipment = shipments.create_shipment(sale, by=storeman, shipment_date=DAY + datetime.timedelta(days=7))
    shipment = shipments.pick_shipment(shipment, by=storeman)
    shipment = shipments.pack_shipment(shipment, by=storeman)
    shipments.ship_shipment(shipment, by=storeman)
    shipped = StockMove.objects.get(kind=StockMove.Kind.SHIPMENT, product=pump)

    # The margin of the sale is costed at the landed unit cost (82.40, not the price paid, 80).
    revenue = sale.lines.get().net_amount
    assert shipped.unit_cost == Decimal("82.4") and shipped.value == Decimal("4120.00")
    assert revenue - shipped.value == Decimal("1880.00")
    assert balance(company, "5000") == Decimal("4120.00")
    assert balance(company, "1200") == Decimal("5180.00")  # 50 pumps × 82.40 + 100 hoses × 10.60
    assert reconciliation(company, DAY + datetime.timedelta(days=30)).agrees
