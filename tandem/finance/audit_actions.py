"""The audit vocabulary of finance: action codes in words."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "finance.entry.posted": _("posted the journal entry"),
    "finance.entry.reversed": _("reversed the journal entry"),
    "finance.period.closed": _("closed the period"),
    "finance.period.open": _("reopened the period"),
    "finance.fiscalyear.created": _("opened the fiscal year"),
    "finance.fiscalyear.closed": _("closed the fiscal year and carried its result to retained earnings"),
    "finance.account.created": _("created the account"),
    "finance.account.changed": _("changed the account"),
    "finance.account.archived": _("archived the account"),
    "finance.account.restored": _("restored the account from the archive"),
    "finance.journal.created": _("created the journal"),
    "finance.journal.archived": _("archived the journal"),
    "finance.journal.restored": _("restored the journal from the archive"),
    "finance.chart.installed": _("installed a chart of accounts"),
    # Payments and bank statements (finance.banking)
    "finance.paymentaccount.created": _("created the bank or cash account"),
    "finance.paymentaccount.changed": _("changed the bank or cash account"),
    "finance.paymentaccount.archived": _("archived the bank or cash account"),
    "finance.paymentaccount.restored": _("restored the bank or cash account from the archive"),
    "finance.payment.registered": _("registered the payment"),
    "finance.payment.allocated": _("allocated the payment to an invoice"),
    "finance.payment.reversed": _("reversed the payment"),
    "finance.invoice.partly_paid": _("recorded a part payment of the invoice"),
    "finance.invoice.paid": _("recorded the invoice as paid"),
    "finance.invoice.issued": _("issued the invoice"),
    "finance.openitems.revalued": _("revalued the open foreign-currency items"),
    "finance.bankstatement.imported": _("imported the bank statement"),
    "finance.bankstatementline.suggested": _("suggested invoices for the bank statement line"),
    "finance.bankstatementline.unmatched": _("sent the bank statement line back to be matched"),
    "finance.bankstatementline.confirmed": _("confirmed the bank statement line's payment"),
    "finance.bankstatementline.ignored": _("ignored the bank statement line"),
}

CHANGE_LABELS = {
    "finance.entry": {"reference": _("reference"), "total": _("total"), "reversal": _("reversal")},
    "finance.period": {"reason": _("reason")},
    "finance.fiscalyear": {"result": _("result")},
    "core.legalentity": {"template": _("template"), "accounts": _("accounts"), "date": _("date"),
                         "entry": _("entry"), "reversal": _("reversal")},
    "finance.payment": {"number": _("number"), "amount": _("amount"), "direction": _("direction"),
                        "unallocated": _("unallocated"), "invoice": _("invoice"),
                        "exchange_difference": _("exchange difference"), "memo": _("memo")},
    "finance.invoice": {"payment": _("payment"), "amount": _("amount")},
    "finance.bankstatement": {"file": _("file"), "lines": _("lines"), "skipped": _("skipped"), "format": _("format")},
    "finance.bankstatementline": {"payment": _("payment")},
}
