"""Invoicing sales orders: from the uninvoiced quantities or one shipment, never twice; a cancelled draft gives
its quantities back; a credit note from a received return."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.finance import services as finance
from tandem.finance.models import Invoice
from tandem.sales.services import invoicing, returns, shipments

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 12)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="acc1")


@pytest.fixture
def books(company, accountant):
    finance.install_chart_template(company, by=accountant)
    finance.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    return company


def _ship(order, by, lines=None):
    shipment = shipments.create_shipment(order, by=by, lines=lines, shipment_date=datetime.date(2026, 3, 3))
    return shipments.ship_shipment(shipments.pack_shipment(shipments.pick_shipment(shipment, by=by), by=by), by=by)


def test_representative_drafts_the_whole_order_and_nothing_twice(books, make_order, receive, pump, installation,
                                                                 sales_rep, accountant):
    receive(pump, 10)
    order = make_order([(pump, 4), (installation, 1)])
    draft = invoicing.invoice_order(order, by=sales_rep, invoice_date=DAY)
    assert draft.status == Invoice.Status.DRAFT  # a representative may not issue
    assert draft.total == D("125.00") and draft.client_id == order.client_id
    assert [line.invoiced_quantity for line in order.lines.order_by("pk")] == [D(4), D(1)]
    with pytest.raises(BusinessRuleError) as error:
        invoicing.invoice_order(order, by=sales_rep)
    assert error.value.code == "nothing_to_invoice"
    finance.cancel_invoice(draft, by=sales_rep)
    assert [line.invoiced_quantity for line in order.lines.order_by("pk")] == [D(0), D(0)]
    issued = invoicing.invoice_order(order, by=accountant, invoice_date=DAY)
    assert issued.status == Invoice.Status.ISSUED and issued.number == "INV/2026/00001"


def test_invoice_from_one_shipment_then_the_rest(books, make_order, receive, pump, installation, storekeeper,
                                                 accountant):
    receive(pump, 10)
    order = make_order([(pump, 5), (installation, 1)])
    pump_line = order.lines.get(product=pump)
    shipment = _ship(order, storekeeper, lines=[{"order_line": pump_line, "quantity": D(2)}])
    first = invoicing.invoice_order(order, by=accountant, shipment=shipment, invoice_date=DAY)
    assert [(line.quantity, line.net_amount) for line in first.lines.all()] == [(D(2), D("50.00"))]
    with pytest.raises(ConflictError) as error:
        invoicing.invoice_order(order, by=accountant, shipment=shipment)
    assert error.value.code == "already_invoiced"
    rest = invoicing.invoice_order(order, by=accountant, invoice_date=DAY)
    assert sorted(line.quantity for line in rest.lines.all()) == [D(1), D(3)]


def test_draft_order_and_foreign_client_are_refused(books, make_order, pump, sales_rep, other_rep):
    order = make_order([(pump, 1)], confirm=False)
    with pytest.raises(ConflictError):
        invoicing.invoice_order(order, by=sales_rep)
    with pytest.raises(AccessDenied):
        invoicing.invoice_order(order, by=other_rep)


def test_credit_note_from_a_received_return(books, make_order, receive, pump, storekeeper, accountant, sales_rep):
    receive(pump, 10)
    order = make_order([(pump, 4)])
    _ship(order, storekeeper)
    invoice = invoicing.invoice_order(order, by=accountant, invoice_date=DAY)
    back = returns.create_return(order, by=storekeeper, lines=[{"order_line": order.lines.get(), "quantity": D(1)}],
                                 return_date=DAY)
    with pytest.raises(ConflictError):
        invoicing.credit_return(back, by=accountant)
    back = returns.receive_return(back, by=storekeeper)
    with pytest.raises(AccessDenied):
        invoicing.credit_return(back, by=sales_rep)
    note = invoicing.credit_return(back, by=accountant, invoice_date=DAY)
    assert note.kind == Invoice.Kind.CUSTOMER_CREDIT_NOTE and note.total == D("25.00")
    assert note.credited_invoice == invoice
    invoice.refresh_from_db()
    assert invoice.amount_due == D("75.00")
    with pytest.raises(ConflictError):
        invoicing.credit_return(back, by=accountant)


def test_api_invoices_an_order_and_lists_its_invoices(books, make_order, receive, pump, api, sales_rep, accountant):
    import json

    receive(pump, 10)
    order = make_order([(pump, 2)])
    url = f"/api/v1/sales/orders/{order.pk}"
    response = api(sales_rep).post(f"{url}/invoice", json.dumps({"invoice_date": "2026-03-12"}),
                                   content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["total"]) == ("draft", "50.00")
    again = api(accountant).post(f"{url}/invoice", "{}", content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "nothing_to_invoice"
    listed = api(sales_rep).get(f"{url}/invoices").json()
    assert [row["id"] for row in listed] == [response.json()["id"]]


def test_sales_imports_the_totals_from_finance():
    from tandem.finance import calculations
    from tandem.sales import calculations as sales_calculations

    assert sales_calculations.document_totals is calculations.document_totals
