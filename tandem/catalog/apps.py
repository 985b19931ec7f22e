from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["catalog.view_product", "catalog.view_category", "catalog.view_unit", "catalog.view_taxcategory",
         "catalog.view_pricelist", "catalog.view_pricegroup"]
_WRITE = ["catalog.add_product", "catalog.change_product", "catalog.delete_product", "catalog.add_category",
          "catalog.change_category", "catalog.add_unit", "catalog.change_unit", "catalog.add_taxcategory",
          "catalog.change_taxcategory", "catalog.add_pricelist", "catalog.change_pricelist"]


class CatalogConfig(AppConfig):
    name = "tandem.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    module_key = "catalog"
    module_requires = ()
    url_prefixes = ("/catalog/", "/api/v1/catalog/")
    # One module-bar entry "Catalog" (a dropdown of these pages, core.context_processors.shell).
    menu = [MenuEntry(_("Products"), "catalog:product-list", "catalog.view_product"),
            MenuEntry(_("Price lists"), "catalog:pricelist-list", "catalog.view_pricelist")]
    settings_menu = [
        MenuEntry(_("Product categories"), "catalog:category-settings", "catalog.change_category"),
        MenuEntry(_("Units of measure"), "catalog:unit-settings", "catalog.change_unit"),
        MenuEntry(_("Tax categories"), "catalog:taxcategory-settings", "catalog.change_taxcategory"),
        MenuEntry(_("Price groups"), "catalog:pricegroup-settings", "catalog.change_pricelist"),
    ]
    # Sales managers and administrators keep the assortment and prices; everyone else reads it.
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _WRITE,
        roles.SALES_MANAGER: _READ + _WRITE,
        roles.SALES_REPRESENTATIVE: _READ,
        roles.WAREHOUSE: _READ,
        roles.ACCOUNTANT: _READ,
        roles.PRODUCTION: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.catalog.audit_actions import ACTIONS
        from tandem.core import audit
        from tandem.core.deletion import register_blocker

        audit.register_actions(ACTIONS)
        # References the catalogue holds to its own archivable rows: they block a hard delete.
        register_blocker("catalog.Product", "catalog.Product", "template")
        register_blocker("catalog.Product", "catalog.PriceListItem", "product")
        register_blocker("catalog.Category", "catalog.Product", "category")
        register_blocker("catalog.Category", "catalog.Category", "parent")
        register_blocker("catalog.Unit", "catalog.Product", "unit")
        register_blocker("catalog.TaxCategory", "catalog.Product", "tax_category")
        register_blocker("catalog.PriceGroup", "catalog.PriceList", "price_group")

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: units, categories, ~30 products with variants, price lists."""
        from tandem.catalog.demo import build_catalog_demo  # models are not loaded when this module is

        return build_catalog_demo(seed=seed, scale=scale)
