from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_MODELS = ["workcentre", "bom", "bomline", "bomoperation", "productionorder", "productionordercomponent",
           "productionorderoperation", "productionorderoutput"]
_READ = [f"production.view_{name}" for name in _MODELS]
_WRITE = [f"production.{verb}_{name}" for name in _MODELS for verb in ("add", "change", "delete")]


def _register_panels() -> None:
    from tandem.catalog import panels
    from tandem.production.bom_views import product_boms_panel, product_where_used_panel

    panels.register("boms", _("Bills of materials"), product_boms_panel, module="production", order=50)
    panels.register("where-used", _("Where used"), product_where_used_panel, module="production", order=55)


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
        MenuEntry(_("Bills of materials"), "production:bom-list", "production.view_bom"),
        MenuEntry(_("Work centres"), "production:workcentre-list", "production.view_workcentre"),
        MenuEntry(_("Work-centre load"), "production:work-centre-load", "production.view_productionorder"),
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
        _register_panels()

    def stock_move_origins(self) -> list[dict]:
        """Stock's move lists link each move to the production document it came from."""
        from tandem.production.stock_origins import stock_move_origins

        return stock_move_origins()

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: a small furniture maker's work centres and three-level BOMs, then
        production orders in every state."""
        from tandem.production.demo import build_production_demo
        from tandem.production.demo_orders import build_production_orders_demo

        return build_production_demo(seed=seed, scale=scale) + build_production_orders_demo(seed=seed, scale=scale)
