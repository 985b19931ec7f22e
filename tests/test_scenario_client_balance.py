"""A business story: Acme orders three pumps; the warehouse ships them; the accountant invoices the shipment and
the client card shows what Acme owes; Acme pays part of it and the card's balance drops to the total less what
was paid, the overdue amount and the credit limit beside it. The receivable account agrees."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import services as finance
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, CreditLimit, Invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.services import invoicing, orders, shipments
from tandem.stock import services as stock_services
from tandem.stock.models import Location, StockMove, Warehouse

pytestmark = pytest.mark.django_db


def card(client, pk) -> dict[str, str]:
    """The balance panel of the client card as the reader sees it: balance, overdue, limit."""
    page = client.get(f"/clients/{pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    return {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(
        rf"<dd data-{name}[^>]*>(.*?)</dd>", html, re.S).group(1))).strip() for name in ("balance", "overdue", "limit")}


def test_the_client_card_balance_drops_by_what_was_paid(make_user, client):
    accountant = make_user(roles.ACCOUNTANT, username="anna")
    manager = make_user(roles.SALES_MANAGER, username="mark")
    storekeeper = make_user(roles.WAREHOUSE, username="sven")
    today = timezone.localdate()
    company = default_legal_entity()
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(today.year, 1, 1), by=accountant)
    bank = banking.create_payment_account(company, by=accountant, name="Main bank", currency="EUR")

    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    pump = Product.objects.create(sku="PUMP", name="Pump", unit=Unit.objects.create(code="pc", name="piece"),
                                  tax_category=TaxCategory.objects.create(name="VAT 20", rate=D(20)))
    stock_services.record_move(product=pump, quantity=D(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=today, unit_cost=D(60), by=None)
    acme = ClientFactory(name="Acme", owner=manager)
    CounterpartyFactory(client=acme, legal_name="Acme Ltd", valid_from=datetime.date(2024, 1, 1))
    CreditLimit.objects.create(client=acme, amount=D("5000.00"), currency="EUR")

    order = orders.confirm_order(orders.create_order(by=manager, client=acme, warehouse=warehouse, lines=[
        {"product": pump, "quantity": D(3), "unit_price": D("99.50")}]), by=manager)
    shipment = shipments.create_shipment(order, by=storekeeper)
    shipment = shipments.ship_shipment(shipments.pack_shipment(shipments.pick_shipment(shipment, by=storekeeper),
                                                               by=storekeeper), by=storekeeper)
    client.force_login(accountant)
    assert card(client, acme.pk)["balance"] == "€0.00"  # shipped, not invoiced: owes nothing yet

    invoice = invoicing.invoice_order(order, by=accountant, shipment=shipment, invoice_date=today)
    assert (invoice.status, invoice.total) == (Invoice.Status.ISSUED, D("358.20"))  # 298.50 + 20 % VAT
    assert card(client, acme.pk) == {"balance": "€358.20", "overdue": "€0.00", "limit": "€5,000.00"}

    banking.register_payment(company, direction="in", payment_account=bank, date=today, amount=D("158.20"),
                             client=acme, by=accountant, allocations=[(invoice, D("158.20"))])
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == (Invoice.Status.PARTLY_PAID, D("200.00"))
    assert card(client, acme.pk) == {"balance": "€200.00", "overdue": "€0.00", "limit": "€5,000.00"}
    receivable = Account.objects.get(company=company, code="1100")
    assert sum((line.debit - line.credit for line in receivable.lines.all()), D(0)) == D("200.00")

    # Money paid beyond the invoices is the client's credit: it lowers the balance too.
    banking.register_payment(company, direction="in", payment_account=bank, date=today, amount=D("50.00"),
                             client=acme, by=accountant)
    assert card(client, acme.pk)["balance"] == "€150.00"
