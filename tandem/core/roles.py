"""Names of the shipped roles (importable from AppConfigs, before models load).
Groups, permissions and policies are built from them by core.permissions.sync_roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
SALES_MANAGER = "Sales manager"
SALES_REPRESENTATIVE = "Sales representative"
WAREHOUSE = "Warehouse"
ACCOUNTANT = "Accountant"
PRODUCTION = "Production"
PURCHASING = "Purchasing"
VIEWER = "Viewer"

ROLES = {
    ADMINISTRATOR: _("Full access, including users, roles and module switches."),
    SALES_MANAGER: _("Manages the sales team; sees every client."),
    SALES_REPRESENTATIVE: _("Works with own clients."),
    WAREHOUSE: _("Stock and shipments; reads clients."),
    ACCOUNTANT: _("Accounting; reads clients and maintains legal entities."),
    PRODUCTION: _("Production; reads clients."),
    PURCHASING: _("Buys: suppliers, their prices and purchase orders; reads products and stock."),
    VIEWER: _("Reads everything, changes nothing."),
}

