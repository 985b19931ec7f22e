from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["finance.view_account", "finance.view_journal", "finance.view_fiscalyear", "finance.view_period",
         "finance.view_entry", "finance.view_invoice", "finance.view_budget"]
# Posting, reversing, closing: the accountant's work.
_BOOKKEEP = ["finance.add_entry", "finance.change_entry", "finance.change_period", "finance.reopen_period",
             "finance.add_fiscalyear", "finance.change_fiscalyear"]
# Budgets: planned by accountants, read with the figures.
_BUDGET = ["finance.add_budget", "finance.change_budget", "finance.delete_budget"]
_INVOICE_READ = ["finance.view_invoice", "finance.view_taxrate"]
# Drafts (from an order, or by hand); a representative's own clients only (record rule: finance.queries).
_INVOICE_DRAFT = ["finance.add_invoice", "finance.change_invoice"]
# Issuing (numbering and posting) and crediting: the accountant's.
_INVOICE_ISSUE = ["finance.issue_invoice", "finance.add_taxrate", "finance.change_taxrate"]
# Supplier bills: drafts prepared by buyers (purchasing grants its roles this) and accountants.
_BILL_DRAFT = ["finance.prepare_supplier_bill"]
# Receivables (issue #14.5): reading aging, overdue invoices and exposure; setting limits; dunning.
_RECEIVABLES_READ = ["finance.view_receivables", "finance.view_creditlimit"]
_DUNNING_READ = ["finance.view_dunninglevel", "finance.view_dunningreminder", "finance.view_creditpolicy"]
_CREDIT_KEEP = ["finance.add_creditlimit", "finance.change_creditlimit", "finance.add_creditpolicy",
                "finance.change_creditpolicy", "finance.add_dunninglevel", "finance.change_dunninglevel",
                "finance.run_dunning"]
_CHART = ["finance.add_account", "finance.change_account", "finance.add_journal", "finance.change_journal"]
# Payments and bank statements: accountants register, allocate, reverse, import and match; sales roles read the
# payments of the clients they see (finance.banking.queries.visible_payments).
_BANKING_READ = ["finance.view_paymentaccount", "finance.view_payment", "finance.view_bankstatement"]
_BANKING = ["finance.add_paymentaccount", "finance.change_paymentaccount", "finance.add_payment",
            "finance.change_payment", "finance.add_bankstatement", "finance.change_bankstatementline"]

DELETION_BLOCKERS = {
    "parties.Client": [("finance.EntryLine", "client"), ("finance.Invoice", "client")],
    "parties.Counterparty": [("finance.EntryLine", "counterparty"), ("finance.Invoice", "counterparty")],
}


class FinanceConfig(AppConfig):
    name = "tandem.finance"
    label = "finance"
    verbose_name = _("Finance")

    module_key = "finance"
    module_requires = ()
    url_prefixes = ("/finance/", "/api/v1/finance/")
    menu = [
        MenuEntry(_("Journal entries"), "finance:entry-list", "finance.view_entry"),
        MenuEntry(_("Trial balance"), "finance:trial-balance", "finance.view_account"),
        MenuEntry(_("Financial reports"), "finance:report-list", "finance.view_account"),
        MenuEntry(_("Budgets"), "finance:budget-list", "finance.view_budget"),
        MenuEntry(_("Chart of accounts"), "finance:account-list", "finance.view_account"),
        MenuEntry(_("Periods"), "finance:period-list", "finance.view_period"),
        MenuEntry(_("Invoices"), "finance:invoice-list", "finance.view_invoice"),
        MenuEntry(_("Tax rates"), "finance:taxrate-list", "finance.view_taxrate"),
        MenuEntry(_("Payments"), "finance:payment-list", "finance.view_payment"),
        MenuEntry(_("Bank statements"), "finance:statement-list", "finance.view_bankstatement"),
        MenuEntry(_("Bank and cash accounts"), "finance:payment-account-list", "finance.view_paymentaccount"),
        MenuEntry(_("Aging"), "finance:aging", "finance.view_receivables"),
        MenuEntry(_("Overdue invoices"), "finance:overdue-list", "finance.view_receivables"),
        MenuEntry(_("Dunning"), "finance:dunning-list", "finance.view_dunningreminder"),
    ]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _BOOKKEEP + _CHART + _BUDGET + _INVOICE_READ + _INVOICE_DRAFT + _INVOICE_ISSUE
        + _BILL_DRAFT
        + _RECEIVABLES_READ + _DUNNING_READ + _CREDIT_KEEP + ["finance.override_credit_limit"]
        + _BANKING_READ + _BANKING,
        roles.ACCOUNTANT: _READ + _BOOKKEEP + _CHART + _BUDGET + _INVOICE_READ + _INVOICE_DRAFT + _INVOICE_ISSUE
        + _BILL_DRAFT
        + _RECEIVABLES_READ + _DUNNING_READ + _CREDIT_KEEP + _BANKING_READ + _BANKING,
        # The sales manager reads the figures (reports, entries, payments, statements), posts nothing; approves an
        # order over a client's credit limit when the legal entity's policy asks for approval. Sales roles prepare
        # draft invoices of their clients' orders; an accountant issues them.
        roles.SALES_MANAGER: _READ + _INVOICE_READ + _INVOICE_DRAFT + _RECEIVABLES_READ + _DUNNING_READ
        + ["finance.override_credit_limit"] + _BANKING_READ,
        # Representatives see what their own clients owe and paid (record rules: parties.visible_clients,
        # banking.queries.visible_payments).
        roles.SALES_REPRESENTATIVE: _INVOICE_READ + _INVOICE_DRAFT + _RECEIVABLES_READ + ["finance.view_payment"],
        roles.VIEWER: _READ + _INVOICE_READ + _RECEIVABLES_READ + _DUNNING_READ + _BANKING_READ,
    }

    def ready(self):
        from tandem.core import audit, visibility
        from tandem.core.deletion import register_blocker
        from tandem.finance import invoice_queries
        from tandem.finance.audit_actions import ACTIONS, CHANGE_LABELS
        from tandem.finance.models import Invoice
        from tandem.parties.queries import can_see_all_clients

        visibility.register(Invoice, invoice_queries.visible_invoices, sees_all=can_see_all_clients)
        audit.register_actions(ACTIONS)
        for model_label, labels in CHANGE_LABELS.items():
            audit.register_change_labels(model_label, labels)
        for model, references in DELETION_BLOCKERS.items():
            for related_model, field in references:
                register_blocker(model, related_model, field)

    # --- Hooks other apps' pages call (core.modules.collect) ----------------------------------------------

    def client_card_panels(self, request, client) -> list[dict]:
        """The client card shows the balance, overdue amount and credit limit (and lets accountants set it)."""
        from tandem.finance.receivables.views import client_card_panels  # models are not loaded at import

        return client_card_panels(request, client)

    def deal_page_panels(self, request, deal) -> list[dict]:
        from tandem.finance.receivables.views import deal_page_panels

        return deal_page_panels(request, deal)

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` calls this hook: the chart, a fiscal year and a few entries; lines to print."""
        from tandem.finance.banking.demo import build_banking_demo
        from tandem.finance.demo import build_finance_demo  # models are not loaded when this module is
        from tandem.finance.demo_budgets import build_budget_demo

        return build_finance_demo(seed=seed) + build_budget_demo() + build_banking_demo(seed=seed)
