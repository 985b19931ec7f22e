from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

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
    # One module-bar entry "Production" (a dropdown of these pages).
    menu = [
        MenuEntry(_("Production orders"), "production:mo-list", "production.view_productionorder"),
        MenuEntry(_("Work-centre load"), "production:work-centre-load", "production.view_workcentre"),
    ]
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

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: production orders in every state (BOMs from production/demo.py)."""
        from tandem.production.demo_orders import build_production_orders_demo

        return build_production_orders_demo(seed=seed, scale=scale)

