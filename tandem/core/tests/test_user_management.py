"""Administrators manage users from the settings pages and the API: create with roles, edit, reset
passwords (revoking API tokens), deactivate; at least one active administrator remains."""

import pytest
from django.contrib.auth.models import Group

from tandem.core import roles, services
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import ApiToken, AuditEntry, RevokedReason, User
from tandem.core.tests.factories import TEST_PASSWORD


def audit_actions(user):
    return list(AuditEntry.objects.filter(object_id=str(user.pk), content_type__model="user")
                .order_by("id").values_list("action", flat=True))


# --- Services ---------------------------------------------------------------------------------------

def test_create_user_with_roles_and_a_generated_password(admin_user):
    user, generated = services.create_user(by=admin_user, username="nina", first_name="Nina", last_name="Rep",
                                           email="nina@example.com", roles=[roles.SALES_REPRESENTATIVE])
    user.refresh_from_db()
    assert generated and len(generated) >= 16
    assert user.check_password(generated)
    assert [group.name for group in user.groups.all()] == [roles.SALES_REPRESENTATIVE]
    entry = AuditEntry.objects.get(action="core.user.created", object_id=str(user.pk))
    assert entry.actor == admin_user
    assert entry.changes["roles"] == [[], [roles.SALES_REPRESENTATIVE]]
    assert generated not in str(entry.changes)


def test_create_user_with_a_given_password_returns_none_in_its_place(admin_user):
    user, generated = services.create_user(by=admin_user, username="olga", password=TEST_PASSWORD)
    assert generated is None and User.objects.get(pk=user.pk).check_password(TEST_PASSWORD)


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"username": ""}, "username", "required"),
    ({"username": "has space"}, "username", "invalid"),
    ({"username": "ADMIN1"}, "username", "duplicate"),
    ({"username": "new1", "email": "not-an-email"}, "email", "invalid"),
    ({"username": "new1", "language": "xx"}, "language", "invalid_choice"),
    ({"username": "new1", "roles": ["Pirate"]}, "roles", "invalid_choice"),
    ({"username": "new1", "password": "123"}, "password", "invalid_password"),
])
def test_create_user_refusals_name_the_field_and_write_nothing(admin_user, values, field, code):
    before = User.objects.count()
    with pytest.raises(BusinessRuleError) as refused:
        services.create_user(by=admin_user, **values)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert User.objects.count() == before


def test_only_administrators_create_and_change_users(sales_manager, sales_rep):
    with pytest.raises(AccessDenied):
        services.create_user(by=sales_manager, username="sneaky")
    with pytest.raises(AccessDenied):
        services.update_user(sales_rep, by=sales_manager, first_name="X")
    with pytest.raises(AccessDenied):
        services.reset_password(sales_rep, by=sales_manager)


def test_update_user_changes_roles_and_names_and_audits(admin_user, sales_rep):
    services.update_user(sales_rep, by=admin_user, first_name="Renamed",
                         roles=[roles.SALES_MANAGER, roles.VIEWER])
    sales_rep.refresh_from_db()
    assert sales_rep.first_name == "Renamed"
    assert sorted(sales_rep.groups.values_list("name", flat=True)) == [roles.SALES_MANAGER, roles.VIEWER]
    entry = AuditEntry.objects.filter(action="core.user.updated", object_id=str(sales_rep.pk)).get()
    assert entry.changes["roles"] == [[roles.SALES_REPRESENTATIVE], [roles.SALES_MANAGER, roles.VIEWER]]
    assert entry.changes["first_name"][1] == "Renamed"


def test_the_last_active_administrator_cannot_lose_the_role_or_be_deactivated(admin_user, make_user):
    with pytest.raises(ConflictError) as refused:
        services.update_user(admin_user, by=admin_user, roles=[roles.VIEWER])
    assert refused.value.code == "last_administrator" and refused.value.status_code == 409
    assert admin_user.groups.filter(name=roles.ADMINISTRATOR).exists()

    # A superuser without the role deactivating the only administrator is refused too.
    root = make_user(None, username="root", is_superuser=True)
    with pytest.raises(ConflictError):
        services.deactivate_user(admin_user, by=root)
    with pytest.raises(ConflictError):
        services.update_user(admin_user, by=root, is_active=False)
    assert User.objects.get(pk=admin_user.pk).is_active

    # With a second administrator the first may step down.
    make_user(roles.ADMINISTRATOR, username="admin2")
    services.update_user(admin_user, by=admin_user, roles=[roles.VIEWER])
    assert not admin_user.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_an_administrator_cannot_deactivate_themselves_through_edit(admin_user, make_user):
    make_user(roles.ADMINISTRATOR, username="admin2")
    with pytest.raises(BusinessRuleError) as refused:
        services.update_user(admin_user, by=admin_user, is_active=False)
    assert (refused.value.code, refused.value.field) == ("own_account", "is_active")


