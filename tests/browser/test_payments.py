"""An accountant registers a payment against an issued invoice in the browser: the client's open invoices
appear when the client is chosen (htmx), the amount is allocated, and the payment page shows the invoice paid;
on a 390 px phone too, starting from the invoice."""

import datetime

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.finance.tests.invoice_fixtures import issue_customer_invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def books(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="books")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    year = datetime.date.today().year
    services.create_fiscal_year(company, start_date=datetime.date(year, 1, 1), by=accountant)
    banking.create_payment_account(company, by=accountant, name="Main bank")
    payer = CounterpartyFactory(client=ClientFactory(name="Acme Trading"), legal_name="Acme Trading GmbH")
    invoice = issue_customer_invoice(company, by=accountant, counterparty=payer, total="1190.00",
                                     invoice_date=datetime.date(year, 1, 2))
    return accountant, invoice


def test_register_a_payment_and_see_the_invoice_paid(page, login, books, live_server):
    accountant, invoice = books
    login(accountant.username, TEST_PASSWORD)
    page.goto("/finance/payments/")
    page.get_by_role("button", name="Register a payment").click()
    page.locator("#id_amount").fill("1190.00")
    # The client is searched, not scrolled for: the picker lists matches as one types.
    picker = page.locator("[data-picker=client]")
    picker.locator("[data-picker-search]").fill("acme")
    picker.locator("[role=option]", has_text="Acme Trading").click()
    row = page.locator(f"#open-invoices tr[data-invoice='{invoice.number}']")
    expect(row).to_contain_text("€1,190.00")
    row.get_by_label(f"Amount for {invoice.number}").fill("1190.00")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("BNK/")
    allocation = page.locator(f"#allocations tr[data-invoice='{invoice.number}']")
    expect(allocation.locator("[data-invoice-status]")).to_have_text("Paid")
    expect(page.locator("#payment-unallocated")).to_have_text("€0.00")
    page.goto("/finance/payments/")
    expect(page.locator("#payments")).to_contain_text("Acme Trading")


def test_pay_an_invoice_in_part_on_a_phone(page, login, books, live_server):
    accountant, invoice = books
    page.set_viewport_size({"width": 390, "height": 844})
    login(accountant.username, TEST_PASSWORD)
    page.goto(f"/finance/payments/new/?invoice={invoice.pk}")
    page.locator("#id_amount").fill("500.00")
    page.get_by_label(f"Amount for {invoice.number}").fill("400.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#allocations [data-invoice-status]")).to_have_text("Partly paid")
    expect(page.locator("#payment-unallocated")).to_have_text("€100.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
