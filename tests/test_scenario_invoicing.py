"""A business story, start to finish: Acme orders five pumps; the warehouse ships three; the accountant
invoices that shipment; Acme sends one pump back and gets a credit note, which lowers what it owes. The ledger
agrees at every step."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import services as finance
from tandem.finance.models import Account, Invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.services import invoicing, orders, returns, shipments
from tandem.stock import services as stock_services
from tandem.stock.models import Location, StockMove, Warehouse

pytestmark = pytest.mark.django_db


def balance(company, code):
    account = Account.objects.get(company=company, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), D(0))


def test_order_shipment_invoice_and_credit_note_from_a_return(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="anna")
    manager = make_user(roles.SALES_MANAGER, username="mark")
    storekeeper = make_user(roles.WAREHOUSE, username="sven")

    # Our books: the chart (with the taxes of our markets) and the year 2026.
    company = default_legal_entity()
    company.country = "PL"
    company.save(update_fields=["country"])
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)

    # A pump at 23 % VAT, ten of them on the shelf.
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.create(code="pc", name="piece")
    vat = TaxCategory.objects.create(name="VAT 23", rate=D(23))
    pump = Product.objects.create(sku="PUMP", name="Pump", unit=piece, tax_category=vat)
    stock_services.record_move(product=pump, quantity=D(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=datetime.date(2026, 3, 1), unit_cost=D(60), by=None)

    # Acme orders five pumps at 100.00.
    acme = ClientFactory(name="Acme", owner=manager)
    CounterpartyFactory(client=acme, legal_name="Acme sp. z o.o.", valid_from=datetime.date(2024, 1, 1))
    order = orders.create_order(by=manager, client=acme, order_date=datetime.date(2026, 3, 2), warehouse=warehouse,
                                lines=[{"product": pump, "quantity": D(5), "unit_price": D(100)}])
    order = orders.confirm_order(order, by=manager)

    # The warehouse ships three.
    shipment = shipments.create_shipment(order, by=storekeeper, shipment_date=datetime.date(2026, 3, 3),
                                         lines=[{"order_line": order.lines.get(), "quantity": D(3)}])
    shipment = shipments.ship_shipment(shipments.pack_shipment(shipments.pick_shipment(shipment, by=storekeeper),
                                                               by=storekeeper), by=storekeeper)

    # The sales manager may prepare the invoice but not issue it; the accountant invoices the shipment.
    assert invoicing.can_invoice_shipment(manager, shipment)
    invoice = invoicing.invoice_order(order, by=accountant, shipment=shipment, invoice_date=datetime.date(2026, 3, 4))
    assert (invoice.number, invoice.status) == ("INV/2026/00001", Invoice.Status.ISSUED)
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (D("300.00"), D("69.00"), D("369.00"))
    assert order.lines.get().invoiced_quantity == D(3)
    assert balance(company, "1100") == D("369.00")  # Acme owes us
    assert balance(company, "4000") == D("-300.00") and balance(company, "2100") == D("-69.00")

    # Acme sends one pump back; the warehouse receives it; the accountant credits it.
    back = returns.create_return(order, by=storekeeper, return_date=datetime.date(2026, 3, 10),
                                 lines=[{"order_line": order.lines.get(), "quantity": D(1)}])
    back = returns.receive_return(back, by=storekeeper)
    note = invoicing.credit_return(back, by=accountant, invoice_date=datetime.date(2026, 3, 11))
    assert (note.number, note.total, note.credited_invoice) == ("CN/2026/00001", D("123.00"), invoice)

    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.status) == (D("246.00"), Invoice.Status.PARTLY_PAID)
    assert balance(company, "1100") == D("246.00")
    assert balance(company, "2100") == D("-46.00")

    # The two pumps still at the warehouse are invoiced with the rest of the order, not the returned one again.
    rest = invoicing.invoice_order(order, by=accountant, invoice_date=datetime.date(2026, 3, 12))
    assert [line.quantity for line in rest.lines.all()] == [D(2)]
