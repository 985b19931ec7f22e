from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles

_MODELS = ["workcentre", "bom", "bomline", "bomoperation", "productionorder", "productionordercomponent",
           "productionorderoperation", "productionorderoutput"]
_READ = [f"production.view_{name}" for name in _MODELS]
_WRITE = [f"production.{verb}_{name}" for name in _MODELS for verb in ("add", "change", "delete")]


class ProductionConfig(AppConfig):
    name = "tandem.production"
    label = "production"
    verbose_name = _("Production")

    module_key = "production"
    module_requires = ("catalog", "stock")
    url_prefixes = ("/production/", "/api/v1/production/")
    menu = []
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _WRITE,
        roles.PRODUCTION: _READ + _WRITE,
        roles.SALES_MANAGER: _READ,
        roles.PURCHASING: _READ,
        roles.WAREHOUSE: _READ,
        roles.ACCOUNTANT: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        from tandem.core import audit
        from tandem.production.audit_actions import ACTIONS

        audit.register_actions(ACTIONS)
