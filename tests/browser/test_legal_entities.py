"""An administrator adds a legal entity with a bank account in the settings and sees it listed."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_adds_a_legal_entity_with_a_bank_account(page, login, admin_user, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(admin_user.username, TEST_PASSWORD)

    page.goto("/settings/legal-entities/")
    page.get_by_role("button", name="New legal entity").click()
    page.get_by_label("Name").fill("Nordlicht Handel GmbH")
    page.get_by_label("Tax ID").fill("DE 136 695 976")
    page.get_by_label("Default country").fill("de")
    page.get_by_label("Base currency").fill("EUR")
    page.get_by_label("Registered address").fill("Friedrichstraße 68\n10117 Berlin")
    page.get_by_role("button", name="Add legal entity").click()

    expect(page.get_by_role("status")).to_contain_text("Nordlicht Handel GmbH")
    expect(page.get_by_role("heading", level=1)).to_contain_text("default")

    # A wrong IBAN is refused on its field; the corrected one is listed.
    bank_form = page.locator("#bank-account-form")
    bank_form.get_by_label("Bank", exact=True).fill("Commerzbank")
    bank_form.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 01")
    bank_form.get_by_role("button", name="Add bank account").click()
    expect(page.locator("#bank-account-form .errorlist")).to_contain_text("is not a valid IBAN")
    bank_form = page.locator("#bank-account-form")
    bank_form.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    bank_form.get_by_label("BIC").fill("COBADEFFXXX")
    bank_form.get_by_role("button", name="Add bank account").click()
    expect(page.locator("#bank-accounts table")).to_contain_text("DE89370400440532013000")

    page.get_by_role("link", name=re.compile("Legal entities")).first.click()
    row = page.locator("#legal-entities tbody tr", has_text="Nordlicht Handel GmbH")
    expect(row).to_contain_text("DE136695976")
    expect(row).to_contain_text("DE89370400440532013000")
    expect(row).to_contain_text("default")
