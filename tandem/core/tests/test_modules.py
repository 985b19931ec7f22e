import pytest
from django.apps import apps

from tandem.core import modules
from tandem.core.errors import BusinessRuleError
from tandem.core.models import AuditEntry


def test_parties_module_is_registered_and_on_by_default(db):
    assert "parties" in modules.registered_modules()
    assert "parties" in modules.enabled_module_keys()


def test_switching_a_module_off_and_on_is_audited(admin_user):
    modules.set_module_enabled("sales", False, by=admin_user)  # sales requires CRM,
    modules.set_module_enabled("crm", False, by=admin_user)  # CRM requires the clients module
    modules.set_module_enabled("parties", False, by=admin_user)
    assert "parties" not in modules.enabled_module_keys()
    assert "/api/v1/clients" in modules.disabled_url_prefixes()
    modules.set_module_enabled("parties", True, by=admin_user)
    assert "parties" in modules.enabled_module_keys()
    assert AuditEntry.objects.filter(action="core.module.switched").count() == 4


def test_unknown_module_is_refused(admin_user):
    with pytest.raises(BusinessRuleError) as exc:
        modules.set_module_enabled("nonsense", False, by=admin_user)
    assert exc.value.field == "key"


def test_a_module_required_by_an_enabled_module_stays_on(admin_user, monkeypatch):
    parties = apps.get_app_config("parties")
    fake = type("FakeConfig", (), {"module_key": "crm_fake", "module_requires": ("parties",)})()
    monkeypatch.setattr(modules, "registered_modules", lambda: {"parties": parties, "crm_fake": fake})
    with pytest.raises(BusinessRuleError, match="required by enabled modules: crm_fake"):
        modules.set_module_enabled("parties", False, by=admin_user)
    # Switched off by configuration, it still stays on while crm_fake needs it.
    monkeypatch.setattr("django.conf.settings.TANDEM_DISABLED_MODULES", ["parties"])
    assert "parties" in modules.enabled_module_keys()
