"""A sales manager's day, in the browser: a new client whose legal entity changes, found again by the
old entity's tax ID, with both changes in the client's history."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

OLD_TAX_ID = "DE811569869"
NEW_TAX_ID = "DE136695976"


def add_counterparty(page, *, legal_name: str, tax_id: str, valid_from: str) -> None:
    page.get_by_role("button", name="Add counterparty").or_(
        page.get_by_role("link", name="Add counterparty")).first.click()
    form = page.locator("#counterparties-form-slot form")
    expect(form).to_be_visible()
    form.locator("[name=legal_name]").fill(legal_name)
    form.locator("[name=tax_id]").fill(tax_id)
    form.locator("[name=valid_from]").fill(valid_from)
    form.locator("button[type=submit]").click()
    expect(page.locator("#counterparties")).to_contain_text(legal_name)


def test_manager_creates_client_with_changing_counterparty_and_finds_it_by_tax_id(page, login, make_user):
    # Markus logs in through the login form.
    make_user(roles.SALES_MANAGER, username="markus", first_name="Markus", last_name="Brandt")
    login("markus", TEST_PASSWORD)

    # Markus creates the client.
    page.goto("/clients/new/")
    page.locator("main form [name=name]").fill("Spree Logistik")
    page.locator("main form [name=kind]").select_option("b2b")
    page.locator("main form [name=email]").fill("info@spree-logistik.de")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.locator("h1")).to_contain_text("Spree Logistik")
    client_url = page.url

    # The contract starts with the GmbH; a year later the GmbH & Co. KG takes over.
    add_counterparty(page, legal_name="Spree Logistik GmbH", tax_id=OLD_TAX_ID, valid_from="2023-01-01")
    add_counterparty(page, legal_name="Spree Logistik GmbH & Co. KG", tax_id=NEW_TAX_ID,
                     valid_from="2024-07-01")
    counterparties = page.locator("#counterparties")
    current = counterparties.locator("h3", has_text="Current").locator("xpath=following-sibling::*[1]")
    expect(current).to_contain_text("Spree Logistik GmbH & Co. KG")
    expect(counterparties).to_contain_text("Past and future")

    # Later, an invoice arrives with the old tax ID: the header search finds the client.
    search = page.get_by_role("banner").locator("input[name=q]")
    search.fill(OLD_TAX_ID)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    hit = page.get_by_role("link", name="Spree Logistik GmbH", exact=True)
    expect(hit).to_be_visible()
    hit.click()
    expect(page).to_have_url(re.compile(re.escape(client_url)))

    # The history shows who added both legal entities and that the first one was closed.
    history = page.locator("#history")
    expect(history).to_contain_text("Spree Logistik GmbH & Co. KG")
    expect(history).to_contain_text("Markus Brandt")
    closed = history.locator("tr", has_text="Marked the counterparty valid until").filter(
        has_text="Spree Logistik GmbH")
    expect(closed).to_contain_text(re.compile(r"Jun 30, 2024|30 Jun 2024|30\.06\.2024"))
