"""Sign-in that cannot be turned against its owner: failures are counted per account and address, a browser
the owner signed in from before still gets in, parallel guesses get no more password checks than the limit,
and every sign-in (failed or not) is in the audit trail. The same rules hold on /admin/login/."""

import threading

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings

from tandem.core import roles, services
from tandem.core.errors import BusinessRuleError
from tandem.core.models import AuditEntry
from tandem.core.tests.factories import TEST_PASSWORD

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


def log_in(client, username, password=TEST_PASSWORD, ip=OWNER, url="/account/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def superuser(make_user):
    return make_user(roles.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)


@override_settings(TANDEM_LOGIN_MAX_FAILURES=5)
def test_an_anonymous_guesser_cannot_lock_the_administrator_out(client, superuser, django_user_model):
    from django.test import Client

    attacker = Client()
    for guess in range(8):
        log_in(attacker, "ROOT", password=f"guess{guess}", ip=ATTACKER, url="/admin/login/")
    # The guesser's own address is locked out, even with the right password...
    response = log_in(attacker, "root", ip=ATTACKER, url="/admin/login/")
    assert "Too many failed attempts" in response.content.decode()
    # ...but the administrator, from their own browser, signs in to the app and to /admin/.
    assert log_in(client, "root").status_code == 302
    admin_browser = Client()
    assert log_in(admin_browser, "root", url="/admin/login/").status_code == 302
    assert admin_browser.get("/admin/").status_code == 200


@override_settings(TANDEM_LOGIN_MAX_FAILURES=2, TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT=4)
def test_a_distributed_guess_locks_new_browsers_but_not_a_known_device(client, sales_rep):
    from django.test import Client

    # The owner signed in from this browser last week: it keeps a signed "known device" cookie.
    assert log_in(client, "rep1").status_code == 302
    assert services.KNOWN_DEVICE_COOKIE in client.cookies
    client.post("/account/logout/")

    for n in range(6):  # guesses from many addresses exhaust the account-wide limit
        log_in(Client(), "rep1", password="guess", ip=f"192.0.2.{n + 1}")
    stranger = Client()
    assert "Too many failed attempts" in log_in(stranger, "rep1", ip="192.0.2.200").content.decode()

    # The known device is exempt from the account-wide lock.
    response = log_in(client, "rep1", ip="192.0.2.201")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sales_rep.pk)


@override_settings(TANDEM_LOGIN_MAX_FAILURES=2, TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
def test_a_forged_known_device_cookie_does_not_exempt(client, sales_rep):
    from django.test import Client

    for n in range(3):
        log_in(Client(), "rep1", password="guess", ip=f"192.0.2.{n + 1}")
    client.cookies[services.KNOWN_DEVICE_COOKIE] = f"{sales_rep.pk}:forged"
    assert "Too many failed attempts" in log_in(client, "rep1", ip="192.0.2.99").content.decode()


def test_failed_and_successful_sign_ins_are_audited(client, sales_rep):
    log_in(client, "Rep1", password="wrong", ip=ATTACKER)
    log_in(client, "nobody", password="wrong", ip=ATTACKER)
    log_in(client, "rep1", ip=OWNER)

    failed = AuditEntry.objects.filter(action="core.auth.login_failed").order_by("pk")
    assert [(e.changes["username"], e.changes["ip"]) for e in failed] == [("Rep1", ATTACKER), ("nobody", ATTACKER)]
    assert failed[0].object_id == str(sales_rep.pk)  # shows in the user's own history
    assert failed[0].actor is None
    succeeded = AuditEntry.objects.get(action="core.auth.login_succeeded")
    assert succeeded.actor == sales_rep
    assert succeeded.changes == {"username": "rep1", "ip": OWNER}


def test_admin_sign_in_is_audited_too(client, superuser):
    log_in(client, "root", password="bad", url="/admin/login/")
    log_in(client, "root", url="/admin/login/")
    actions = list(AuditEntry.objects.filter(action__startswith="core.auth.").values_list("action", flat=True))
    assert sorted(actions) == ["core.auth.login_failed", "core.auth.login_succeeded"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(TANDEM_LOGIN_MAX_FAILURES=5)
def test_parallel_guesses_get_at_most_the_limit_of_password_checks(sales_rep, monkeypatch):
    """40 guesses at once, each on its own database connection: the counter is reserved atomically before
    the password is checked, so no more than 5 passwords are ever tried."""
    checks = []
    lock = threading.Lock()
    real_authenticate = services.authenticate

    def counting_authenticate(request, **credentials):
        with lock:
            checks.append(credentials["username"])
        return real_authenticate(request, **credentials)

    monkeypatch.setattr(services, "authenticate", counting_authenticate)
    barrier = threading.Barrier(40)
    outcomes = []

    def guess(n):
        request = RequestFactory().post("/account/login/", REMOTE_ADDR=ATTACKER)
        try:
            barrier.wait()
            name = "rep1" if n % 2 else "REP1"
            try:
                outcomes.append(services.authenticate_with_lockout(request, name, f"guess{n}"))
            except BusinessRuleError as exc:
                outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 40
    assert len(checks) <= 5
    assert outcomes.count("login_locked") >= 35
