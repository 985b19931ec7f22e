"""Logging in through the real login form."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_user_logs_in_and_sees_home_with_their_name(page, login, make_user, page_problems, live_server):
    make_user(roles.SALES_REPRESENTATIVE, username="lena", first_name="Lena", last_name="Vogel")

    login("lena", TEST_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("banner")).to_contain_text("Lena Vogel")
    # The shell's stylesheets and htmx came from /static/ (WhiteNoise / finders) and work.
    for asset in ("pico.min.css", "tandem.css", "htmx.min.js"):
        assert any(path.endswith(asset) for path in page_problems.static_loaded), page_problems
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("document.styleSheets.length") >= 2


def test_wrong_password_shows_an_error_and_stays_logged_out(page, login, make_user, live_server):
    make_user(roles.SALES_REPRESENTATIVE, username="lena", first_name="Lena", last_name="Vogel")

    login("lena", "not-the-password")

    expect(page).to_have_url(re.compile(r"/account/login/"))
    expect(page.get_by_text(re.compile(r"correct username and password|incorrect|invalid|wrong", re.I)).first
           ).to_be_visible()
    expect(page.get_by_role("banner")).not_to_contain_text("Lena Vogel")

    # A protected page still sends the visitor to the login form.
    page.goto("/clients/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/clients/"))
