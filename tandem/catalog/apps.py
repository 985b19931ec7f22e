from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles

_READ = ["catalog.view_product", "catalog.view_category", "catalog.view_unit"]
_WRITE = ["catalog.add_product", "catalog.change_product", "catalog.add_category", "catalog.change_category",
          "catalog.add_unit", "catalog.change_unit"]


class CatalogConfig(AppConfig):
    name = "tandem.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    module_key = "catalog"
    module_requires = ()
    url_prefixes = ("/catalog/", "/api/v1/catalog/")
    menu = []
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

        audit.register_actions(ACTIONS)
