"""Company settings, module switches and personal API tokens, through the pages."""

from django.apps import apps
from django.test import override_settings
from django.urls import reverse

from tandem.core import modules
from tandem.core.models import ApiToken, AuditEntry, ModuleSetting
from tandem.core.services import create_api_token, get_company, user_for_token

COMPANY_URL = "/settings/company/"
MODULES_URL = "/settings/modules/"
TOKENS_URL = "/account/tokens/"


def company_data(**overrides):
    return {"name": "Acme Trading", "base_currency": "USD", "language": "en", "time_zone": "Europe/Berlin",
            **overrides}  # fmt: skip


# --- Company settings -------------------------------------------------------------------------------

def test_company_settings_need_change_company(client, viewer, sales_rep):
    assert reverse("core:company-settings") == COMPANY_URL
    for user in (viewer, sales_rep):
        client.force_login(user)
        assert client.get(COMPANY_URL).status_code == 403
        assert client.post(COMPANY_URL, company_data()).status_code == 403
    assert get_company().name != "Acme Trading"


def test_forbidden_page_is_explained(client, viewer):
    client.force_login(viewer)
    assert "You do not have permission to open this page" in client.get(COMPANY_URL).content.decode()


def test_company_settings_show_and_save_with_audit(client, admin_user):
    client.force_login(admin_user)
    page = client.get(COMPANY_URL).content.decode()
    assert f'value="{get_company().name}"' in page

    response = client.post(COMPANY_URL, company_data(base_currency="usd"))
    assert response.status_code == 302
    company = get_company()
    assert company.name == "Acme Trading"
    assert (company.base_currency, company.time_zone) == ("USD", "Europe/Berlin")
    entry = AuditEntry.objects.get(action="core.company.updated")
    assert entry.actor == admin_user
    assert entry.changes["base_currency"] == ["EUR", "USD"]
    assert "Company settings have been saved." in client.get(COMPANY_URL).content.decode()


