"""Rules and refusals of core.services: login lockout, API tokens, company settings, user language."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import timezone

from tandem.core import services
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ApiToken, AuditEntry, Company, LoginFailure, LoginThrottle
from tandem.core.tests.factories import TEST_PASSWORD


@pytest.fixture
def request_from_ip():
    return RequestFactory().post("/account/login/", REMOTE_ADDR="203.0.113.7")


# --- Login lockout ----------------------------------------------------------------------------------

def test_failed_login_is_recorded_with_the_address(sales_rep, request_from_ip):
    assert services.authenticate_with_lockout(request_from_ip, "rep1", "wrong") is None
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.ip_address) == ("rep1", "203.0.113.7")


def test_successful_login_clears_this_address_failures(sales_rep, request_from_ip):
    services.authenticate_with_lockout(request_from_ip, "rep1", "wrong")
    assert services.authenticate_with_lockout(request_from_ip, "rep1", TEST_PASSWORD) == sales_rep
    assert not LoginThrottle.objects.filter(key__startswith="pair:").exists()


@override_settings(TANDEM_LOGIN_MAX_FAILURES=3, TANDEM_LOGIN_LOCKOUT_MINUTES=10)
def test_lockout_after_max_failures_within_the_window(sales_rep, request_from_ip):
    for _attempt in range(2):
        services.authenticate_with_lockout(request_from_ip, "rep1", "wrong")
    assert services.login_locked_until(request_from_ip, "rep1") is None
    services.authenticate_with_lockout(request_from_ip, "rep1", "wrong")
    locked_until = services.login_locked_until(request_from_ip, "REP1")  # usernames match case-insensitively
    assert locked_until is not None
    assert timedelta(minutes=9) < locked_until - timezone.now() <= timedelta(minutes=10)

    with pytest.raises(BusinessRuleError) as exc:
        services.authenticate_with_lockout(request_from_ip, "rep1", TEST_PASSWORD)
    assert exc.value.code == "login_locked"
    # A refused attempt while locked does not extend the lock.
    assert LoginFailure.objects.count() == 3
    assert LoginThrottle.objects.get(key="pair:rep1|203.0.113.7").failures == 3


@override_settings(TANDEM_LOGIN_MAX_FAILURES=2, TANDEM_LOGIN_LOCKOUT_MINUTES=10)
def test_old_failures_do_not_count(sales_rep, request_from_ip):
    for _attempt in range(2):
        services.authenticate_with_lockout(request_from_ip, "rep1", "wrong")
    LoginThrottle.objects.update(window_started_at=timezone.now() - timedelta(minutes=11))
    assert services.login_locked_until(request_from_ip, "rep1") is None
    assert services.authenticate_with_lockout(request_from_ip, "rep1", TEST_PASSWORD) == sales_rep


def test_unknown_usernames_are_throttled_too(db, request_from_ip):
    with override_settings(TANDEM_LOGIN_MAX_FAILURES=1):
        services.authenticate_with_lockout(request_from_ip, "nobody", "x")
        with pytest.raises(BusinessRuleError):
            services.authenticate_with_lockout(request_from_ip, "nobody", "x")


# --- API tokens -------------------------------------------------------------------------------------

def test_token_stores_only_a_hash(sales_rep):
    token, secret = services.create_api_token(sales_rep, " Export ", by=sales_rep)
    assert token.name == "Export"
    assert secret.startswith(services.TOKEN_PREFIX) and token.prefix == secret[:12]
    assert token.key_hash == services.hash_token(secret) and secret not in token.key_hash
    assert services.user_for_token(secret) == sales_rep
    assert services.user_for_token(secret + "x") is None
    entry = AuditEntry.objects.get(action="core.apitoken.created")
    assert entry.actor == sales_rep and entry.changes == {"name": "Export"}


@pytest.mark.parametrize(("name", "code"), [("", "required"), ("   ", "required"), ("x" * 101, "too_long")])
def test_token_name_is_checked(sales_rep, name, code):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_api_token(sales_rep, name, by=sales_rep)
    assert (exc.value.code, exc.value.field) == (code, "name")
    assert not ApiToken.objects.exists()


def test_revoke_is_idempotent_and_stops_the_token(sales_rep):
    token, secret = services.create_api_token(sales_rep, "CI", by=sales_rep)
    services.revoke_api_token(token, by=sales_rep)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.revoke_api_token(token, by=sales_rep)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
    assert AuditEntry.objects.filter(action="core.apitoken.revoked").count() == 1
    assert services.user_for_token(secret) is None


def test_token_of_an_inactive_user_does_not_work(sales_rep):
    _token, secret = services.create_api_token(sales_rep, "CI", by=sales_rep)
    sales_rep.is_active = False
    sales_rep.save()
    assert services.user_for_token(secret) is None


def test_last_used_is_stamped_at_most_once_a_minute(sales_rep):
    token, secret = services.create_api_token(sales_rep, "CI", by=sales_rep)
    services.user_for_token(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    services.user_for_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


# --- Company ----------------------------------------------------------------------------------------

def test_get_company_creates_the_single_row(db):
    assert not Company.objects.exists()
    company = services.get_company()
    assert services.get_company() == company
    assert Company.objects.count() == 1


def test_update_company_validates_and_audits(admin_user):
    company = services.update_company(
        by=admin_user, name="Acme", base_currency="RUB", time_zone="Europe/Moscow"
    )
    assert (company.name, company.base_currency, company.time_zone) == ("Acme", "RUB", "Europe/Moscow")
    entry = AuditEntry.objects.get(action="core.company.updated")
    assert entry.changes["base_currency"] == ["EUR", "RUB"]
    assert entry.actor == admin_user

    with pytest.raises(ValidationError):
        services.update_company(by=admin_user, base_currency="ABC")
    with pytest.raises(ValidationError):
        services.update_company(by=admin_user, time_zone="Nowhere/Land")
    assert services.get_company().base_currency == "RUB"
    with pytest.raises(BusinessRuleError) as exc:
        services.update_company(by=admin_user, owner="me")
    assert exc.value.code == "unknown_field"


# --- Users ------------------------------------------------------------------------------------------

def test_set_user_language(sales_rep):
    services.set_user_language(sales_rep, "ru")
    sales_rep.refresh_from_db()
    assert sales_rep.language == "ru"
    with pytest.raises(BusinessRuleError) as exc:
        services.set_user_language(sales_rep, "de")
    assert exc.value.field == "language"


def test_profile_update_is_audited_and_refuses_unknown_languages(make_user):
    from tandem.core.errors import BusinessRuleError
    from tandem.core.models import AuditEntry
    from tandem.core.services import update_profile

    user = make_user(first_name="Anna", last_name="Schmidt")
    update_profile(user, first_name="Anna-Lena", language="ru")
    user.refresh_from_db()
    assert (user.first_name, user.language) == ("Anna-Lena", "ru")
    entry = AuditEntry.objects.get(action="core.user.updated")
    assert entry.changes == {"first_name": ["Anna", "Anna-Lena"], "language": ["en", "ru"]}

    with pytest.raises(BusinessRuleError) as refused:
        update_profile(user, language="xx")
    assert refused.value.field == "language"
    user.refresh_from_db()
    assert user.language == "ru"
