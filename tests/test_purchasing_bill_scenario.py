"""A business story of a supplier bill matched three ways: Bea orders 100 pumps at 80 from Pumpenwerk, the warehouse
receives 60; Pumpenwerk bills those 60 at 84 (a copper surcharge, 5 % over the order price, beyond the 2 %
tolerance); the accountant cannot post it until the purchasing manager accepts the difference; posted, the goods
received not invoiced for the order is back to zero, the surcharge sits in purchase price variances, the input VAT
on the asset tax account; the bank pays the bill and it is paid."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.errors import AccessDenied, ConflictError
from tandem.core.models import LegalEntity
from tandem.core.tests.factories import UserFactory
from tandem.finance import services as finance
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, Invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import bills, services
from tandem.stock.models import Location, Warehouse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 1)


def balance(company, code) -> Decimal:
    return sum((line.debit - line.credit for line in Account.objects.get(company=company, code=code).lines.all()),
               Decimal(0))


def test_partial_receipt_billed_with_a_surcharge_accepted_posted_and_paid():
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", base_currency="EUR", is_default=True)
    accountant = UserFactory(username="alma", role=roles.ACCOUNTANT)
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    pump = Product.objects.create(sku="PUMP-1", name="Pump", unit=Unit.objects.create(code="pc", name="piece"))
    buyer = UserFactory(username="bea", role=roles.PURCHASING)
    manager = UserFactory(username="max", role=roles.SALES_MANAGER)
    storeman = UserFactory(username="walt", role=roles.WAREHOUSE)
    supplier = services.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG", valid_from=DAY), by=buyer)

    # Bea orders 100 pumps at 80 (19 % VAT); Max approves; the order goes out; 60 arrive.
    order = services.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=DAY, by=buyer,
                                           lines=[{"product": pump, "quantity": Decimal(100),
                                                   "unit_price": Decimal(80), "tax_rate": Decimal(19)}])
    order = services.approve_purchase_order(services.submit_purchase_order(order, by=buyer), by=manager)
    order = services.send_purchase_order(order, by=buyer)
    order = services.receive_purchase_order(order, lines=[(order.lines.get(), 60, None, None)],
                                            date=DAY + datetime.timedelta(days=9), by=storeman)
    assert order.status == "partly_received"
    assert balance(company, "2300") == Decimal("-4800.00")  # 60 × 80 received, not invoiced yet

    # Pumpenwerk's invoice RE-2026-0815 bills the 60 pumps at 84.
    bill = bills.bill_order(order, by=buyer, supplier_reference="RE-2026-0815",
                            invoice_date=DAY + datetime.timedelta(days=10))
    assert bill.lines.get().quantity == 60
    bill = bills.update_bill(bill, by=buyer, expected_version=bill.version, lines=[{"position": 1, "unit_price": "84"}])
    assert bill.total == Decimal("5997.60")  # 5040 + 19 %

    # Alma cannot post it: line 1 is 5 % dearer than ordered.
    with pytest.raises(ConflictError) as held:
        bills.issue_bill(bill, by=accountant)
    assert held.value.code == "bill_mismatch" and "line 1" in held.value.message
    with pytest.raises(AccessDenied):
        bills.accept_bill_mismatch(bill, by=buyer)  # the buyer may not wave it through

    # Max accepts the surcharge; Alma posts the bill.
    match = bills.accept_bill_mismatch(bill, by=manager, note="Copper surcharge, see mail of 9 June")
    assert (match.accepted_by, match.status) == (manager, "accepted")
    bill = bills.issue_bill(bill, by=accountant)
    assert bill.number == "BILL/2026/00001" and bill.status == "issued"
    assert balance(company, "2300") == 0  # goods received not invoiced for the order: cleared
    assert balance(company, "5300") == Decimal("240.00")  # 60 × 4 surcharge
    assert balance(company, "1150") == Decimal("957.60")  # input VAT, asset tax account
    assert balance(company, "2000") == Decimal("-5997.60")
    order.refresh_from_db()
    assert order.lines.get().billed_quantity == 60 and order.status == "partly_received"

    # The bank pays Pumpenwerk; the bill is paid and the payable settled.
    bank = banking.create_payment_account(company, by=accountant, name="Main bank", currency="EUR")
    banking.register_payment(company, direction="out", payment_account=bank, date=DAY + datetime.timedelta(days=20),
                             amount=Decimal("5997.60"), client=supplier.counterparty.client,
                             counterparty=supplier.counterparty, allocations=[(bill, Decimal("5997.60"))],
                             by=accountant)
    bill = Invoice.objects.get(pk=bill.pk)
    assert (bill.status, bill.amount_due) == ("paid", 0)
    assert balance(company, "2000") == 0
