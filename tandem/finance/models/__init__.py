"""Finance models by kind: the ledger (accounts, journals, periods, entries), taxes and invoices, payments.

Each module's models are imported here so `from tandem.finance.models import X` keeps working; a new module
adds its line below."""

from tandem.finance.models.budgets import Budget, BudgetLine
from tandem.finance.models.invoices import Invoice, InvoiceLine, InvoiceSequence, TaxRate
from tandem.finance.models.ledger import (
    Account,
    AccountBalance,
    Entry,
    EntryLine,
    EntrySequence,
    FiscalYear,
    Journal,
    Period,
    PostedEntryIsImmutable,
)
from tandem.finance.models.payments import Payment, PaymentAccount, PaymentAllocation
from tandem.finance.models.receivables import CreditLimit, CreditPolicy, DunningLevel, DunningReminder
from tandem.finance.models.statements import BankLineSuggestion, BankStatement, BankStatementLine

__all__ = [
    "Account", "AccountBalance", "Entry", "EntryLine", "EntrySequence", "FiscalYear", "Journal", "Period",
    "PostedEntryIsImmutable",
    "TaxRate", "Invoice", "InvoiceLine", "InvoiceSequence",
    "PaymentAccount", "Payment", "PaymentAllocation",
    "BankStatement", "BankStatementLine", "BankLineSuggestion",
    "Budget", "BudgetLine",
    "CreditPolicy", "CreditLimit", "DunningLevel", "DunningReminder",
]
