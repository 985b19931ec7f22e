from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["purchasing.view_supplierprofile", "purchasing.view_supplierprice", "purchasing.view_purchaseorder",
         "purchasing.view_purchaseorderline", "purchasing.view_purchasingsettings"]
_BUY = ["purchasing.add_supplierprofile", "purchasing.change_supplierprofile", "purchasing.add_supplierprice",
        "purchasing.change_supplierprice", "purchasing.delete_supplierprice", "purchasing.add_purchaseorder",
        "purchasing.change_purchaseorder"]
_APPROVE = ["purchasing.approve_purchaseorder"]
_RECEIVE = ["purchasing.receive_purchaseorder"]
# The approval threshold and the receipt and bill tolerances: the managers who approve (and administrators).
_SETUP = ["purchasing.change_purchasingsettings"]
# Landed costs: buyers prepare them; allocating changes stock values (managers, accountants, administrators).
_LANDED_READ = ["purchasing.view_landedcost", "purchasing.view_landedcostline"]
_LANDED_PREPARE = ["purchasing.add_landedcost", "purchasing.change_landedcost"]
_LANDED_ALLOCATE = ["purchasing.allocate_landedcost"]
# Supplier bills of orders: buyers (and accountants) prepare them — a bill is a finance invoice, so preparing needs
# finance's permission for supplier bill drafts (not the customer invoices'); accountants issue (post) them
# (finance.issue_invoice); accountants and purchasing managers accept a bill that differs from its order.
_BILL_READ = ["purchasing.view_billmatch"]
_BILL_PREPARE = ["purchasing.add_billmatch", "purchasing.change_billmatch"]
_BILL_FINANCE = ["finance.prepare_supplier_bill"]
_BILL_ACCEPT = ["purchasing.accept_bill_mismatch"]
# Buyers read what they buy, from whom and where it goes (the other apps grant the shipped roles only).
_BUYER_READS = ["catalog.view_product", "catalog.view_unit", "catalog.view_category", "catalog.view_pricelist",
                "catalog.view_pricegroup", "catalog.view_taxcategory", "parties.view_client",
                "parties.view_all_clients", "parties.view_counterparty", "parties.view_contact", "parties.view_source",
                "parties.view_tag", "stock.view_warehouse", "stock.view_location", "stock.view_lot",
                "stock.view_stockmove", "stock.view_stockcount", "stock.view_expectedreceipt"]

DELETION_BLOCKERS = {
    "parties.Counterparty": [("purchasing.SupplierProfile", "counterparty")],
    "catalog.Product": [("purchasing.SupplierPrice", "product"), ("purchasing.PurchaseOrderLine", "product")],
    "stock.Warehouse": [("purchasing.PurchaseOrder", "warehouse")],
    "core.User": [("purchasing.PurchaseOrder", "owner")],
}


def _register_panels() -> None:
    from tandem.catalog import panels
    from tandem.purchasing.views import product_suppliers_panel

    panels.register("suppliers", _("Suppliers"), product_suppliers_panel, module="purchasing", order=40)


def _connect_bills() -> None:
    """Supplier bills made from orders: finance asks purchasing before issuing one, and tells it once issued."""
    from tandem.finance import signals
    from tandem.finance.services.issue_checks import register_pre_issue_check
    from tandem.purchasing import bills

    register_pre_issue_check(bills.check_before_issue)
    signals.invoice_issued.connect(bills.on_invoice_issued, dispatch_uid="purchasing.bills.on_invoice_issued")


class PurchasingConfig(AppConfig):
    name = "tandem.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    module_key = "purchasing"
    module_requires = ("catalog", "stock")
    url_prefixes = ("/purchasing/", "/api/v1/purchasing/")
    menu = [
        MenuEntry(_("Purchase orders"), "purchasing:order-list", "purchasing.view_purchaseorder"),
        MenuEntry(_("Suppliers"), "purchasing:supplier-list", "purchasing.view_supplierprofile"),
        MenuEntry(_("Supplier prices"), "purchasing:price-list", "purchasing.view_supplierprice"),
        MenuEntry(_("Landed costs"), "purchasing:landed-cost-list", "purchasing.view_landedcost"),
        MenuEntry(_("Supplier bills"), "purchasing:bill-list", "purchasing.view_billmatch"),
    ]
    # Settings pages under the account menu (core.context_processors.shell reads settings_menu).
    settings_menu = [MenuEntry(_("Purchasing settings"), "purchasing:settings", "purchasing.change_purchasingsettings")]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _BUY + _APPROVE + _RECEIVE + _SETUP + _LANDED_READ + _LANDED_PREPARE
        + _LANDED_ALLOCATE + _BILL_READ + _BILL_PREPARE + _BILL_ACCEPT,
        roles.PURCHASING: _READ + _BUY + _BUYER_READS + _LANDED_READ + _LANDED_PREPARE + _BILL_READ + _BILL_PREPARE
        + _BILL_FINANCE,
        roles.SALES_MANAGER: _READ + _BUY + _APPROVE + _SETUP + _LANDED_READ + _LANDED_PREPARE + _LANDED_ALLOCATE
        + _BILL_READ + _BILL_PREPARE + _BILL_FINANCE + _BILL_ACCEPT,
        roles.WAREHOUSE: _READ + _RECEIVE,
        roles.ACCOUNTANT: _READ + _LANDED_READ + _LANDED_PREPARE + _LANDED_ALLOCATE + _BILL_READ + _BILL_PREPARE
        + _BILL_ACCEPT,
        roles.PRODUCTION: _READ,
        roles.VIEWER: _READ + _BILL_READ,
    }

    def ready(self):
        from tandem.core import audit
        from tandem.core.deletion import register_blocker
        from tandem.purchasing.audit_actions import ACTIONS

        audit.register_actions(ACTIONS)
        _connect_bills()
        for model, references in DELETION_BLOCKERS.items():
            for related_model, field in references:
                register_blocker(model, related_model, field)
        _register_panels()

    def client_card_actions(self, request, client) -> list[dict]:
        """The client card's "Make supplier" button (core.modules.collect)."""
        from tandem.purchasing.views import client_card_actions

        return client_card_actions(request, client)

    def stock_move_origins(self) -> list[dict]:
        """Stock's move lists link each move to the purchasing document it came from."""
        from tandem.purchasing.stock_origins import stock_move_origins

        return stock_move_origins()

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: suppliers, their prices and purchase orders in various states."""
        from tandem.purchasing.demo import build_purchasing_demo

        return build_purchasing_demo(seed=seed, scale=scale)