def test_reset_password_revokes_api_tokens_and_is_audited(admin_user, sales_rep):
    services.create_api_token(sales_rep, "phone", by=sales_rep)
    services.create_api_token(sales_rep, "laptop", by=sales_rep)
    generated, revoked = services.reset_password(sales_rep, by=admin_user)
    sales_rep.refresh_from_db()
    assert revoked == 2 and sales_rep.check_password(generated)
    assert not ApiToken.objects.filter(user=sales_rep, revoked_at__isnull=True).exists()
    assert "core.user.password_reset" in audit_actions(sales_rep)

    assert services.reset_password(sales_rep, by=admin_user, password=TEST_PASSWORD) == (None, 0)
    with pytest.raises(BusinessRuleError) as refused:
        services.reset_password(sales_rep, by=admin_user, password="short")
    assert refused.value.field == "password"
    sales_rep.refresh_from_db()
    assert sales_rep.check_password(TEST_PASSWORD)


def test_each_user_change_is_audited_once_with_the_services_own_code(admin_user, sales_rep):
    """core.signals audits user and role changes made elsewhere (/admin/); the services audit their own."""
    user, _generated = services.create_user(by=admin_user, username="pia", roles=[roles.SALES_REPRESENTATIVE])
    services.update_user(user, by=admin_user, first_name="Pia", roles=[roles.SALES_MANAGER])
    services.reset_password(user, by=admin_user)
    assert audit_actions(user) == ["core.user.created", "core.user.updated", "core.user.password_reset"]
    assert AuditEntry.objects.filter(object_id=str(user.pk), content_type__model="user").exclude(
        actor=admin_user).count() == 0


def test_reset_password_and_deactivation_by_edit_revoke_tokens_with_their_reason(admin_user, sales_rep):
    phone = services.create_api_token(sales_rep, "phone", by=sales_rep)[0]
    services.reset_password(sales_rep, by=admin_user)
    phone.refresh_from_db()
    assert phone.revoked_reason == RevokedReason.PASSWORD_CHANGED
    laptop = services.create_api_token(sales_rep, "laptop", by=sales_rep)[0]
    services.update_user(sales_rep, by=admin_user, is_active=False)
    laptop.refresh_from_db()
    assert laptop.revoked_at is not None and laptop.revoked_reason == RevokedReason.USER_DEACTIVATED


def test_a_null_active_flag_is_refused_not_taken_as_deactivation(admin_user, sales_rep):
    with pytest.raises(BusinessRuleError) as refused:
        services.update_user(sales_rep, by=admin_user, is_active=None)
    assert refused.value.field == "is_active"
    sales_rep.refresh_from_db()
    assert sales_rep.is_active


# --- API --------------------------------------------------------------------------------------------

def post(http, url, data=None):
    return http.post(url, data or {}, content_type="application/json")


def patch(http, url, data):
    return http.patch(url, data, content_type="application/json")


def test_api_create_list_get_patch_and_reset(api, admin_user, sales_rep):
    http = api(admin_user)
    response = post(http, "/api/v1/users", {"username": "nina", "first_name": "Nina", "email": "nina@example.com",
                                            "roles": [roles.SALES_REPRESENTATIVE]})
    assert response.status_code == 201
    body = response.json()
    assert body["roles"] == [roles.SALES_REPRESENTATIVE] and body["last_login"] is None
    assert body["two_factor"] is False and body["is_active"] is True
    nina = User.objects.get(username="nina")
    assert nina.check_password(body["generated_password"])

    listed = http.get("/api/v1/users", {"q": "nina"}).json()
    assert [row["username"] for row in listed["items"]] == ["nina"]
    assert "generated_password" not in listed["items"][0]
    assert http.get(f"/api/v1/users/{nina.pk}").json()["email"] == "nina@example.com"

    response = patch(http, f"/api/v1/users/{nina.pk}", {"roles": [roles.SALES_MANAGER], "last_name": "Boss"})
    assert response.status_code == 200
    assert (response.json()["roles"], response.json()["name"]) == ([roles.SALES_MANAGER], "Nina Boss")

    response = post(http, f"/api/v1/users/{nina.pk}/reset-password")
    assert response.status_code == 200
    assert User.objects.get(pk=nina.pk).check_password(response.json()["generated_password"])

    assert post(http, f"/api/v1/users/{nina.pk}/deactivate").json()["is_active"] is False
    assert [row["username"] for row in http.get("/api/v1/users", {"active": "false"}).json()["items"]] == ["nina"]


@pytest.mark.parametrize(("data", "status", "field"), [
    ({"username": "Admin1"}, 409, "username"),
    ({"username": "x", "email": "nope"}, 400, "email"),
    ({"username": "x", "roles": ["Pirate"]}, 400, "roles"),
    ({"username": "x", "colour": "red"}, 400, "colour"),
])
def test_api_create_refusals(api, admin_user, data, status, field):
    response = post(api(admin_user), "/api/v1/users", data)
    assert response.status_code == status
    assert response.json()["field"] == field


