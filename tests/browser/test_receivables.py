"""Credit limits as people see them: a representative opens her client's card and sees what it owes, what is
overdue and its credit limit; confirming an order that would take the client over the limit is refused with the
reason, the order stays a draft. An accountant sets the limit on the card and runs dunning. At 1280 px and on a
390 px phone."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.models import LegalEntity
from tandem.finance.receivables import services as receivables
from tandem.finance.tests.factories_receivables import open_invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.services import orders
from tandem.stock.models import Location, Warehouse

pytestmark = pytest.mark.browser


@pytest.fixture
def world(make_user, sales_manager):
    rep = make_user(roles.SALES_REPRESENTATIVE, username="anna", first_name="Anna", last_name="Berg")
    accountant = make_user(roles.ACCOUNTANT, username="carla", first_name="Carla", last_name="Books")
    company = LegalEntity.objects.create(name="Tandem Trading GmbH", is_default=True, base_currency="EUR")
    warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
    service = Product.objects.create(sku="SVC-1", name="Installation", kind=Product.Kind.SERVICE,
                                     unit=Unit.objects.create(code="pc", name="piece"))
    client = ClientFactory(name="Acme Pumps GmbH", owner=rep)
    CounterpartyFactory(client=client, legal_name="Acme Pumps GmbH", valid_from=datetime.date(2024, 1, 1))
    today = datetime.date.today()
    open_invoice(client, amount="1200.00", due=today - datetime.timedelta(days=12), company=company)
    open_invoice(client, amount="300.00", due=today + datetime.timedelta(days=20), company=company)
    receivables.set_credit_limit(client, by=accountant, amount="2000", currency="EUR")
    order = orders.create_order(by=sales_manager, client=client, lines=[
        {"product": service, "quantity": Decimal(6), "unit_price": Decimal("100")}])
    return rep, accountant, client, order


@pytest.mark.parametrize("width", [1280, 390])
def test_card_shows_exposure_and_an_order_over_the_limit_is_refused(page, log_in_as, world, width):
    rep, _accountant, client, order = world
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as(rep)
    page.goto(f"/clients/{client.pk}/")
    exposure = page.locator("[data-exposure]").first
    expect(exposure.locator("[data-balance]")).to_contain_text("1,500.00")
    expect(exposure.locator("[data-overdue]")).to_contain_text("1,200.00")
    expect(exposure.locator("[data-limit]")).to_contain_text("2,000.00")
    expect(exposure.locator("[data-available]")).to_contain_text("500.00")
    expect(page.locator("#credit-limit-form")).to_have_count(0)  # representatives read, accountants change
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")

    # €600 more on a €1,500 balance goes over the €2,000 limit.
    page.goto(f"/sales/orders/{order.pk}/")
    expect(page.locator("#order-credit [data-limit]")).to_contain_text("2,000.00")
    page.locator('[data-action="confirm"]').click()
    expect(page.locator(".message-error")).to_contain_text("Credit limit of Acme Pumps GmbH exceeded")
    expect(page.locator(".message-error")).to_contain_text("exceeds the credit limit")
    expect(page.locator('[data-action="confirm"]')).to_be_visible()  # still a draft
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_accountant_raises_the_limit_then_the_order_goes_through(page, log_in_as, world):
    rep, accountant, client, order = world
    log_in_as(accountant)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_text("Change the credit limit").click()
    form = page.locator("#credit-limit-form")
    form.get_by_label("Credit limit").fill("2500")
    form.get_by_role("button", name="Save credit limit").click()
    expect(page.get_by_text("Credit limit saved.")).to_be_visible()
    expect(page.locator("[data-exposure] [data-limit]").first).to_contain_text("2,500.00")

    # Dunning: one level, a run sends a reminder for the invoice 12 days overdue; the timeline shows it.
    page.goto("/finance/receivables/dunning/")
    page.get_by_text("Add a level").click()
    level = page.locator("#dunning-level-form")
    level.get_by_label("Days overdue").fill("7")
    level.get_by_label("Name").fill("Friendly reminder")
    level.get_by_label("Reminder text").fill("Invoice {number} of {amount} is {days} days overdue.")
    level.get_by_role("button", name="Add level").click()
    page.get_by_label("Send at once").check()
    page.get_by_role("button", name="Run dunning").click()
    expect(page.get_by_text("1 reminders made.")).to_be_visible()
    expect(page.locator("#reminders")).to_contain_text("12 days overdue")

    page.context.clear_cookies()
    log_in_as(rep)
    page.goto(f"/sales/orders/{order.pk}/")
    page.locator('[data-action="confirm"]').click()
    expect(page.get_by_text("Order confirmed; stock reserved.")).to_be_visible()
