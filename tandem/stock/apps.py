from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["stock.view_warehouse", "stock.view_location", "stock.view_lot", "stock.view_stockmove"]
_OPERATE = ["stock.add_stockmove", "stock.add_lot", "stock.change_lot"]
_VALUATION = ["stock.view_valuation"]  # costs and stock values: accounting and management
_SETUP = ["stock.add_warehouse", "stock.change_warehouse", "stock.add_location", "stock.change_location"]


class StockConfig(AppConfig):
    name = "tandem.stock"
    label = "stock"
    verbose_name = _("Stock")

    module_key = "stock"
    module_requires = ("catalog",)
    url_prefixes = ("/stock/", "/api/v1/stock/")
    menu = [MenuEntry(_("Stock valuation"), "stock_valuation:valuation-list", "stock.view_valuation")]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _OPERATE + _SETUP + _VALUATION,
        roles.SALES_MANAGER: _READ + _VALUATION,
        roles.SALES_REPRESENTATIVE: _READ,
        roles.WAREHOUSE: _READ + _OPERATE,
        roles.ACCOUNTANT: _READ + _VALUATION,
        roles.PRODUCTION: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.core import audit
        from tandem.stock.audit_actions import ACTIONS

        audit.register_actions(ACTIONS)

        from tandem.stock.valuation.apps import connect

        connect()
