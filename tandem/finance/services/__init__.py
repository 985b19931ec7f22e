"""Every write of finance, by kind: the ledger (`ledger`: entries, fiscal years, periods, the chart), taxes
(`taxes`), invoices and credit notes (`invoices`). The names other apps use are imported here, so
`from tandem.finance.services import post_entry` and `services.issue_invoice(...)` keep working; a new module
adds its line below."""

from tandem.finance.services.invoices import (
    cancel_invoice,
    create_credit_note,
    create_invoice,
    create_supplier_bill,
    issue_invoice,
    update_invoice,
)
from tandem.finance.services.ledger import (
    ACCOUNT_FIELDS,
    ZERO,
    LineIn,
    archive_account,
    archive_journal,
    close_fiscal_year,
    close_period,
    create_account,
    create_fiscal_year,
    create_journal,
    install_chart_template,
    post_entry,
    reopen_period,
    restore_account,
    restore_journal,
    retained_earnings_account,
    reverse_entry,
    update_account,
)
from tandem.finance.services.taxes import create_tax_rate, install_tax_rates, tax_rate_for, update_tax_rate

__all__ = [
    "ACCOUNT_FIELDS", "ZERO", "LineIn", "archive_account", "archive_journal", "close_fiscal_year", "close_period",
    "create_account", "create_fiscal_year", "create_journal", "install_chart_template", "post_entry",
    "reopen_period", "restore_account", "restore_journal", "retained_earnings_account", "reverse_entry",
    "update_account",
    "create_tax_rate", "install_tax_rates", "tax_rate_for", "update_tax_rate",
    "cancel_invoice", "create_credit_note", "create_invoice", "create_supplier_bill", "issue_invoice",
    "update_invoice",
]