def test_api_last_administrator_and_own_account(api, admin_user):
    http = api(admin_user)
    response = patch(http, f"/api/v1/users/{admin_user.pk}", {"roles": [roles.VIEWER]})
    assert response.status_code == 409 and response.json()["code"] == "last_administrator"
    assert post(http, f"/api/v1/users/{admin_user.pk}/deactivate").status_code == 400


def test_api_user_management_is_for_administrators(api, sales_manager, sales_rep):
    http = api(sales_manager)
    assert http.get("/api/v1/users").status_code == 403
    assert post(http, "/api/v1/users", {"username": "x"}).status_code == 403
    assert patch(http, f"/api/v1/users/{sales_rep.pk}", {"first_name": "X"}).status_code == 403
    assert post(http, f"/api/v1/users/{sales_rep.pk}/reset-password").status_code == 403


def test_api_reset_password_revokes_the_users_own_token(api, admin_user, sales_rep):
    rep_http = api(sales_rep)
    assert rep_http.get("/api/v1/me").status_code == 200
    assert post(api(admin_user), f"/api/v1/users/{sales_rep.pk}/reset-password",
                {"password": TEST_PASSWORD + "x"}).json() == {"generated_password": None, "revoked_tokens": 1}
    assert rep_http.get("/api/v1/me").status_code == 401


# --- Pages ------------------------------------------------------------------------------------------

def test_settings_users_pages_are_for_administrators(client, sales_rep, sales_manager):
    for user in (sales_rep, sales_manager):
        client.force_login(user)
        assert client.get("/settings/users/").status_code == 403
        assert client.get("/settings/users/new/").status_code == 403
        assert client.post(f"/settings/users/{sales_rep.pk}/deactivate/").status_code == 403


def test_user_list_shows_roles_last_sign_in_and_filters(client, admin_user, sales_rep, make_user):
    make_user(roles.VIEWER, username="gone", first_name="Gone", is_active=False)
    client.force_login(admin_user)
    page = client.get("/settings/users/").content.decode()
    assert "rep1" in page and roles.SALES_REPRESENTATIVE in page and "gone" not in page
    assert "never" in page  # rep1 never signed in
    assert "gone" in client.get("/settings/users/?active=false").content.decode()
    page = client.get("/settings/users/?active=&q=rep1").content.decode()
    assert "rep1" in page and "admin1" not in page.split("<tbody>")[1]
    home = client.get("/").content.decode()
    assert 'href="/settings/users/"' in home


def test_create_user_page_shows_generated_password_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/users/new/", {"username": "nina", "first_name": "Nina", "language": "en",
                                                    "roles": [roles.SALES_REPRESENTATIVE], "password": ""})
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    nina = User.objects.get(username="nina")
    assert nina.check_password(password) and nina.groups.get().name == roles.SALES_REPRESENTATIVE
    assert password not in client.get(f"/settings/users/{nina.pk}/").content.decode()


def test_create_user_page_shows_refusals_on_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/users/new/", {"username": "admin1", "language": "en"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["The username admin1 is already taken."]


def test_edit_reset_and_deactivate_pages(client, admin_user, sales_rep):
    client.force_login(admin_user)
    response = client.post(f"/settings/users/{sales_rep.pk}/", {
        "first_name": "Rita", "last_name": "Rep", "email": "rita@example.com", "language": "ru",
        "roles": [roles.SALES_MANAGER], "is_active": "on"})
    assert response.status_code == 302
    sales_rep.refresh_from_db()
    assert (sales_rep.first_name, sales_rep.language) == ("Rita", "ru")
    assert sales_rep.groups.get().name == roles.SALES_MANAGER

    response = client.post(f"/settings/users/{sales_rep.pk}/password/", {"password": ""})
    assert response.status_code == 200
    sales_rep.refresh_from_db()
    assert sales_rep.check_password(response.context["password"])

    response = client.post(f"/settings/users/{sales_rep.pk}/password/", {"password": "1"})
    assert response.status_code == 400
    assert response.context["password_form"].errors["password"]

    client.post(f"/settings/users/{sales_rep.pk}/deactivate/")
    assert not User.objects.get(pk=sales_rep.pk).is_active
    client.post(f"/settings/users/{sales_rep.pk}/reactivate/")
    assert User.objects.get(pk=sales_rep.pk).is_active


def test_edit_page_refuses_removing_the_last_administrator(client, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/settings/users/{admin_user.pk}/", {"language": "en", "roles": [roles.VIEWER],
                                                                 "is_active": "on"})
    assert response.status_code == 400
    assert "At least one active administrator must remain." in response.content.decode()
    assert Group.objects.get(name=roles.ADMINISTRATOR).user_set.filter(pk=admin_user.pk).exists()