def test_company_settings_reject_a_non_iso_currency_and_unknown_time_zone(client, admin_user):
    client.force_login(admin_user)
    response = client.post(COMPANY_URL, company_data(base_currency="XYZ", time_zone="Mars/Olympus"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "XYZ is not an ISO 4217 currency code." in page
    assert "Select a valid choice" in page
    assert get_company().base_currency == "EUR"
    assert not AuditEntry.objects.filter(action="core.company.updated").exists()


def test_saving_unchanged_settings_writes_no_audit_entry(client, admin_user):
    company = get_company()
    client.force_login(admin_user)
    client.post(COMPANY_URL, {"name": company.name, "base_currency": company.base_currency,
                              "language": company.language, "time_zone": company.time_zone})  # fmt: skip
    assert not AuditEntry.objects.filter(action="core.company.updated").exists()


# --- Modules ----------------------------------------------------------------------------------------

def test_modules_page_needs_change_modulesetting(client, viewer):
    client.force_login(viewer)
    assert client.get(MODULES_URL).status_code == 403
    assert client.post(f"{MODULES_URL}parties/", {"enabled": "off"}).status_code == 403
    assert "parties" in modules.enabled_module_keys()


def test_modules_page_lists_registered_modules(client, admin_user):
    client.force_login(admin_user)
    page = client.get(MODULES_URL).content.decode()
    assert 'id="module-parties"' in page
    assert str(apps.get_app_config("parties").verbose_name) in page


def test_switching_parties_off_hides_clients_and_on_restores_them(client, admin_user):
    client.force_login(admin_user)
    assert 'data-module="parties"' in client.get("/").content.decode()
    assert client.get("/clients/").status_code == 200

    # Sales requires CRM, CRM requires the clients module, so they are switched off first.
    assert client.post(f"{MODULES_URL}sales/", {"enabled": "off"}).status_code == 302
    assert client.post(f"{MODULES_URL}crm/", {"enabled": "off"}).status_code == 302
    response = client.post(f"{MODULES_URL}parties/", {"enabled": "off"})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert 'data-module="parties"' not in home
    assert client.get("/clients/").status_code == 404
    assert client.get("/api/v1/clients").status_code == 404
    assert ModuleSetting.objects.get(key="parties").enabled is False

    client.post(f"{MODULES_URL}parties/", {"enabled": "on"})
    assert 'data-module="parties"' in client.get("/").content.decode()
    assert client.get("/clients/").status_code == 200
    assert AuditEntry.objects.filter(action="core.module.switched", actor=admin_user).count() == 4


def test_switched_off_module_page_says_not_found(client, admin_user):
    modules.set_module_enabled("sales", False, by=admin_user)  # sales requires CRM,
    modules.set_module_enabled("crm", False, by=admin_user)  # CRM requires the clients module
    modules.set_module_enabled("parties", False, by=admin_user)
    client.force_login(admin_user)
    response = client.get("/clients/")
    assert response.status_code == 404
    assert "its module is switched off" in response.content.decode()


def test_refusal_to_switch_off_a_required_module_is_shown(client, admin_user, monkeypatch):
    parties = apps.get_app_config("parties")
    fake = type("FakeConfig", (), {"module_key": "crm_fake", "module_requires": ("parties",),
                                   "verbose_name": "Fake CRM"})()  # fmt: skip
    monkeypatch.setattr(modules, "registered_modules", lambda: {"parties": parties, "crm_fake": fake})
    client.force_login(admin_user)
    page = client.get(MODULES_URL).content.decode()
    assert "required by Fake CRM" in page

    response = client.post(f"{MODULES_URL}parties/", {"enabled": "off"}, follow=True)
    page = response.content.decode()
    assert "cannot be switched off: it is required by Fake CRM." in page
    assert "message-error" in page
    assert "parties" in modules.enabled_module_keys()
    assert not AuditEntry.objects.filter(action="core.module.switched").exists()


def test_unknown_module_answers_404(client, admin_user):
    client.force_login(admin_user)
    assert client.post(f"{MODULES_URL}nonsense/", {"enabled": "off"}).status_code == 404


@override_settings(TANDEM_DISABLED_MODULES=["sales", "crm", "parties"])
def test_module_switched_off_by_configuration_has_no_switch(client, admin_user):
    client.force_login(admin_user)
    page = client.get(MODULES_URL).content.decode()
    assert "Switched off in the server configuration." in page
    assert f'action="{MODULES_URL}parties/"' not in page


# --- API tokens -------------------------------------------------------------------------------------

def test_token_page_lists_only_own_tokens(client, sales_rep, viewer):
    create_api_token(sales_rep, "Mine", by=sales_rep)
    create_api_token(viewer, "Someone else's", by=viewer)
    client.force_login(sales_rep)
    page = client.get(reverse("core:token-list")).content.decode()
    assert "Mine" in page and "Someone else" not in page


def test_new_token_secret_is_shown_once(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(TOKENS_URL, {"name": "Accounting export"})
    assert response.status_code == 200
    secret = response.context["secret"]
    page = response.content.decode()
    assert secret in page
    assert "It will not be shown again." in page
    assert "no-store" in response["Cache-Control"]

    token = ApiToken.objects.get(user=sales_rep)
    assert token.name == "Accounting export" and secret not in token.key_hash
    listing = client.get(TOKENS_URL).content.decode()
    assert token.prefix in listing and secret not in listing
    assert "never" in listing  # not used yet
    assert user_for_token(secret) == sales_rep


def test_token_needs_a_name(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(TOKENS_URL, {"name": "  "})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_own_token(client, sales_rep):
    token, secret = create_api_token(sales_rep, "CI", by=sales_rep)
    client.force_login(sales_rep)
    response = client.post(reverse("core:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(secret) is None
    assert "revoked" in client.get(TOKENS_URL).content.decode()
    assert AuditEntry.objects.filter(action="core.apitoken.revoked", actor=sales_rep).exists()


def test_cannot_revoke_someone_elses_token(client, sales_rep, viewer):
    token, _secret = create_api_token(viewer, "theirs", by=viewer)
    client.force_login(sales_rep)
    assert client.post(reverse("core:token-revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("core:token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_pages_need_login(client, db):
    assert client.get(TOKENS_URL).status_code == 302
    assert client.post(TOKENS_URL, {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()
