"""An administrator manages users from Settings → Users: creates one with a role and a generated password,
the new user signs in with it, then is deactivated and can no longer sign in."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(tab, username, password):
    tab.goto("/account/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.locator("form button[type=submit]").first.click()
    tab.wait_for_load_state()


def test_admin_creates_a_sales_rep_who_signs_in_then_is_deactivated(page, login, browser, make_user, live_server):
    make_user(roles.ADMINISTRATOR, username="boss", first_name="Berta", last_name="Boss")
    login("boss", TEST_PASSWORD)

    # Settings → Users → New user, with the Sales representative role and a generated password.
    page.goto("/settings/users/")
    page.get_by_role("button", name="New user").click()
    page.fill("input[name=username]", "nina")
    page.fill("input[name=first_name]", "Nina")
    page.fill("input[name=last_name]", "Neu")
    page.get_by_label(roles.SALES_REPRESENTATIVE).check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("User Nina Neu created")
    password = page.locator("#generated-password").inner_text().strip()
    assert len(password) >= 16

    # The new user signs in with the password shown (own browser session).
    other = browser.new_context(base_url=live_server.url, locale="en-US")
    tab = other.new_page()
    sign_in(tab, "nina", password)
    expect(tab).to_have_url(f"{live_server.url}/")
    expect(tab.get_by_role("banner")).to_contain_text("Nina Neu")

    # The list shows the role and the sign-in just made; the administrator deactivates her.
    page.goto("/settings/users/")
    row = page.locator("tr", has_text="nina")
    expect(row).to_contain_text(roles.SALES_REPRESENTATIVE)
    expect(row).not_to_contain_text("never")
    row.get_by_role("link", name="Nina Neu").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Nina Neu has been deactivated and can no longer sign in.")).to_be_visible()

    # Her open session ends, and signing in again is refused.
    tab.goto("/clients/")
    expect(tab).to_have_url(re.compile(r"/account/login/"))
    sign_in(tab, "nina", password)
    expect(tab).to_have_url(re.compile(r"/account/login/"))
    expect(tab.get_by_text(re.compile(r"correct username and password", re.I)).first).to_be_visible()
    other.close()
