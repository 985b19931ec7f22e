"""An accountant invoices a confirmed order from its page and sees the invoice's number, total and status; the
order page lists it. On a phone (390 px) too. A sales manager only prepares a draft."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.catalog.models import Product, TaxCategory, Unit
from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.services import orders
from tandem.stock import services as stock_services
from tandem.stock.models import Location, StockMove, Warehouse

pytestmark = pytest.mark.browser


@pytest.fixture
def order(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="books")
    manager = make_user(roles.SALES_MANAGER, username="mona")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(timezone.localdate().year, 1, 1), by=accountant)
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
    shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    piece = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})[0]
    vat = TaxCategory.objects.create(name="VAT 20", rate=Decimal(20))
    pump = Product.objects.create(sku="PUMP-9", name="Pump P9", unit=piece, tax_category=vat)
    stock_services.record_move(product=pump, quantity=Decimal(10), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=timezone.localdate(), unit_cost=Decimal(50), by=None)
    client = ClientFactory(name="Acme Pumps", owner=manager)
    CounterpartyFactory(client=client, legal_name="Acme Pumps Ltd", valid_from=datetime.date(2024, 1, 1))
    made = orders.create_order(by=manager, client=client, warehouse=warehouse,
                               lines=[{"product": pump, "quantity": Decimal(3), "unit_price": Decimal("99.50")}])
    return orders.confirm_order(made, by=manager)


def _invoice_from_the_order(page, order):
    page.goto(f"/sales/orders/{order.pk}/")
    page.locator("#invoices").get_by_role("button", name="Invoice the order").click()
    year = timezone.localdate().year
    expect(page.locator("#invoice-number")).to_have_text(f"INV/{year}/00001")
    expect(page.locator("#invoice-status")).to_contain_text("Issued")
    # 3 × 99.50 = 298.50, VAT 20 % = 59.70
    expect(page.locator("#invoice-total")).to_contain_text("358.20")
    expect(page.locator("#invoice-due")).to_contain_text("358.20")


def test_accountant_invoices_an_order_from_its_page(page, login, order, live_server):
    login("books", TEST_PASSWORD)
    _invoice_from_the_order(page, order)
    page.goto(f"/sales/orders/{order.pk}/")
    expect(page.locator("#invoices")).to_contain_text(f"INV/{timezone.localdate().year}/00001")
    expect(page.locator("#invoices").get_by_role("button", name="Invoice the order")).to_have_count(0)
    page.goto("/finance/invoices/")
    expect(page.locator("#invoices")).to_contain_text("Acme Pumps")


def test_invoicing_fits_a_phone(page, login, order, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    login("books", TEST_PASSWORD)
    _invoice_from_the_order(page, order)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_sales_manager_prepares_a_draft(page, login, order, live_server):
    login("mona", TEST_PASSWORD)
    page.goto(f"/sales/orders/{order.pk}/")
    page.locator("#invoices").get_by_role("button", name="Prepare an invoice").click()
    expect(page.locator("#invoice-status")).to_contain_text("Draft")
    expect(page.get_by_role("button", name="Issue")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_invoice_pay_in_part_and_see_the_balance_drop_on_the_client_card(page, login, order, live_server, width):
    """The whole journey: invoice the order, register part of the money from the invoice, open the client card
    from the invoice and read the balance left (358.20 − 158.20)."""
    from tandem.core.models import User

    banking.create_payment_account(order.company, by=User.objects.get(username="books"), name="Main bank",
                                   currency="EUR")
    page.set_viewport_size({"width": width, "height": 900})
    login("books", TEST_PASSWORD)
    page.goto(f"/clients/{order.client_id}/")
    expect(page.locator("[data-balance]")).to_have_text("€0.00")
    _invoice_from_the_order(page, order)
    number = f"INV/{timezone.localdate().year}/00001"
    page.get_by_role("button", name="Register a payment").click()
    expect(page.get_by_label(f"Amount for {number}")).to_have_value("358.20")
    page.locator("#id_amount").fill("158.20")
    page.get_by_label(f"Amount for {number}").fill("158.20")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#allocations [data-invoice-status]")).to_have_text("Partly paid")
    page.goto("/finance/invoices/")
    page.locator("#invoices").get_by_role("link", name=number).click()
    expect(page.locator("#invoice-status")).to_contain_text("Partly paid")
    page.locator("[data-client-link]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Pumps")
    expect(page.locator("[data-balance]")).to_have_text("€200.00")
    expect(page.locator("[data-overdue]")).to_have_text("€0.00")
    expect(page.locator("[data-limit]")).to_have_text("No limit")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manual_invoice_line_picks_its_product_by_typing(page, login, order, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    login("books", TEST_PASSWORD)
    page.goto("/finance/invoices/new/")
    page.get_by_label("Client").select_option(label="Acme Pumps")
    picker = page.locator("[data-picker='line0-product']")
    picker.locator("[data-picker-search]").fill("P9")
    picker.locator("[role=option]", has_text="Pump P9").click()
    row = page.locator("#invoice-lines-input tbody tr").first
    row.get_by_label("Quantity").fill("2")
    row.get_by_label("Unit price").fill("10")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#invoice-status")).to_contain_text("Draft")
    expect(page.locator("main")).to_contain_text("Pump P9")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
