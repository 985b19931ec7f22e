"""Two-factor authentication: setting up an authenticator app, the second login step, switching it off,
and roles that make it mandatory."""

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import roles, two_factor
from tandem.core.errors import BusinessRuleError
from tandem.core.models import AuditEntry, RolePolicy
from tandem.core.tests.factories import TEST_PASSWORD

SETUP_URL = "/account/two-factor/"
VERIFY_URL = "/account/two-factor/verify/"
DISABLE_URL = "/account/two-factor/disable/"

# Throttling (a pause after each wrong code) is tested on its own; elsewhere a wrong code may be followed
# by the right one at once.
no_throttle = override_settings(OTP_TOTP_THROTTLE_FACTOR=0)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def confirmed_device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def log_in(client, username):
    return client.post("/account/login/", {"username": username, "password": TEST_PASSWORD})


def require_two_factor(role: str) -> None:
    RolePolicy.objects.filter(group__name=role).update(requires_two_factor=True)


# --- Setting up -------------------------------------------------------------------------------------

def test_setup_page_shows_an_inline_qr_code_and_the_otpauth_uri(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get(reverse("core:two-factor-setup"))
    assert reverse("core:two-factor-setup") == SETUP_URL
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=sales_rep)
    assert not device.confirmed
    assert "<svg" in page and "otpauth://totp/Tandem%3Arep1?secret=" in page
    assert device.config_url.replace("&", "&amp;") in page
    # No outside service draws the QR code.
    assert "<img" not in page.split("qr-code", 1)[1].split("</figure>", 1)[0]
    assert response["Cache-Control"].startswith("max-age=0")

    # Reloading keeps the same secret (the user may have scanned it already).
    client.get(SETUP_URL)
    assert TOTPDevice.objects.filter(user=sales_rep).count() == 1


def test_qr_code_is_svg_drawn_locally():
    svg = two_factor.qr_code_svg("otpauth://totp/Tandem:rep1?secret=ABC")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


