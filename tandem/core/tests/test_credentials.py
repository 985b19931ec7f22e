"""Credentials that end when they should, and changes to users and roles that leave a trace wherever they are
made: a new password revokes API tokens (with the reason shown on the tokens page), a role requiring two-factor
refuses tokens until it is set up, admin grants and password changes are audited, and a user who has acted is
deactivated, never deleted."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import ProtectedError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import roles, services
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ApiToken, AuditEntry, RevokedReason, User
from tandem.core.tests.factories import TEST_PASSWORD
from tandem.core.two_factor import set_role_requires_two_factor

NEW_PASSWORD = "a-new-and-long-passphrase-7"


@pytest.fixture
def superuser(make_user):
    return make_user(roles.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def api_get(path, secret):
    """A program calling the API with only its token (no browser session)."""
    from django.test import Client

    return Client().get(path, headers=bearer(secret))


# --- Tokens end with the password ------------------------------------------------------------------

def test_changing_the_password_revokes_api_tokens_and_says_why(client, sales_rep):
    token, secret = services.create_api_token(sales_rep, "Export", by=sales_rep)
    assert api_get("/api/v1/me", secret).status_code == 200

    client.force_login(sales_rep)
    response = client.post("/account/password/", {
        "old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302

    api_response = api_get("/api/v1/me", secret)
    assert api_response.status_code == 401
    token.refresh_from_db()
    assert token.revoked_reason == RevokedReason.PASSWORD_CHANGED
    page = client.get("/account/tokens/").content.decode()
    assert "because the password was changed" in page
    entry = AuditEntry.objects.get(action="core.user.password_changed")
    assert entry.actor == sales_rep and entry.object_id == str(sales_rep.pk)


def test_a_token_revoked_by_its_owner_says_so(client, sales_rep):
    token, _secret = services.create_api_token(sales_rep, "Old script", by=sales_rep)
    client.force_login(sales_rep)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_reason == RevokedReason.BY_OWNER
    assert "because revoked by its owner" in client.get("/account/tokens/").content.decode()


def test_password_set_in_admin_revokes_tokens_and_is_audited(client, superuser, sales_rep):
    _token, secret = services.create_api_token(sales_rep, "Export", by=sales_rep)
    client.force_login(superuser)
    response = client.post(f"/admin/core/user/{sales_rep.pk}/password/",
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    assert api_get("/api/v1/me", secret).status_code == 401
    assert AuditEntry.objects.filter(action="core.user.password_changed", actor=superuser,
                                     object_id=str(sales_rep.pk)).exists()
    assert ApiToken.objects.get(user=sales_rep).revoked_reason == RevokedReason.PASSWORD_CHANGED


# --- Two-factor required by the role ---------------------------------------------------------------

def test_role_requiring_two_factor_refuses_tokens_until_it_is_set_up(client, sales_rep, admin_user):
    _token, secret = services.create_api_token(sales_rep, "Export", by=sales_rep)
    set_role_requires_two_factor(Group.objects.get(name=roles.SALES_REPRESENTATIVE), True, by=admin_user)

    response = api_get("/api/v1/me", secret)
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_setup_required"

    TOTPDevice.objects.create(user=sales_rep, name="phone", confirmed=True)
    assert api_get("/api/v1/me", secret).status_code == 200


# --- Users and roles changed in /admin/ are audited -------------------------------------------------

def _admin_user_form(user, **overrides):
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "language": user.language, "is_active": "on",
        "groups": [g.pk for g in user.groups.all()], "user_permissions": [],
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_granting_superuser_and_a_role_in_admin_is_audited(client, superuser, viewer):
    client.force_login(superuser)
    manager_role = Group.objects.get(name=roles.SALES_MANAGER)
    data = _admin_user_form(viewer, is_superuser="on", is_staff="on",
                            groups=[manager_role.pk, *viewer.groups.values_list("pk", flat=True)])
    response = client.post(f"/admin/core/user/{viewer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    updated = AuditEntry.objects.get(action="core.user.updated", object_id=str(viewer.pk))
    assert updated.actor == superuser
    assert updated.changes["is_superuser"] == [False, True]
    assert updated.changes["is_staff"] == [False, True]
    roles_changed = AuditEntry.objects.get(action="core.user.roles_changed", object_id=str(viewer.pk),
                                           actor=superuser)
    assert roles_changed.actor == superuser
    assert roles_changed.changes["groups"] == [[roles.VIEWER], sorted([roles.VIEWER, roles.SALES_MANAGER])]


def test_changing_a_roles_permissions_is_audited(client, superuser):
    client.force_login(superuser)
    group = Group.objects.create(name="Auditors")
    perm = Permission.objects.get(codename="view_auditentry")
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Auditors", "permissions": [perm.pk]})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="core.group.permissions_changed")
    assert entry.actor == superuser
    assert entry.changes == {"permissions": [[], ["core.view_auditentry"]]}


def test_role_granted_in_code_from_either_side_is_audited(sales_rep, admin_user):
    group = Group.objects.get(name=roles.SALES_MANAGER)
    group.user_set.add(sales_rep)
    entry = AuditEntry.objects.filter(action="core.user.roles_changed", object_id=str(sales_rep.pk)).first()
    assert entry.changes["groups"][1] == sorted([roles.SALES_MANAGER, roles.SALES_REPRESENTATIVE])


# --- Users who acted are deactivated, never deleted ------------------------------------------------
# (The refusal itself is core.deletion's, tested in test_deactivate_users.py; here: the database backs it,
# and deactivation ends the user's credentials.)

def test_a_user_who_acted_cannot_be_deleted_in_admin(client, superuser, sales_rep):
    services.create_api_token(sales_rep, "Acted", by=sales_rep)  # an audited action by the rep
    client.force_login(superuser)
    response = client.post(f"/admin/core/user/{sales_rep.pk}/delete/", {"post": "yes"}, follow=True)
    assert User.objects.filter(pk=sales_rep.pk).exists()
    assert "is used by 1 audit entry: it cannot be deleted" in response.content.decode()


def test_the_audit_trail_keeps_its_actor_and_deactivation_ends_tokens(superuser, sales_rep):
    _token, secret = services.create_api_token(sales_rep, "Acted", by=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.delete_user(sales_rep, by=superuser)
    assert exc.value.code == "referenced"
    # Even a direct delete cannot clear the actor of their audit entries.
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=sales_rep.pk).delete()

    services.deactivate_user(sales_rep, by=superuser)
    sales_rep.refresh_from_db()
    assert not sales_rep.is_active
    assert ApiToken.objects.get(user=sales_rep).revoked_reason == RevokedReason.USER_DEACTIVATED
    # Reactivation does not bring the old token back.
    services.reactivate_user(sales_rep, by=superuser)
    assert api_get("/api/v1/me", secret).status_code == 401


def test_token_list_api_says_why_a_token_was_revoked(api, sales_rep):
    token, _secret = services.create_api_token(sales_rep, "Old", by=sales_rep)
    services.revoke_api_token(token, by=sales_rep)
    rows = {row["name"]: row for row in api(sales_rep).get("/api/v1/tokens").json()}
    assert rows["Old"]["revoked_reason"] == "by_owner"
    assert rows["tests"]["revoked_reason"] == ""
