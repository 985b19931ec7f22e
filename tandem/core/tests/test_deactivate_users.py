"""A user who has acted is deactivated, never deleted: services, API and admin."""

import pytest

from tandem.core import audit, deletion, roles, services
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry, User


@pytest.fixture
def acted(make_user):
    """A user with two changes on record."""
    user = make_user(roles.SALES_REPRESENTATIVE, username="leaver", first_name="Lea", last_name="Ver")
    services.update_profile(user, first_name="Leah")
    services.update_profile(user, last_name="Vernon")
    return user


def test_deleting_a_user_who_acted_is_refused_naming_the_audit_entries(acted, admin_user):
    with pytest.raises(ConflictError) as refused:
        services.delete_user(acted, by=admin_user)
    assert refused.value.code == "referenced"
    assert refused.value.message == ("“Leah Vernon” is used by 2 audit entries: it cannot be deleted. "
                                     "Deactivate the user instead.")
    assert refused.value.extra["references"] == [{"model": "core.auditentry", "count": 2, "label": "2 audit entries"}]
    assert User.objects.filter(pk=acted.pk).exists()


def test_a_user_who_never_acted_is_deleted_and_the_delete_audited(make_user, admin_user):
    newcomer = make_user(None, username="typo")
    services.delete_user(newcomer, by=admin_user)
    assert not User.objects.filter(username="typo").exists()
    assert AuditEntry.objects.filter(action="core.user.deleted", actor=admin_user).count() == 1


def test_deactivate_and_reactivate_are_audited_and_refused_for_oneself(acted, admin_user, sales_manager):
    services.deactivate_user(acted, by=admin_user)
    assert not User.objects.get(pk=acted.pk).is_active
    services.reactivate_user(acted, by=admin_user)
    assert User.objects.get(pk=acted.pk).is_active
    assert list(AuditEntry.objects.filter(object_id=str(acted.pk), action__startswith="core.user.")
                .exclude(action="core.user.updated").order_by("id").values_list("action", flat=True)) == [
        "core.user.deactivated", "core.user.reactivated"]
    with pytest.raises(BusinessRuleError):
        services.deactivate_user(admin_user, by=admin_user)
    with pytest.raises(AccessDenied):
        services.deactivate_user(acted, by=sales_manager)


def test_registry_counts_each_referring_table_once(acted):
    deletion.register_blocker("core.User", "core.AuditEntry", "actor")  # again: not counted twice
    assert [(r.model, r.count) for r in deletion.references(acted)] == [("core.auditentry", 2)]
    audit.record(acted, "core.user.noted", by=acted)
    assert deletion.references(acted)[0].count == 3


# --- API --------------------------------------------------------------------------------------------

def test_api_delete_of_a_user_who_acted_is_409_then_deactivate_and_reactivate(api, acted, admin_user):
    http = api(admin_user)
    response = http.delete(f"/api/v1/users/{acted.pk}")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "referenced" and body["references"][0]["model"] == "core.auditentry"
    assert "Deactivate the user instead." in body["message"]

    response = http.post(f"/api/v1/users/{acted.pk}/deactivate")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "username", "name", "is_active")} == {
        "id": acted.pk, "username": "leaver", "name": "Leah Vernon", "is_active": False}
    assert http.post(f"/api/v1/users/{acted.pk}/reactivate").json()["is_active"] is True


def test_api_user_endpoints_need_user_permissions(api, acted, sales_manager):
    assert api(sales_manager).post(f"/api/v1/users/{acted.pk}/deactivate").status_code == 403
    assert User.objects.get(pk=acted.pk).is_active


def test_api_unknown_user_is_404(api, admin_user):
    assert api(admin_user).delete("/api/v1/users/999999").status_code == 404


# --- Admin ------------------------------------------------------------------------------------------

def test_admin_delete_page_refuses_a_user_who_acted(client, acted, make_user):
    superuser = make_user(None, username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    page = client.get(f"/admin/core/user/{acted.pk}/delete/")
    assert page.status_code == 200
    assert "is used by 2 audit entries" in page.content.decode()
    client.post(f"/admin/core/user/{acted.pk}/delete/", {"post": "yes"})
    assert User.objects.filter(pk=acted.pk).exists()


def test_admin_deactivate_action(client, acted, make_user):
    superuser = make_user(None, username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    client.post("/admin/core/user/", {"action": "deactivate", "_selected_action": [acted.pk]})
    assert not User.objects.get(pk=acted.pk).is_active
