"""The books after any story of sales and money: orders shipped (the shipment posts the cost of goods sold) and
invoiced from their shipment, invoices made alone, credit notes, payments in part, in full and too large (the
rest stays the client's credit), goods received back-dated and receipts whose cost is corrected (both revalue
what was shipped since). Whatever the order of events, with the real services throughout:

- every entry balances, and the trial balance of the year adds up to zero;
- the receivable control account (1100) equals what the clients owe as receivables define it: the open customer
  invoices' amount due (credit notes negative) less the unallocated incoming payments — the sum of every
  client's `client_exposure(...).balance`;
- the inventory account equals the stock value (no stock posting left pending)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import queries as ledger_queries
from tandem.finance import services as finance
from tandem.finance.banking import services as banking
from tandem.finance.models import EntryLine, Invoice, Payment
from tandem.finance.receivables.queries import client_exposure
from tandem.finance.services.invoices import credited_quantities
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.services import invoicing, orders, shipments
from tandem.stock import services as stock
from tandem.stock.models import Location, StockMove, Warehouse
from tandem.stock.valuation import services as valuation
from tandem.stock_accounting.queries import reconciliation

START = datetime.date(2026, 2, 1)
END = datetime.date(2026, 12, 31)
days = st.integers(0, 90)
clients = st.integers(0, 1)
prices = st.decimals("0.01", "999.99", places=2)
operation = st.one_of(
    st.tuples(st.just("sale"), clients, st.integers(1, 5), prices, days, st.booleans()),  # invoiced or not
    st.tuples(st.just("invoice"), clients, prices, st.sampled_from([D(0), D(7), D(19)]), days),
    st.tuples(st.just("credit"), st.integers(0, 20), st.booleans(), days),  # one unit, or everything left
    st.tuples(st.just("pay"), clients, st.integers(0, 20), st.sampled_from([D("0.4"), D(1), D("1.3")]), days),
    st.tuples(st.just("advance"), clients, prices, days),  # a payment allocated to nothing
    st.tuples(st.just("receipt"), st.integers(1, 20), st.decimals("0.01", "99.99", places=2), days),
    st.tuples(st.just("correct"), st.integers(0, 20), st.decimals("0.01", "99.99", places=2), days),
)


@pytest.fixture
def world(make_user):
    user = make_user(roles.ACCOUNTANT, username="books")
    user.groups.add(*Group.objects.filter(name__in=[roles.SALES_MANAGER, roles.WAREHOUSE]))
    company = default_legal_entity()
    finance.install_chart_template(company, by=user)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=user)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main", allow_negative=True)
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    vat = TaxCategory.objects.create(name="VAT 19", rate=D(19))
    pump = Product.objects.create(sku="PUMP", name="Pump", unit=Unit.objects.create(code="pc", name="piece"),
                                  tax_category=vat)
    payers = []
    for name in ("Acme", "Globex"):
        client = ClientFactory(name=name, owner=user)
        payers.append(CounterpartyFactory(client=client, legal_name=f"{name} GmbH",
                                          valid_from=datetime.date(2024, 1, 1)))
    bank = banking.create_payment_account(company, by=user, name="Main bank", currency="EUR")
    return user, company, warehouse, shelf, pump, payers, bank


def _money(value: D) -> D:
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _story(world, ops) -> None:
    user, company, warehouse, shelf, pump, payers, bank = world
    receipts = [stock.record_move(product=pump, quantity=D(50), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                                  effective_date=START, unit_cost=D(20), by=user)]
    invoices: list[Invoice] = []
    for op in ops:
        kind, date = op[0], START + datetime.timedelta(days=op[-1])
        if kind == "sale":
            _kind, who, quantity, price, _day, invoiced = op
            order = orders.create_order(by=user, client=payers[who].client, order_date=date, warehouse=warehouse,
                                        lines=[{"product": pump, "quantity": D(quantity), "unit_price": price}])
            order = orders.confirm_order(order, by=user)
            shipment = shipments.create_shipment(order, by=user, shipment_date=date)
            shipment = shipments.ship_shipment(shipments.pack_shipment(shipments.pick_shipment(shipment, by=user),
                                                                       by=user), by=user)
            if invoiced:
                invoices.append(invoicing.invoice_order(order, by=user, shipment=shipment, invoice_date=date))
        elif kind == "invoice":
            _kind, who, net, percent, _day = op
            draft = finance.create_invoice(by=user, client=payers[who].client, company=company,
                                           counterparty=payers[who], invoice_date=date, lines=[
                                               {"description": "Installation", "quantity": D(1), "unit_price": net,
                                                "tax_percent": percent}])
            invoices.append(finance.issue_invoice(draft, by=user))
        elif kind == "credit":
            _kind, pick, one_unit, _day = op
            creditable = [i for i in invoices if not i.is_credit]
            if not creditable:
                continue
            original = Invoice.objects.get(pk=creditable[pick % len(creditable)].pk)
            done = credited_quantities(original)
            left = [(line, line.quantity - done.get(line.pk, D(0))) for line in original.lines.order_by("position")]
            left = [(line, quantity) for line, quantity in left if quantity > 0]
            if not left or not original.can_credit():
                continue
            wanted = [{"line": left[0][0].pk, "quantity": min(D(1), left[0][1])}] if one_unit else None
            invoices.append(finance.create_credit_note(original, by=user, lines=wanted,
                                                       invoice_date=max(date, original.invoice_date)))
        elif kind in ("pay", "advance"):
            who = op[1]
            allocations, amount = [], op[2] if kind == "advance" else D("50.00")  # nothing owed: an advance
            if kind == "pay":
                owing = list(Invoice.objects.filter(client=payers[who].client, kind=Invoice.Kind.CUSTOMER_INVOICE,
                                                    status__in=Invoice.OPEN_STATUSES, amount_due__gt=0)
                             .order_by("pk"))
                if owing:
                    invoice = owing[op[2] % len(owing)]
                    amount = max(_money(invoice.amount_due * op[3]), D("0.01"))
                    allocations = [(invoice, min(amount, invoice.amount_due))]
            banking.register_payment(company, direction=Payment.Direction.INCOMING, payment_account=bank, date=date,
                                     amount=amount,
                                     client=payers[who].client, counterparty=payers[who], by=user,
                                     allocations=allocations)
        elif kind == "receipt":
            _kind, quantity, cost, _day = op
            receipts.append(stock.record_move(product=pump, quantity=D(quantity), kind=StockMove.Kind.RECEIPT,
                                              to_location=shelf, effective_date=date, unit_cost=cost, by=user))
        else:  # correct the cost of an earlier receipt from `date` on
            _kind, pick, cost, _day = op
            receipt = receipts[pick % len(receipts)]
            valuation.correct_cost(receipt, unit_cost=cost, by=user,
                                   effective_date=max(date, receipt.effective_date))


def _net(company, code: str) -> D:
    sums = EntryLine.objects.filter(company=company, account__code=code).aggregate(debit=Sum("debit"),
                                                                                    credit=Sum("credit"))
    return (sums["debit"] or D(0)) - (sums["credit"] or D(0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=8))
def test_the_books_agree_with_receivables_and_stock_after_any_story(world, ops):
    user, company, *_rest, payers, _bank = world
    with transaction.atomic():  # every example starts from the same empty books
        _story(world, ops)

        unbalanced = [row for row in EntryLine.objects.filter(company=company).values("entry").order_by()
                      .annotate(debit=Sum("debit"), credit=Sum("credit")) if row["debit"] != row["credit"]]
        assert unbalanced == []
        report = ledger_queries.trial_balance(company, datetime.date(2026, 1, 1), END)
        assert report.totals["closing"] == 0 and report.totals["debit"] == report.totals["credit"]

        balances = [client_exposure(payer.client, on=END, company=company) for payer in payers]
        open_due = sum((i.amount_due if i.kind == Invoice.Kind.CUSTOMER_INVOICE else -i.amount_due
                        for i in Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES,
                                                        kind__in=Invoice.CUSTOMER_KINDS)), D(0))
        unallocated = Payment.objects.filter(company=company, status=Payment.Status.POSTED,
                                             direction=Payment.Direction.INCOMING).aggregate(
            s=Sum("unallocated_amount"))["s"] or D(0)
        assert _net(company, "1100") == open_due - unallocated == sum((b.balance for b in balances), D(0))

        state = reconciliation(company, END)
        assert state.pending_count == 0
        assert state.inventory_balance == state.stock_value
        transaction.set_rollback(True)
