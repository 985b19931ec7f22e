"""Signing in with two-factor authentication in a real browser: the code page stays still while the user
types (nothing polls before the second step), and the code leads to the page first asked for."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tandem.core import roles
from tandem.core.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

REMINDERS = "/crm/reminders/"


def code_from_key(key: bytes) -> str:
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def code_from_shown_secret(secret: str) -> str:
    """The current code for the key the set-up page shows (base32 in groups of four)."""
    compact = secret.replace(" ", "").upper()
    return code_from_key(b32decode(compact + "=" * (-len(compact) % 8)))


class Traffic:
    """Navigations of the main frame and requests to the reminders fragment."""

    def __init__(self, page):
        self.navigations: list[str] = []
        self.reminder_requests: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.navigations.append(frame.url))
        page.on("request", lambda request: REMINDERS in request.url and self.reminder_requests.append(request.url))


def sign_in(page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def assert_page_stays_still(page, traffic: Traffic, url_pattern) -> None:
    """A few seconds on the page: no reload, no poll; the user can type."""
    navigations = len(traffic.navigations)
    page.wait_for_timeout(2500)
    expect(page).to_have_url(url_pattern)
    assert len(traffic.navigations) == navigations, traffic.navigations
    assert traffic.reminder_requests == []
    banner = page.get_by_role("banner")
    expect(banner.locator("input[name=q]")).to_have_count(0)
    expect(banner.locator("a[data-module]")).to_have_count(0)


def test_user_with_an_authenticator_app_signs_in_and_lands_on_the_page_asked_for(page, make_user, live_server):
    user = make_user(roles.SALES_REPRESENTATIVE, username="lena", first_name="Lena", last_name="Vogel")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    traffic = Traffic(page)

    # Lena opens her task list; the login form, then the code page, come first.
    page.goto("/crm/tasks/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/crm/tasks/"))
    sign_in(page, "lena")
    expect(page).to_have_url(re.compile(r"/account/two-factor/verify/\?next=%2Fcrm%2Ftasks%2F"))
    assert_page_stays_still(page, traffic, re.compile(r"/account/two-factor/verify/"))

    # She types the code from her app, key by key, and the page does not move under her fingers.
    code_field = page.locator("input[name=code]")
    code_field.press_sequentially(code_from_key(device.bin_key), delay=150)
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(f"{live_server.url}/crm/tasks/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Lena Vogel")
    # Now the shell is back, and its reminders box polls the fragment into place (not as the page).
    page.wait_for_function("document.querySelector('#crm-reminders') !== null")
    page.wait_for_timeout(500)
    assert traffic.reminder_requests, "the reminders box polls once the second step is done"
    expect(page).to_have_url(f"{live_server.url}/crm/tasks/")


def test_role_requiring_two_factor_leads_to_set_up_and_then_to_the_page_asked_for(
    page, make_user, admin_user, live_server
):
    from tandem.core.two_factor import set_role_requires_two_factor

    set_role_requires_two_factor(Group.objects.get(name=roles.SALES_REPRESENTATIVE), True, by=admin_user)
    make_user(roles.SALES_REPRESENTATIVE, username="jonas", first_name="Jonas", last_name="Kerr")
    traffic = Traffic(page)

    page.goto("/clients/")
    sign_in(page, "jonas")
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=%2Fclients%2F"))
    expect(page.get_by_text("Your role requires two-factor authentication")).to_be_visible()
    assert_page_stays_still(page, traffic, re.compile(r"/account/two-factor/\?next="))

    # Jonas enters the key into his app by hand; the app shows the code.
    secret = page.locator(".totp-secret").inner_text()
    page.locator("input[name=code]").fill(code_from_shown_secret(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page).to_have_url(f"{live_server.url}/clients/")
    expect(page.get_by_role("banner")).to_contain_text("Jonas Kerr")
    expect(page.get_by_role("banner").locator("a[data-module]").first).to_be_visible()
    assert TOTPDevice.objects.filter(user__username="jonas", confirmed=True).count() == 1
