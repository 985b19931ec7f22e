from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["sales.view_quote", "sales.view_quoteline", "sales.view_order", "sales.view_orderline"]
_WRITE = ["sales.add_quote", "sales.change_quote", "sales.add_order", "sales.change_order"]
_ALL = ["sales.view_all_quotes"]
_MANAGE = ["sales.override_price", "sales.view_clientpricing", "sales.change_clientpricing",
           "sales.add_clientpricing"]

# Shipments and customer returns (issue #13.5): the warehouse confirms picks and shipments.
_SHIP_READ = ["sales.view_shipment", "sales.view_shipmentline", "sales.view_customerreturn", "sales.view_returnline"]
_SHIP_REQUEST = ["sales.add_shipment", "sales.change_shipment", "sales.add_customerreturn"]
_SHIP_CONFIRM = ["sales.confirm_shipment", "sales.change_customerreturn"]

# What sales documents refer to, by referenced table: each blocks a hard delete of the referenced row.
DELETION_BLOCKERS = {
    "parties.Client": [("sales.Quote", "client"), ("sales.Order", "client")],
    "parties.Counterparty": [("sales.Quote", "counterparty"), ("sales.Order", "counterparty")],
    "parties.Contact": [("sales.Quote", "contact"), ("sales.Order", "contact")],
    "crm.Deal": [("sales.Quote", "deal"), ("sales.Order", "deal")],
    "catalog.Product": [("sales.QuoteLine", "product"), ("sales.OrderLine", "product"),
                        ("sales.ShipmentLine", "product"), ("sales.ReturnLine", "product")],
    "catalog.Unit": [("sales.QuoteLine", "unit"), ("sales.OrderLine", "unit")],
    "stock.Warehouse": [("sales.Order", "warehouse"), ("sales.Shipment", "warehouse")],
    "catalog.PriceGroup": [("sales.ClientPricing", "price_group")],
    "core.User": [("sales.Quote", "owner"), ("sales.Order", "owner")],
    "stock.Location": [("sales.ShipmentLine", "location"), ("sales.CustomerReturn", "location")],
    "stock.Lot": [("sales.ShipmentLine", "lot"), ("sales.ReturnLine", "lot")],
    "crm.Complaint": [("sales.CustomerReturn", "complaint")],
}


def _register_panels() -> None:
    """Sections sales adds to the pages of lower apps through their registries."""
    from tandem.catalog import panels
    from tandem.sales.views import product_page_panel

    panels.register("quotes-and-orders", _("Quotes and orders"), product_page_panel, module="sales", order=60)


class SalesConfig(AppConfig):
    name = "tandem.sales"
    label = "sales"
    verbose_name = _("Sales")

    module_key = "sales"
    module_requires = ("crm", "catalog", "stock")
    url_prefixes = ("/sales/", "/api/v1/sales/")
    menu = [
        MenuEntry(_("Quotes"), "sales:quote-list", "sales.view_quote"),
        MenuEntry(_("Sales orders"), "sales:order-list", "sales.view_order"),
        MenuEntry(_("Shipments"), "sales:shipment-list", "sales.view_shipment"),
        MenuEntry(_("Customer returns"), "sales:return-list", "sales.view_customerreturn"),
    ]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _WRITE + _ALL + _MANAGE + _SHIP_READ + _SHIP_REQUEST + _SHIP_CONFIRM,
        roles.SALES_MANAGER: _READ + _WRITE + _ALL + _MANAGE + _SHIP_READ + _SHIP_REQUEST,
        # Own clients only (parties' record rules); prices from the price list.
        roles.SALES_REPRESENTATIVE: _READ + _WRITE + ["sales.view_clientpricing"] + _SHIP_READ + _SHIP_REQUEST,
        # Which price group a client buys in is read like the price lists are: by everyone.
        roles.WAREHOUSE: _READ + _ALL + ["sales.view_clientpricing"] + _SHIP_READ + _SHIP_REQUEST + _SHIP_CONFIRM,
        roles.ACCOUNTANT: _READ + _ALL + ["sales.view_clientpricing"] + _SHIP_READ,
        roles.PRODUCTION: _READ + _ALL + ["sales.view_clientpricing"] + _SHIP_READ,
        roles.VIEWER: _READ + _ALL + ["sales.view_clientpricing"] + _SHIP_READ,
        roles.PURCHASING: ["sales.view_clientpricing"],
    }

    def ready(self):
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.core import audit
        from tandem.core.deletion import register_blocker
        from tandem.sales.audit_actions import ACTIONS, CHANGE_LABELS

        audit.register_actions(ACTIONS)
        for model_label, labels in CHANGE_LABELS.items():
            audit.register_change_labels(model_label, labels)
        for model, references in DELETION_BLOCKERS.items():
            for related_model, field in references:
                register_blocker(model, related_model, field)
        _register_panels()
        from tandem.finance.signals import invoice_cancelled
        from tandem.sales.services.invoicing import on_invoice_cancelled

        invoice_cancelled.connect(on_invoice_cancelled, dispatch_uid="sales.invoice_cancelled")

    # --- Hooks other apps' pages call (core.modules.collect) ----------------------------------------------

    def client_card_panels(self, request, client) -> list[dict]:
        """The client card lists the client's quotes and orders, with a "New quote" button."""
        from tandem.sales import client_pricing_views, shipping_views
        from tandem.sales.views import client_card_panels  # models are not loaded when this module is

        return (client_card_panels(request, client) + shipping_views.client_card_panels(request, client)
                + client_pricing_views.client_card_panels(request, client))

    def client_card_actions(self, request, client) -> list[dict]:
        from tandem.sales.views import client_card_actions

        return client_card_actions(request, client)

    def deal_page_panels(self, request, deal) -> list[dict]:
        """The deal page lists the deal's quotes and orders, with a "New quote" button."""
        from tandem.sales import shipping_views
        from tandem.sales.views import deal_page_panels

        return deal_page_panels(request, deal) + shipping_views.deal_page_panels(request, deal)

    def complaint_page_panels(self, request, complaint) -> list[dict]:
        """The complaint page shows the customer returns linked to it."""
        from tandem.sales.shipping_views import complaint_page_panels

        return complaint_page_panels(request, complaint)

    def deal_page_actions(self, request, deal) -> list[dict]:
        from tandem.sales.views import deal_page_actions

        return deal_page_actions(request, deal)

    def cash_forecast_sources(self, company, today, date_to) -> list[dict]:
        """Finance's cash forecast: confirmed orders not yet invoiced, by requested or expected date."""
        from tandem.sales.cash_forecast import forecast_rows

        return forecast_rows(company, today, date_to)

    def finance_origin_urls(self) -> list[dict]:
        """A journal entry posted from an order, shipment or return links to its page."""
        from tandem.sales.cash_forecast import origin_urls

        return origin_urls()

    def stock_move_origins(self) -> list[dict]:
        """Stock's move lists link each move to the sales document it came from."""
        from tandem.sales.stock_origins import stock_move_origins

        return stock_move_origins()

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: a year of quotes and orders for the demo clients."""
        from tandem.sales.demo import build_sales_demo

        return build_sales_demo(seed=seed, scale=scale)
