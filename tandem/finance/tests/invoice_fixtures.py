"""Fixtures of the invoice tests: the ledger of finance's conftest in Poland (base PLN... kept EUR for the
chart), a client with a counterparty owned by a representative, a taxed product."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory


@pytest.fixture
def polish_ledger(ledger):
    ledger.country = "PL"
    ledger.save(update_fields=["country"])
    return ledger


@pytest.fixture
def billed_client(sales_rep):
    client = ClientFactory(name="Acme Pumps sp. z o.o.", owner=sales_rep)
    CounterpartyFactory(client=client, legal_name="Acme Pumps sp. z o.o.", valid_from=datetime.date(2024, 1, 1))
    return client


@pytest.fixture
def standard_vat(db):
    return TaxCategory.objects.create(name="Standard 23 %", rate=Decimal(23))


@pytest.fixture
def widget(db, standard_vat):
    unit = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    return Product.objects.create(sku="W-1", name="Widget", unit=unit, tax_category=standard_vat)


def line(quantity, price, **extra):
    return {"description": extra.pop("description", "Widget"), "quantity": Decimal(str(quantity)),
            "unit_price": Decimal(str(price)), **extra}


def issue_customer_invoice(company, *, by, counterparty, total="1190.00", tax="190.00", currency="EUR", rate="1",
                           invoice_date=datetime.date(2026, 3, 2), due_days=14, description="Services"):
    """A customer invoice made and issued by the real services (`create_invoice` + `issue_invoice`): one line of
    net `total − tax` taxed at the percentage that gives `tax`, numbered INV/<year>/<n> and posted in the sales
    journal. The total is checked, so a test states what the client owes."""
    from tandem.finance.services import create_invoice, issue_invoice

    total, tax = Decimal(str(total)), Decimal(str(tax))
    net = total - tax
    percent = (tax * 100 / net).quantize(Decimal("0.0001")) if tax else Decimal(0)
    foreign = currency != company.base_currency
    invoice = create_invoice(by=by, client=counterparty.client, company=company, counterparty=counterparty,
                             invoice_date=invoice_date, due_date=invoice_date + datetime.timedelta(days=due_days),
                             currency=currency, rate=Decimal(str(rate)) if foreign else None,
                             lines=[{"description": description, "quantity": Decimal(1), "unit_price": net,
                                     "tax_percent": percent}])
    assert invoice.total == total, (invoice.total, total)
    return issue_invoice(invoice, by=by)
