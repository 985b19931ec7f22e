from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["planning.view_planningrun", "planning.view_planningproposal", "planning.view_planningpegging",
         "planning.view_planningparameter"]
_RUN = ["planning.add_planningrun", "planning.add_planningparameter", "planning.change_planningparameter"]
_BUY = ["planning.confirm_purchase_proposal"]
_MAKE = ["planning.confirm_make_proposal"]


def _register_panels() -> None:
    from tandem.catalog import panels
    from tandem.planning.views import product_parameters_panel, product_proposals_panel

    panels.register("planning-parameters", _("Planning"), product_parameters_panel, module="planning", order=58)
    panels.register("planning", _("Planning proposals"), product_proposals_panel, module="planning", order=60)


class PlanningConfig(AppConfig):
    name = "tandem.planning"
    label = "planning"
    verbose_name = _("Planning")

    module_key = "planning"
    module_requires = ("catalog", "stock", "purchasing", "production")
    url_prefixes = ("/planning/", "/api/v1/planning/")
    menu_group = "purchasing"  # its page sits in the Purchasing menu (with Production users it is a group of its own)
    menu = [MenuEntry(_("Planning"), "planning:proposal-list", "planning.view_planningproposal"),
            MenuEntry(_("Planning parameters"), "planning:parameter-list", "planning.view_planningparameter")]
    # Purchasing confirms purchase proposals, Production confirms production ones, sales managers and
    # administrators both (the sales manager makes the production order: production grants it reading only).
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _RUN + _BUY + _MAKE,
        roles.SALES_MANAGER: _READ + _RUN + _BUY + _MAKE + ["production.add_productionorder"],
        roles.PURCHASING: _READ + _RUN + _BUY,
        roles.PRODUCTION: _READ + _RUN + _MAKE,
        roles.WAREHOUSE: _READ,
        roles.SALES_REPRESENTATIVE: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        from tandem.core import audit
        from tandem.planning.audit_actions import ACTIONS

        audit.register_actions(ACTIONS)
        _register_panels()

    def order_page_panels(self, request, order):
        """The sales order page: per line, available, incoming (date) or to be made (date)."""
        from tandem.planning.views import order_availability_panel

        panel = order_availability_panel(request, order)
        return [panel] if panel else []

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: the furniture maker's year (purchases, production, sales; it spans the
        three apps below), then minimum stocks and one planning run over the other demos' data."""
        from tandem.planning.demo import build_planning_demo
        from tandem.planning.furniture_demo import build_furniture_demo

        return build_furniture_demo(seed=seed, scale=scale) + build_planning_demo(seed=seed, scale=scale)
