from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core.menu import MenuEntry


class StockAccountingConfig(AppConfig):
    """The bridge between stock and the ledger (docs/architecture.md §14): stock and finance sit on one line
    and never import each other; this app, one line up, listens to stock's signals and posts through
    finance.services.post_entry in the stock move's own transaction."""

    name = "tandem.stock_accounting"
    label = "stock_accounting"
    verbose_name = _("Stock accounting")

    module_key = "stock_accounting"
    module_requires = ("stock", "finance")
    url_prefixes = ("/stock-accounting/", "/api/v1/stock-accounting/")
    # Stock values are the valuation readers'; the ledger side needs the finance reading permission too.
    menu_group = "finance"  # its one page sits in the Finance menu, not in a group of its own
    menu = [MenuEntry(_("Stock reconciliation"), "stock_accounting:reconciliation-list", "stock.view_valuation")]
    # Permissions come from the two apps it joins (stock.view_valuation + finance.view_account to read,
    # finance.add_entry to post what is pending): no role grants of its own.
    role_permissions = {}

    def ready(self):
        from tandem.core import audit
        from tandem.stock.signals import stock_moves_recorded, stock_revalued
        from tandem.stock_accounting import receivers
        from tandem.stock_accounting.audit_actions import ACTIONS, CHANGE_LABELS

        audit.register_actions(ACTIONS)
        for model_label, labels in CHANGE_LABELS.items():
            audit.register_change_labels(model_label, labels)
        stock_moves_recorded.connect(receivers.post_recorded_moves, dispatch_uid="stock_accounting.moves")
        stock_revalued.connect(receivers.post_revaluation, dispatch_uid="stock_accounting.revaluation")

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo`: the stock demo ran before the ledger existed, so its moves wait as pending postings;
        post them now that finance's demo has set up the chart and the fiscal year."""
        from tandem.stock_accounting.demo import build_stock_accounting_demo

        return build_stock_accounting_demo()
