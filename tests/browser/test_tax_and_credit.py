"""An accountant opens the tax report from the report picker and sees the tie-out with the tax accounts (0.00),
then a manual entry on the output VAT account makes a difference listed below it; on a credit note with credit
left she applies it to another open invoice of the client. Both fit a phone."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.finance.models import Account, Journal
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def books(make_user):
    """This month: INV A (123.00) paid and then credited, INV B (246.00) open."""
    accountant = make_user(roles.ACCOUNTANT, username="taxes")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    today = timezone.localdate()
    services.create_fiscal_year(company, start_date=datetime.date(today.year, 1, 1), by=accountant)
    client = ClientFactory(name="Acme Pumps")
    CounterpartyFactory(client=client, legal_name="Acme Pumps Ltd", valid_from=datetime.date(2020, 1, 1))
    day = today.replace(day=1)

    def issue(net):
        invoice = services.create_invoice(by=accountant, client=client, invoice_date=day, lines=[
            {"description": "Pump", "quantity": Decimal(1), "unit_price": Decimal(net), "tax_percent": "23"}])
        return services.issue_invoice(invoice, by=accountant)

    first = issue("100")
    bank = banking.create_payment_account(company, by=accountant, name="Bank", currency=company.base_currency)
    banking.register_payment(company, direction="in", payment_account=bank, date=day, amount=Decimal("123.00"),
                             client=client, allocations=[(first, Decimal("123.00"))], by=accountant)
    note = services.create_credit_note(first, by=accountant, invoice_date=day)
    second = issue("200")
    return {"user": accountant, "note": note, "invoice": second, "company": company, "day": day}


def _tax_report(page, day):
    page.goto("/finance/reports/")
    page.locator("#report-picker").get_by_role("link", name="Tax report").click()
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_label("To").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()


def test_the_tax_report_ties_out_and_shows_a_manual_entry_as_the_difference(page, login, books, live_server):
    login(books["user"].username, TEST_PASSWORD)
    _tax_report(page, books["day"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Tax report")
    # 23.00 + 46.00 − 23.00 of output tax
    expect(page.locator("#net-payable")).to_contain_text("€46.00")
    expect(page.locator("#tie-out")).to_contain_text("€0.00")
    company = books["company"]
    services.post_entry(company=company, journal=Journal.objects.get(company=company, code="GEN"), date=books["day"],
                        by=books["user"], memo="VAT correction", lines=[
                            {"account": Account.objects.get(company=company, code="2100"), "credit": Decimal("5.00")},
                            {"account": Account.objects.get(company=company, code="6100"), "debit": Decimal("5.00")}])
    page.reload()
    expect(page.locator("#tie-out")).to_contain_text("€5.00")
    expect(page.locator("#tax-unexplained")).to_contain_text("VAT correction")


def test_the_tax_report_fits_a_phone(page, login, books, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(books["user"].username, TEST_PASSWORD)
    _tax_report(page, books["day"])
    expect(page.locator("#tie-out")).to_contain_text("€0.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [1280, 390])
def test_a_credit_note_is_applied_to_another_invoice(page, login, books, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(books["user"].username, TEST_PASSWORD)
    note, invoice = books["note"], books["invoice"]
    page.goto(f"/finance/invoices/{note.pk}/")
    expect(page.locator("#credit-left")).to_have_text("€123.00")
    expect(page.get_by_role("button", name="Refund")).to_be_visible()
    page.get_by_label("Amount").fill("200.00")
    page.get_by_role("button", name="Apply to invoice").click()
    expect(page.locator("#apply-error")).to_contain_text("123")
    page.get_by_label("Apply to invoice").select_option(str(invoice.pk))
    page.get_by_label("Amount").fill("")
    page.get_by_role("button", name="Apply to invoice").click()
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    expect(page.locator("#credit-uses")).to_contain_text(invoice.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 390)
    page.goto(f"/finance/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-due")).to_have_text("€123.00")
