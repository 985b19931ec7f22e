from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["stock.view_warehouse", "stock.view_location", "stock.view_lot", "stock.view_stockmove",
         "stock.view_stockcount", "stock.view_expectedreceipt"]
_OPERATE = ["stock.add_stockmove", "stock.add_lot", "stock.change_lot", "stock.add_stockcount",
            "stock.change_stockcount", "stock.add_expectedreceipt", "stock.change_expectedreceipt"]
_VALUATION = ["stock.view_valuation"]  # costs and stock values: accounting and management
_CORRECT_COSTS = ["stock.add_costcorrection", "stock.view_costcorrection"]  # accounting corrects receipt costs
_SETUP = ["stock.add_warehouse", "stock.change_warehouse", "stock.add_location", "stock.change_location"]

# The references stock holds to archivable rows (its own and the catalog's): they block a hard delete.
_BLOCKERS = [
    ("stock.Warehouse", "stock.Location", "warehouse"),
    ("stock.Warehouse", "stock.WarehouseStock", "warehouse"),
    ("stock.Warehouse", "stock.StockCount", "warehouse"),
    ("stock.Warehouse", "stock.ExpectedReceipt", "warehouse"),
    ("stock.Warehouse", "stock.Reservation", "warehouse"),
    ("stock.Location", "stock.StockMove", "from_location"),
    ("stock.Location", "stock.StockMove", "to_location"),
    ("stock.Location", "stock.StockLevel", "location"),
    ("stock.Location", "stock.StockCountLine", "location"),
    ("catalog.Product", "stock.StockMove", "product"),
    ("catalog.Product", "stock.Lot", "product"),
    ("catalog.Product", "stock.WarehouseStock", "product"),
    ("catalog.Product", "stock.Reservation", "product"),
    ("catalog.Product", "stock.ExpectedReceipt", "product"),
    ("core.LegalEntity", "stock.Warehouse", "company"),
]


def _register_product_panels() -> None:
    """The catalog's product page shows stock through its panel registry (catalog never imports stock)."""
    from tandem.catalog import panels
    from tandem.stock.views import product_moves_section, product_stock_section

    panels.register("stock-per-warehouse", _("Stock per warehouse"), product_stock_section, module="stock",
                    order=10, template="stock/partials/_panel_stock_per_warehouse.html")
    panels.register("moves-history", _("Moves history"), product_moves_section, module="stock", order=20,
                    open=False, template="stock/partials/_panel_moves_history.html")


class StockConfig(AppConfig):
    name = "tandem.stock"
    label = "stock"
    verbose_name = _("Stock")

    module_key = "stock"
    module_requires = ("catalog",)
    url_prefixes = ("/stock/", "/api/v1/stock/")
    menu = [MenuEntry(_("Stock list"), "stock:stock-list", "stock.view_stockmove"),
            MenuEntry(_("Stock moves"), "stock:move-list", "stock.view_stockmove"),
            MenuEntry(_("Stock counts"), "stock:count-list", "stock.view_stockcount"),
            MenuEntry(_("Warehouses"), "stock:warehouse-list", "stock.view_warehouse"),
            MenuEntry(_("Stock valuation"), "stock_valuation:valuation-list", "stock.view_valuation")]
    settings_menu = [MenuEntry(_("Warehouses"), "stock:warehouse-list", "stock.change_warehouse")]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _OPERATE + _SETUP + _VALUATION + _CORRECT_COSTS,
        roles.SALES_MANAGER: _READ + _VALUATION,
        roles.SALES_REPRESENTATIVE: _READ,
        roles.WAREHOUSE: _READ + _OPERATE,
        roles.ACCOUNTANT: _READ + _VALUATION + _CORRECT_COSTS,
        roles.PRODUCTION: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.core import audit
        from tandem.core.deletion import register_blocker
        from tandem.stock.audit_actions import ACTIONS
        from tandem.stock.valuation.apps import connect

        audit.register_actions(ACTIONS)
        connect()
        for model, related_model, field in _BLOCKERS:
            register_blocker(model, related_model, field)
        _register_product_panels()

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: two warehouses, a year of receipts, transfers, lots, counts."""
        from tandem.stock.demo import build_stock_demo  # models are not loaded when this module is

        return build_stock_demo(seed=seed, scale=scale)

    def global_search_sections(self, user, text: str) -> list[dict]:
        """The global search's answer to "stock of item X": products by SKU or name, available per warehouse."""
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.stock.search import stock_search_section

        return stock_search_section(user, text)
