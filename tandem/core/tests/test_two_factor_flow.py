"""The second login step in a browser's life: nothing polls or draws the shell before it, htmx requests are
sent to it as whole pages, and afterwards the user lands on the page first asked for (never a fragment)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import roles
from tandem.core.htmx import is_page_path, safe_next_url
from tandem.core.models import RolePolicy
from tandem.core.tests.factories import TEST_PASSWORD

SETUP_URL = "/account/two-factor/"
VERIFY_URL = "/account/two-factor/verify/"
REMINDERS_URL = "/crm/reminders/"

no_throttle = override_settings(OTP_TOTP_THROTTLE_FACTOR=0)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def next_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("next")
    return values[0] if values else None


def log_in(client, username, next_url=None):
    data = {"username": username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/account/login/", data)


@pytest.fixture
def rep_with_app(sales_rep):
    return TOTPDevice.objects.create(user=sales_rep, name="phone", confirmed=True)


@pytest.fixture
def reps_must_use_an_app(admin_user):
    from django.contrib.auth.models import Group

    from tandem.core.two_factor import set_role_requires_two_factor

    set_role_requires_two_factor(Group.objects.get(name=roles.SALES_REPRESENTATIVE), True, by=admin_user)


def assert_no_shell(page: str) -> None:
    """No widget that polls, no module menu, no search box, no account pages: only the step and logout."""
    assert "hx-get" not in page and "hx-trigger" not in page
    assert 'id="crm-reminders"' not in page
    assert 'data-module="' not in page
    assert 'role="search"' not in page
    assert reverse("core:token-list") not in page and reverse("core:profile") not in page
    assert reverse("core:logout") in page


# --- Before the step: no shell, nothing polls --------------------------------------------------------

def test_the_code_page_draws_no_widgets_menu_or_search(client, sales_rep, rep_with_app):
    log_in(client, "rep1")
    response = client.get(VERIFY_URL)
    assert response.status_code == 200
    assert_no_shell(response.content.decode())


def test_the_set_up_page_of_a_required_role_draws_no_shell_and_does_not_redirect(
    client, sales_rep, reps_must_use_an_app
):
    response = log_in(client, "rep1", next_url="/clients/")
    assert response.url == f"{SETUP_URL}?next=%2Fclients%2F"
    page = client.get(response.url)
    assert page.status_code == 200  # the set-up page itself, not a redirect to itself
    assert_no_shell(page.content.decode())
    assert "Your role requires two-factor authentication" in page.content.decode()


def test_once_verified_the_shell_and_the_reminders_poller_are_back(client, sales_rep, rep_with_app):
    log_in(client, "rep1")
    client.post(VERIFY_URL, {"code": current_code(rep_with_app)})
    page = client.get("/").content.decode()
    assert 'id="crm-reminders"' in page and 'role="search"' in page


def test_a_user_without_two_factor_sees_the_shell(client, sales_rep):
    client.force_login(sales_rep)
    page = client.get("/").content.decode()
    assert f'hx-get="{REMINDERS_URL}"' in page


# --- htmx requests before the step --------------------------------------------------------------------

def test_a_poll_before_the_step_sends_the_tab_to_the_step_and_back_to_its_page(client, sales_rep, rep_with_app):
    client.force_login(sales_rep)
    response = client.get(REMINDERS_URL, headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/crm/my-day/?view=week"})
    assert response.status_code == 204
    assert urlsplit(response["HX-Redirect"]).path == VERIFY_URL
    # Back to the page the poll came from, never to the fragment the poll asked for.
    assert next_of(response["HX-Redirect"]) == "/crm/my-day/?view=week"


def test_a_poll_from_a_foreign_or_unknown_page_falls_back_to_home(client, sales_rep, rep_with_app):
    client.force_login(sales_rep)
    for current in (None, "https://evil.example.com/clients/", f"http://testserver{REMINDERS_URL}"):
        headers = {"HX-Request": "true"} | ({"HX-Current-URL": current} if current else {})
        response = client.get(REMINDERS_URL, headers=headers)
        assert next_of(response["HX-Redirect"]) == "/", current


def test_a_poll_of_a_required_role_goes_to_set_up(client, sales_rep, reps_must_use_an_app):
    client.force_login(sales_rep)
    response = client.get(REMINDERS_URL, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    assert urlsplit(response["HX-Redirect"]).path == SETUP_URL


def test_opening_a_fragment_url_in_the_tab_does_not_make_it_the_next_page(client, sales_rep, rep_with_app):
    client.force_login(sales_rep)
    response = client.get(REMINDERS_URL)
    assert response.status_code == 302 and urlsplit(response.url).path == VERIFY_URL
    assert next_of(response.url) == "/"


def test_a_form_post_before_the_step_returns_to_the_page_it_came_from(client, sales_rep, rep_with_app):
    client.force_login(sales_rep)
    response = client.post("/crm/tasks/new/", {"title": "x"}, headers={"Referer": "http://testserver/crm/tasks/"})
    assert response.status_code == 302
    assert next_of(response.url) == "/crm/tasks/"


def test_an_expired_session_poll_sends_the_tab_to_the_login_page(client, db):
    response = client.get(REMINDERS_URL, headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/clients/"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/account/login/?next=%2Fclients%2F"
    # A plain browser request is still redirected as usual.
    assert client.get("/clients/").url == "/account/login/?next=/clients/"


# --- After the step: the page first asked for --------------------------------------------------------

@no_throttle
def test_after_the_code_the_user_lands_on_the_page_first_asked_for(client, sales_rep, rep_with_app):
    first = client.get("/crm/tasks/?status=open")
    login_url = first.url
    response = log_in(client, "rep1", next_url=next_of(login_url))
    assert urlsplit(response.url).path == VERIFY_URL
    assert next_of(response.url) == "/crm/tasks/?status=open"
    page = client.get(response.url)
    assert 'value="/crm/tasks/?status=open"' in page.content.decode()

    response = client.post(response.url, {"code": current_code(rep_with_app), "next": "/crm/tasks/?status=open"})
    assert response.url == "/crm/tasks/?status=open"
    assert client.get(response.url).status_code == 200


@no_throttle
def test_a_fragment_next_is_never_where_the_code_leads(client, sales_rep, rep_with_app):
    log_in(client, "rep1")
    response = client.post(f"{VERIFY_URL}?next={REMINDERS_URL}", {"code": current_code(rep_with_app)})
    assert response.url == "/"


def test_login_refuses_a_fragment_next(client, sales_rep):
    response = log_in(client, "rep1", next_url=REMINDERS_URL)
    assert response.url == "/"


@no_throttle
def test_required_role_sets_up_and_reaches_the_page_first_asked_for(client, sales_rep, reps_must_use_an_app):
    response = log_in(client, "rep1", next_url="/clients/")
    blocked = client.get("/clients/")
    assert blocked.url == f"{SETUP_URL}?next=%2Fclients%2F"
    # The set-up page is reachable (no loop through the verify page).
    assert client.get(VERIFY_URL).url == f"{SETUP_URL}?next=%2F"
    page = client.get(response.url).content.decode()
    assert 'name="next" value="/clients/"' in page
    device = TOTPDevice.objects.get(user=sales_rep, confirmed=False)

    response = client.post(response.url, {"code": current_code(device), "next": "/clients/"})
    assert response.url == "/clients/"
    assert client.get("/clients/").status_code == 200
    assert RolePolicy.objects.get(group__name=roles.SALES_REPRESENTATIVE).requires_two_factor


# --- The next-page rule itself -----------------------------------------------------------------------

@pytest.mark.parametrize(("target", "expected"), [
    ("/clients/", "/clients/"),
    ("/crm/tasks/?status=open", "/crm/tasks/?status=open"),
    ("http://testserver/clients/?q=a", "/clients/?q=a"),
    (REMINDERS_URL, "/"),                       # a fragment polled by the shell
    ("/crm/reminders/3/dismiss/", "/"),         # a fragment answered to htmx
    ("/api/v1/clients", "/"),
    ("/static/core/tandem.css", "/"),
    ("/account/logout/", "/"),
    ("/no/such/page/", "/"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/clients/", "/"),
    ("", "/"),
    (None, "/"),
])
def test_safe_next_url(target, expected):
    request = RequestFactory().get("/")
    assert safe_next_url(request, target, "/") == expected


def test_pages_and_fragments():
    assert is_page_path("/")
    assert is_page_path("/account/two-factor/")
    assert not is_page_path(REMINDERS_URL)
