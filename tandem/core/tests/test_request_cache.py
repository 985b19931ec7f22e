"""What every request reads (company, module switches, permissions, two-factor state) comes from the cache,
and a change made through the services or the admin takes effect on the next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import modules, roles, services, two_factor
from tandem.core.models import Company
from tandem.settings import cache_from_url

CLIENTS_API = "/api/v1/clients"


def permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# --- Query counts -------------------------------------------------------------------------------------

def test_clients_api_runs_at_most_six_queries(api, sales_rep, own_client, django_assert_max_num_queries):
    http = api(sales_rep)
    assert http.get(CLIENTS_API).status_code == 200  # fills the cache
    # Token, count, page, tags, contact channels, counterparties: no company, module, role or permission reads.
    with django_assert_max_num_queries(6) as captured:
        response = http.get(CLIENTS_API)
    assert response.status_code == 200 and response.json()["items"][0]["name"] == own_client.name
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for table in ("core_company", "core_modulesetting", "auth_permission", "core_rolepolicy"):
        assert table not in sql


def test_home_page_reads_no_settings_permissions_or_policies(client, sales_rep, own_client):
    client.force_login(sales_rep)
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    # 6 for the shell and the page, 4 for the CRM dashboard (my day, pipeline, won this month, target).
    assert len(captured) <= 10, [query["sql"] for query in captured.captured_queries]
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for table in ("core_company", "core_modulesetting", "auth_permission", "core_rolepolicy"):
        assert table not in sql


# --- Invalidation: the next request sees the change -----------------------------------------------

def test_switching_a_module_off_and_on_takes_effect_on_the_next_request(client, admin_user, api, sales_rep):
    http = api(sales_rep)
    client.force_login(admin_user)
    assert client.get("/crm/tasks/").status_code == 200
    assert http.get("/api/v1/crm/tasks").status_code == 200

    modules.set_module_enabled("sales", False, by=admin_user)  # sales requires CRM
    modules.set_module_enabled("crm", False, by=admin_user)
    assert client.get("/crm/tasks/").status_code == 404
    assert http.get("/api/v1/crm/tasks").status_code == 404
    assert 'data-module="crm"' not in client.get("/").content.decode()

    # Through the Modules page, too.
    client.post("/settings/modules/crm/", {"enabled": "on"})
    assert client.get("/crm/tasks/").status_code == 200
    assert http.get("/api/v1/crm/tasks").status_code == 200


def test_removing_a_permission_from_a_role_takes_effect_on_the_next_request(api, sales_rep, own_client):
    http = api(sales_rep)
    group = Group.objects.get(name=roles.SALES_REPRESENTATIVE)
    assert http.get(CLIENTS_API).status_code == 200

    group.permissions.remove(permission("parties.view_client"))
    assert http.get(CLIENTS_API).status_code == 403

    group.permissions.add(permission("parties.view_client"))
    assert http.get(CLIENTS_API).status_code == 200


def test_changing_a_users_roles_takes_effect_on_the_next_request(client, sales_rep, own_client):
    client.force_login(sales_rep)
    assert client.get("/clients/").status_code == 200
    sales_rep.groups.clear()
    assert client.get("/clients/").status_code == 403
    sales_rep.groups.add(Group.objects.get(name=roles.VIEWER))
    assert client.get("/clients/").status_code == 200


def test_a_direct_user_permission_and_a_deleted_group_are_seen(client, make_user, own_client):
    user = make_user(None, username="nobody")
    client.force_login(user)
    assert client.get("/clients/").status_code == 403
    user.user_permissions.add(permission("parties.view_client"))
    assert client.get("/clients/").status_code == 200

    user.user_permissions.clear()
    group = Group.objects.create(name="Temporary")
    group.permissions.add(permission("parties.view_client"))
    user.groups.add(group)
    assert client.get("/clients/").status_code == 200
    group.delete()
    assert client.get("/clients/").status_code == 403


def test_a_role_requiring_two_factor_and_a_new_device_take_effect_on_the_next_request(
    client, admin_user, sales_rep
):
    client.force_login(sales_rep)
    assert client.get("/clients/").status_code == 200
    group = Group.objects.get(name=roles.SALES_REPRESENTATIVE)

    two_factor.set_role_requires_two_factor(group, True, by=admin_user)
    assert client.get("/clients/").url.startswith("/account/two-factor/?")

    two_factor.set_role_requires_two_factor(group, False, by=admin_user)
    assert client.get("/clients/").status_code == 200

    TOTPDevice.objects.create(user=sales_rep, name="phone", confirmed=True)
    assert client.get("/clients/").url.startswith("/account/two-factor/verify/?")


def test_company_settings_take_effect_on_the_next_request(client, admin_user):
    services.get_company()
    client.force_login(admin_user)
    assert client.get("/").status_code == 200  # caches the company
    services.update_company(by=admin_user, time_zone="Asia/Tokyo")
    assert services.get_company().time_zone == "Asia/Tokyo"
    page = client.get("/settings/company/").content.decode()
    assert "Asia/Tokyo" in page


def test_the_company_is_created_once_and_then_cached(db, django_assert_num_queries):
    assert not Company.objects.exists()
    company = services.get_company()
    assert services.get_company().pk == company.pk  # read once after its creation
    with django_assert_num_queries(0):
        assert services.get_company().pk == company.pk


# --- Cache configuration ------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "backend"), [
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
    ("file:///srv/tandem/cache", "django.core.cache.backends.filebased.FileBasedCache"),
    ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
])
def test_cache_from_url(url, backend):
    assert cache_from_url(url)["BACKEND"] == backend


def test_cache_from_url_refuses_an_unknown_scheme():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        cache_from_url("memcached://x")
