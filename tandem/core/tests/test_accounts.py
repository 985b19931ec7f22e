"""Login with lockout, logout, password change, profile and language, home page, admin site."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tandem.core import roles
from tandem.core.account_forms import AdminLoginForm
from tandem.core.models import ApiToken, AuditEntry, LoginFailure, LoginThrottle, RolePolicy, User
from tandem.core.modules import set_module_enabled
from tandem.core.services import create_api_token, get_company
from tandem.core.tests.factories import TEST_PASSWORD, UserFactory

LOGIN_URL = "/account/login/"
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def log_in(client, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


# --- Login and lockout ------------------------------------------------------------------------------

def test_login_page_shows_the_form(client, db):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert reverse("core:login") == LOGIN_URL
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_login_with_right_password_opens_home(client, sales_rep):
    response = log_in(client, "rep1")
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    home = client.get(response.url)
    assert home.status_code == 200
    assert sales_rep.display_name in home.content.decode()


def test_login_honours_a_safe_next_and_ignores_an_outside_one(client, sales_rep):
    assert log_in(client, "rep1", next="/clients/").url == "/clients/"
    client.post(reverse("core:logout"))
    assert log_in(client, "rep1", next="https://evil.example.com/").url == reverse("core:home")


def test_wrong_password_shows_an_error_and_is_recorded(client, sales_rep):
    response = log_in(client, "rep1", password="wrong-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist form-errors" role="alert"' in page
    assert "Please enter a correct username and password" in page
    assert LoginFailure.objects.filter(username="rep1").count() == 1
    assert "_auth_user_id" not in client.session


@override_settings(TANDEM_LOGIN_MAX_FAILURES=3, TANDEM_LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_refuses_even_the_right_password_until_the_window_passes(client, sales_rep):
    for _attempt in range(3):
        log_in(client, "rep1", password="guess")

    # Locked: the right password is refused with a clear message.
    response = log_in(client, "rep1")
    assert response.status_code == 200
    assert "Too many failed attempts. Try again after" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Sixteen minutes later the window has passed.
    LoginThrottle.objects.update(window_started_at=timezone.now() - timedelta(minutes=16))
    response = log_in(client, "rep1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sales_rep.pk)


@override_settings(TANDEM_LOGIN_MAX_FAILURES=2)
def test_lockout_is_per_username(client, sales_rep, viewer):
    log_in(client, "rep1", password="x")
    log_in(client, "rep1", password="y")
    assert "Too many failed attempts" in log_in(client, "rep1").content.decode()
    assert log_in(client, "viewer1").status_code == 302


def test_inactive_user_cannot_log_in(client, make_user):
    make_user(username="gone", is_active=False)
    response = log_in(client, "gone")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, sales_rep):
    client.force_login(sales_rep)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response.url == reverse("core:login")
    assert "_auth_user_id" not in client.session


def test_every_page_has_a_logout_button(client, sales_rep):
    client.force_login(sales_rep)
    page = client.get("/").content.decode()
    assert f'action="{reverse("core:logout")}"' in page


# --- Password ---------------------------------------------------------------------------------------

def test_password_change_needs_the_old_password(client, sales_rep):
    client.force_login(sales_rep)
    url = reverse("core:password-change")
    new = "a-Much-better-passphrase-42"
    response = client.post(url, {"old_password": "nope", "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()

    response = client.post(url, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response.url == reverse("core:profile")
    # Still logged in on this session, and the new password works.
    assert client.get(reverse("core:profile")).status_code == 200
    sales_rep.refresh_from_db()
    assert sales_rep.check_password(new)


def test_password_change_applies_the_password_validators(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(
        reverse("core:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": "1234", "new_password2": "1234"},
    )
    assert response.status_code == 200
    sales_rep.refresh_from_db()
    assert sales_rep.check_password(TEST_PASSWORD)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_production_hashers_store_argon2(db):
    user = UserFactory(username="hashed")
    assert user.password.startswith("argon2$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(TEST_PASSWORD)


# --- Profile and language ---------------------------------------------------------------------------

def test_profile_saves_name_email_and_switches_language_at_once(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(
        reverse("core:profile"),
        {"first_name": "Ivan", "last_name": "Petrov", "email": "ivan@example.com", "language": "ru"},
    )
    assert response.status_code == 302
    sales_rep.refresh_from_db()
    assert (sales_rep.first_name, sales_rep.email, sales_rep.language) == ("Ivan", "ivan@example.com", "ru")

    page = client.get(reverse("core:profile"))
    assert page["Content-Language"] == "ru"
    assert '<html lang="ru">' in page.content.decode()
    assert "Ivan Petrov" in page.content.decode()


def test_profile_rejects_an_unknown_language_and_a_bad_email(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(
        reverse("core:profile"),
        {"first_name": "A", "last_name": "B", "email": "not-an-email", "language": "de"},
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist"') == 2
    sales_rep.refresh_from_db()
    assert sales_rep.language == "en"


def test_profile_shows_current_values(client, sales_rep):
    client.force_login(sales_rep)
    page = client.get(reverse("core:profile")).content.decode()
    assert f'value="{sales_rep.email}"' in page
    assert '<option value="en" selected>' in page


# --- Home -------------------------------------------------------------------------------------------

def test_home_greets_and_links_the_users_modules(client, sales_rep):
    client.force_login(sales_rep)
    page = client.get(reverse("core:home")).content.decode()
    assert f"Hello, {sales_rep.display_name}" in page
    assert 'href="/clients/" data-module="parties"' in page
    assert "Active API tokens" in page


def test_home_counts_only_own_active_tokens(client, sales_rep, viewer):
    create_api_token(sales_rep, "one", by=sales_rep)
    revoked, _secret = create_api_token(sales_rep, "two", by=sales_rep)
    revoked.revoked_at = timezone.now()
    revoked.save()
    create_api_token(viewer, "other", by=viewer)
    client.force_login(sales_rep)
    response = client.get(reverse("core:home"))
    assert response.context["active_token_count"] == 1


def test_home_without_a_role_says_so(client, make_user):
    client.force_login(make_user(username="norole"))
    page = client.get(reverse("core:home")).content.decode()
    assert "No module is open to you yet" in page
    assert 'data-module="parties"' not in page


def test_account_menu_links_settings_only_for_administrators(client, admin_user, viewer):
    client.force_login(viewer)
    page = client.get("/").content.decode()
    assert reverse("core:token-list") in page and reverse("core:company-settings") not in page
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    for name in ("core:company-settings", "core:role-list", "core:module-list"):
        assert reverse(name) in page


# --- Admin site -------------------------------------------------------------------------------------

@pytest.fixture
def superuser(make_user):
    return make_user(roles.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)


def test_admin_registers_core_models(db):
    for model in (User, ApiToken, AuditEntry, LoginFailure):
        assert admin.site.is_registered(model)
    assert "language" in str(admin.site._registry[User].fieldsets)
    assert admin.site.login_form is AdminLoginForm


def test_audit_entries_are_read_only_in_admin(client, superuser, admin_user):
    create_api_token(admin_user, "audited", by=admin_user)
    entry = AuditEntry.objects.get(action="core.apitoken.created")
    client.force_login(superuser)
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    change = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, action="core.apitoken.created").exists()


def test_api_token_admin_hides_the_secret_and_can_revoke(client, superuser, admin_user):
    token, secret = create_api_token(admin_user, "ci", by=admin_user)
    client.force_login(superuser)
    page = client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash in page and secret not in page
    assert client.get("/admin/core/apitoken/add/").status_code == 403
    client.post("/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="core.apitoken.revoked", actor=superuser).exists()


def test_user_admin_edits_language(client, superuser, viewer):
    client.force_login(superuser)
    page = client.get(f"/admin/core/user/{viewer.pk}/change/").content.decode()
    assert 'name="language"' in page


@override_settings(TANDEM_LOGIN_MAX_FAILURES=2)
def test_admin_login_uses_the_same_lockout(client, superuser):
    for _attempt in range(2):
        client.post("/admin/login/", {"username": "root", "password": "bad"})
    response = client.post("/admin/login/", {"username": "root", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_admin_login_refuses_non_staff(client, sales_rep):
    response = client.post("/admin/login/", {"username": "rep1", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_company_change_in_admin_is_validated_and_audited(client, superuser):
    company = get_company()
    client.force_login(superuser)
    url = f"/admin/core/company/{company.pk}/change/"
    data = {"name": "Admin Co", "base_currency": "GBP", "language": "en", "time_zone": "Europe/London"}
    assert client.post(url, {**data, "base_currency": "ZZZ"}).status_code == 200
    assert client.post(url, data).status_code == 302
    company.refresh_from_db()
    assert (company.name, company.base_currency) == ("Admin Co", "GBP")
    assert AuditEntry.objects.get(action="core.company.updated").actor == superuser
    assert client.get("/admin/core/company/add/").status_code == 403


def test_module_switches_are_read_only_in_admin(client, superuser):
    setting = set_module_enabled("parties", True, by=superuser)
    client.force_login(superuser)
    assert client.get("/admin/core/modulesetting/add/").status_code == 403
    assert client.post(f"/admin/core/modulesetting/{setting.pk}/change/", {"enabled": ""}).status_code == 403


def test_role_policy_change_in_admin_is_audited(client, superuser):
    policy = RolePolicy.objects.get(group__name=roles.VIEWER)
    client.force_login(superuser)
    response = client.post(
        f"/admin/core/rolepolicy/{policy.pk}/change/", {"requires_two_factor": "on", "description": "Readers"}
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.requires_two_factor and policy.description == "Readers"
    assert AuditEntry.objects.filter(action="core.rolepolicy.updated", actor=superuser).exists()