@no_throttle
def test_setup_confirms_with_the_current_code_and_verifies_the_session(client, sales_rep):
    client.force_login(sales_rep)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=sales_rep)

    response = client.post(SETUP_URL, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "The code is not valid" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(SETUP_URL, {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="core.user.two_factor_enabled", actor=sales_rep).exists()
    # The session counts as verified: pages open without a second prompt.
    assert client.get("/clients/").status_code == 200
    status = client.get(SETUP_URL).content.decode()
    assert "Switch off two-factor authentication" in status


def test_setup_rejects_letters(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(SETUP_URL, {"code": "abcdef"})
    assert "Enter the digits shown in your authenticator app." in response.content.decode()


@no_throttle
def test_setup_returns_to_next(client, sales_rep):
    client.force_login(sales_rep)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=sales_rep)
    response = client.post(SETUP_URL, {"code": current_code(device), "next": "/clients/"})
    assert response.url == "/clients/"


# --- The second login step --------------------------------------------------------------------------

@no_throttle
def test_user_with_a_device_must_enter_a_code_after_login(client, sales_rep):
    device = confirmed_device_for(sales_rep)

    response = log_in(client, "rep1")
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)

    # Until the code is entered, business pages send the user back to the second step.
    blocked = client.get("/clients/")
    assert blocked.status_code == 302
    assert blocked.url == f"{VERIFY_URL}?next=%2Fclients%2F"
    assert client.get("/").status_code == 302
    assert client.get(reverse("core:token-list")).status_code == 302

    # A wrong code is refused with a form error.
    response = client.post(f"{VERIFY_URL}?next=/clients/", {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "The code is not valid" in response.content.decode()
    assert client.get("/clients/").status_code == 302

    # The right code lets the user in and returns to the page they wanted.
    response = client.post(VERIFY_URL, {"code": current_code(device), "next": "/clients/"})
    assert response.status_code == 302
    assert response.url == "/clients/"
    assert client.get("/clients/").status_code == 200


@no_throttle
def test_a_code_works_only_once(client, sales_rep):
    device = confirmed_device_for(sales_rep)
    code = current_code(device)
    assert two_factor.verify_code(sales_rep, code) == device
    with pytest.raises(BusinessRuleError) as exc:
        two_factor.verify_code(sales_rep, code)
    assert exc.value.code == "invalid_code"


def test_wrong_codes_are_throttled(client, sales_rep):
    device = confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    client.post(VERIFY_URL, {"code": wrong_code(device)})
    # Straight after a wrong code even the right one must wait.
    response = client.post(VERIFY_URL, {"code": current_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/clients/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_verify_page_sends_a_user_without_a_device_to_setup(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get(VERIFY_URL)
    assert response.status_code == 302 and response.url.startswith(SETUP_URL)


@no_throttle
def test_verify_ignores_an_outside_next(client, sales_rep):
    device = confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    response = client.post(VERIFY_URL, {"code": current_code(device), "next": "https://evil.example.com/"})
    assert response.url == reverse("core:home")


def test_unverified_user_cannot_set_up_a_second_device(client, sales_rep):
    confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    response = client.get(SETUP_URL)
    assert response.status_code == 302 and response.url.startswith(VERIFY_URL)
    assert TOTPDevice.objects.filter(user=sales_rep).count() == 1


def test_unverified_session_is_refused_by_the_api_and_redirected_for_htmx(client, sales_rep):
    confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    api = client.get("/api/v1/clients")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    htmx = client.get("/clients/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(VERIFY_URL)


def test_logout_stays_possible_before_the_second_step(client, sales_rep):
    confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    assert client.post(reverse("core:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


# --- Switching off ----------------------------------------------------------------------------------

def verified_client(client, user) -> TOTPDevice:
    """Log the user in with a session that has passed the second step (as django_otp.login leaves it)."""
    device = confirmed_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/clients/").status_code == 200
    return device


@no_throttle
def test_user_switches_two_factor_off_with_a_current_code(client, sales_rep):
    device = verified_client(client, sales_rep)
    response = client.post(DISABLE_URL, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "The code is not valid" in response.content.decode()
    assert TOTPDevice.objects.filter(user=sales_rep).exists()

    response = client.post(DISABLE_URL, {"code": current_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=sales_rep).exists()
    assert AuditEntry.objects.filter(action="core.user.two_factor_disabled", actor=sales_rep).exists()
    # Still logged in; no second step asked any more.
    assert client.get("/clients/").status_code == 200


def test_disable_needs_a_verified_session(client, sales_rep):
    device = confirmed_device_for(sales_rep)
    client.force_login(sales_rep)
    response = client.post(DISABLE_URL, {"code": current_code(device)})
    assert response.status_code == 302 and response.url.startswith(VERIFY_URL)
    assert TOTPDevice.objects.filter(user=sales_rep).exists()


# --- Mandatory per role -----------------------------------------------------------------------------

@no_throttle
def test_role_with_mandatory_two_factor_forces_setup(client, sales_rep):
    require_two_factor(roles.SALES_REPRESENTATIVE)

    response = log_in(client, "rep1")
    assert response.url.startswith(SETUP_URL)
    blocked = client.get("/clients/")
    assert blocked.status_code == 302 and blocked.url.startswith(SETUP_URL)

    page = client.get(SETUP_URL).content.decode()
    assert "Your role requires two-factor authentication" in page
    device = TOTPDevice.objects.get(user=sales_rep)
    client.post(SETUP_URL, {"code": current_code(device)})
    assert client.get("/clients/").status_code == 200

    # The role forbids switching it off.
    status = client.get(SETUP_URL).content.decode()
    assert "cannot be switched off" in status and DISABLE_URL not in status
    with pytest.raises(BusinessRuleError) as exc:
        two_factor.disable_two_factor(sales_rep, "000000", by=sales_rep)
    assert exc.value.code == "two_factor_required"
    assert TOTPDevice.objects.filter(user=sales_rep, confirmed=True).exists()


def test_mandatory_two_factor_does_not_touch_other_roles(client, sales_rep, viewer):
    require_two_factor(roles.SALES_REPRESENTATIVE)
    client.force_login(viewer)
    assert client.get("/clients/").status_code == 200


def test_administrator_makes_two_factor_mandatory_on_the_roles_page(client, admin_user, sales_rep):
    group = Group.objects.get(name=roles.SALES_REPRESENTATIVE)
    client.force_login(admin_user)
    page = client.get(reverse("core:role-list")).content.decode()
    assert roles.SALES_REPRESENTATIVE in page and "Works with own clients." in page

    response = client.post(reverse("core:role-two-factor", args=[group.pk]), {"requires_two_factor": "on"})
    assert response.status_code == 302
    assert RolePolicy.objects.get(group=group).requires_two_factor
    entry = AuditEntry.objects.get(action="core.rolepolicy.updated")
    assert entry.changes == {"requires_two_factor": [False, True]}

    # The representative is now sent to set up an app.
    client.force_login(sales_rep)
    assert client.get("/clients/").url.startswith(SETUP_URL)

    client.force_login(admin_user)
    client.post(reverse("core:role-two-factor", args=[group.pk]), {"requires_two_factor": "off"})
    assert not RolePolicy.objects.get(group=group).requires_two_factor


def test_roles_page_needs_change_company(client, viewer, sales_rep):
    group = Group.objects.get(name=roles.VIEWER)
    client.force_login(viewer)
    assert client.get(reverse("core:role-list")).status_code == 403
    response = client.post(reverse("core:role-two-factor", args=[group.pk]), {"requires_two_factor": "on"})
    assert response.status_code == 403
    assert not RolePolicy.objects.get(group=group).requires_two_factor


def test_policy_is_created_for_a_group_without_one(admin_user):
    group = Group.objects.create(name="Auditors")
    policy = two_factor.set_role_requires_two_factor(group, True, by=admin_user)
    assert policy.requires_two_factor and policy.group == group


# --- Services ---------------------------------------------------------------------------------------

@no_throttle
def test_confirm_device_removes_older_devices_and_refuses_twice(sales_rep):
    stale = TOTPDevice.objects.create(user=sales_rep, name="old", confirmed=False)
    device = two_factor.pending_device(sales_rep)
    assert device == stale  # the unconfirmed one is reused
    newer = TOTPDevice.objects.create(user=sales_rep, name="newer", confirmed=False)
    assert two_factor.pending_device(sales_rep) == newer
    two_factor.confirm_device(newer, current_code(newer), by=sales_rep)
    assert list(TOTPDevice.objects.filter(user=sales_rep)) == [newer]
    with pytest.raises(BusinessRuleError) as exc:
        two_factor.confirm_device(newer, current_code(newer), by=sales_rep)
    assert exc.value.code == "already_confirmed"


def test_a_user_cannot_confirm_someone_elses_device(sales_rep, viewer):
    device = two_factor.pending_device(viewer)
    with pytest.raises(TOTPDevice.DoesNotExist):
        two_factor.confirm_device(device, current_code(device), by=sales_rep)


def test_verify_code_without_a_device_is_refused(sales_rep):
    with pytest.raises(BusinessRuleError) as exc:
        two_factor.verify_code(sales_rep, "123456")
    assert exc.value.code == "no_device"


def test_secret_for_display_matches_the_uri(sales_rep):
    device = two_factor.pending_device(sales_rep)
    assert two_factor.secret_for_display(device).replace(" ", "") in device.config_url
