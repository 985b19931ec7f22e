"""REST API of core: current user, personal tokens, company, module switches, OpenAPI and docs, and the
two ways to authenticate (bearer token; browser session with CSRF)."""

import re

from django.test import Client as HttpClient
from django.utils.crypto import get_random_string

from tandem.core.models import ApiToken, AuditEntry, Company, ModuleSetting
from tandem.core.services import create_api_token, get_company

JSON = "application/json"


# --- Current user -----------------------------------------------------------------------------------

def test_me_lists_roles_and_permissions(api, sales_rep):
    body = api(sales_rep).get("/api/v1/me").json()
    assert body["username"] == "rep1"
    assert body["roles"] == ["Sales representative"]
    assert "parties.add_client" in body["permissions"]
    assert "parties.view_all_clients" not in body["permissions"]
    assert body["language"] == "en"


def test_patch_me_changes_language_and_refuses_unknown(api, sales_rep):
    http = api(sales_rep)
    response = http.patch("/api/v1/me", {"language": "ru"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["language"] == "ru"
    sales_rep.refresh_from_db()
    assert sales_rep.language == "ru"

    response = http.patch("/api/v1/me", {"language": "xx"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "language"
    sales_rep.refresh_from_db()
    assert sales_rep.language == "ru"


# --- Personal API tokens ----------------------------------------------------------------------------

def test_token_secret_is_returned_once_and_authenticates(api, sales_rep):
    http = api(sales_rep)
    response = http.post("/api/v1/tokens", {"name": "ERP sync"}, content_type=JSON)

    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("tdm_") and created["secret"].startswith(created["prefix"])
    listed = http.get("/api/v1/tokens").json()
    assert sorted(t["name"] for t in listed) == ["ERP sync", "tests"]
    assert all("secret" not in t for t in listed)
    assert created["secret"] not in http.get("/api/v1/tokens").content.decode()
    fresh = HttpClient(headers={"Authorization": f"Bearer {created['secret']}"})
    assert fresh.get("/api/v1/me").json()["username"] == "rep1"


def test_tokens_list_only_own(api, sales_rep, sales_manager):
    create_api_token(sales_manager, "manager's", by=sales_manager)
    names = [t["name"] for t in api(sales_rep).get("/api/v1/tokens").json()]
    assert names == ["tests"]


def test_blank_token_name_is_400_and_creates_nothing(api, sales_rep):
    http = api(sales_rep)
    count = ApiToken.objects.count()
    response = http.post("/api/v1/tokens", {"name": "  "}, content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] == "name"
    assert ApiToken.objects.count() == count


def test_revoking_own_token_stops_it_working(api, sales_rep):
    http = api(sales_rep)
    token, secret = create_api_token(sales_rep, "to revoke", by=sales_rep)

    assert http.delete(f"/api/v1/tokens/{token.pk}").status_code == 204

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert HttpClient(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="core.apitoken.revoked", object_id=str(token.pk)).exists()


def test_another_users_token_cannot_be_revoked(api, sales_rep, sales_manager):
    token, secret = create_api_token(sales_manager, "manager's", by=sales_manager)
    response = api(sales_rep).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert HttpClient(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me").status_code == 200


# --- Company ----------------------------------------------------------------------------------------

def test_everyone_reads_the_company_only_an_administrator_changes_it(api, admin_user, sales_manager):
    get_company()
    assert api(sales_manager).get("/api/v1/company").json()["base_currency"] == "EUR"

    response = api(sales_manager).patch("/api/v1/company", {"name": "Hijacked"}, content_type=JSON)
    assert response.status_code == 403
    assert Company.objects.get().name == "My company"

    response = api(admin_user).patch(
        "/api/v1/company", {"name": "Tandem Demo GmbH", "time_zone": "Europe/Berlin"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json() == {"name": "Tandem Demo GmbH", "base_currency": "EUR", "language": "en",
                               "time_zone": "Europe/Berlin"}
    entry = AuditEntry.objects.get(action="core.company.updated")
    assert entry.changes["name"] == ["My company", "Tandem Demo GmbH"]


def test_invalid_company_values_are_400_and_change_nothing(api, admin_user):
    get_company()
    http = api(admin_user)
    audit_before = AuditEntry.objects.count()
    for field, value in (("base_currency", "EURO"), ("time_zone", "Mars/Olympus"), ("language", "xx")):
        response = http.patch("/api/v1/company", {field: value}, content_type=JSON)
        assert response.status_code == 400, field
        assert response.json()["field"] == field
    company = Company.objects.get()
    assert (company.base_currency, company.time_zone, company.language) == ("EUR", "UTC", "en")
    assert AuditEntry.objects.count() == audit_before


# --- Module switches --------------------------------------------------------------------------------

def test_modules_list_and_switch(api, admin_user, sales_manager):
    admin = api(admin_user)
    assert {"key": "parties", "name": "Clients", "enabled": True, "requires": []} in admin.get(
        "/api/v1/modules").json()

    response = api(sales_manager).patch("/api/v1/modules/parties", {"enabled": False}, content_type=JSON)
    assert response.status_code == 403
    assert not ModuleSetting.objects.exists()

    # CRM needs the clients module: it must go first.
    response = admin.patch("/api/v1/modules/parties", {"enabled": False}, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "module_required"
    # Sales needs CRM, CRM needs the clients module.
    assert admin.patch("/api/v1/modules/sales", {"enabled": False}, content_type=JSON).status_code == 200
    assert admin.patch("/api/v1/modules/crm", {"enabled": False}, content_type=JSON).status_code == 200
    response = admin.patch("/api/v1/modules/parties", {"enabled": False}, content_type=JSON)
    assert response.status_code == 200 and response.json()["enabled"] is False
    assert admin.get("/api/v1/clients").status_code == 404

    response = admin.patch("/api/v1/modules/parties", {"enabled": True}, content_type=JSON)
    assert response.json()["enabled"] is True
    assert admin.get("/api/v1/clients").status_code == 200


def test_unknown_module_is_404(api, admin_user):
    response = api(admin_user).patch("/api/v1/modules/astrology", {"enabled": False}, content_type=JSON)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not ModuleSetting.objects.exists()


# --- Session authentication and CSRF ----------------------------------------------------------------

def test_session_write_without_csrf_token_is_refused_with_token_accepted(sales_rep):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(sales_rep)
    assert browser.get("/api/v1/me").status_code == 200  # reads need no token

    response = browser.post("/api/v1/tokens", {"name": "from browser"}, content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not ApiToken.objects.filter(name="from browser").exists()
    response = browser.patch("/api/v1/me", {"language": "ru"}, content_type=JSON)
    assert response.status_code == 403
    sales_rep.refresh_from_db()
    assert sales_rep.language == "en"

    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret
    response = browser.post("/api/v1/tokens", {"name": "from browser"}, content_type=JSON,
                            headers={"X-CSRFToken": secret})
    assert response.status_code == 201
    assert ApiToken.objects.filter(name="from browser", user=sales_rep).exists()


def test_bearer_token_needs_no_csrf_token(api, sales_rep):
    response = api(sales_rep).post("/api/v1/tokens", {"name": "script"}, content_type=JSON)
    assert response.status_code == 201


def test_no_session_and_no_token_is_401(db):
    response = HttpClient().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- OpenAPI and docs -------------------------------------------------------------------------------

def test_openapi_schema_lists_the_endpoints(db):
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/clients" in paths
    assert {"get", "post"} <= set(paths["/api/v1/clients"])
    assert "/api/v1/me" in paths and "/api/v1/tokens/{token_id}" in paths


def test_docs_page_loads_its_assets_from_local_static_files(db):
    http = HttpClient()
    response = http.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "docs must not load assets from a CDN"
    assert '"validatorUrl": null' in html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        response = http.get(asset)
        assert response.status_code == 200, asset
        response.close()


def test_unknown_api_path_answers_json_404(api, admin_user):
    response = api(admin_user).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
