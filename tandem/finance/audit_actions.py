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
    "finance.budget.created": _("created the budget"),
    "finance.budget.changed": _("changed the budget"),
    "finance.budget.deleted": _("deleted the budget"),
    "finance.budget.amounts_set": _("changed the budget's amounts"),
    # Receivables: credit limits, the credit policy, dunning.
    "finance.creditlimit.set": _("set the credit limit"),
    "finance.creditlimit.changed": _("changed the credit limit"),
    "finance.creditlimit.removed": _("removed the credit limit"),
    "finance.creditlimit.overridden": _("approved an order over the credit limit"),
    "finance.creditpolicy.changed": _("changed what happens over a credit limit"),
    "finance.dunninglevel.created": _("created the dunning level"),
    "finance.dunninglevel.changed": _("changed the dunning level"),
    "finance.reminder.proposed": _("proposed a payment reminder"),
    "finance.reminder.sent": _("sent a payment reminder"),
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
    "finance.budget": {"cells": _("cells changed")},
    "finance.creditlimit": {"reason": _("reason"), "document": _("document")},
    "finance.dunningreminder": {"level": _("level"), "invoice": _("invoice"), "fee": _("fee"),
                                "fee_invoice": _("fee invoice")},
}

ACTIONS.update({
    "finance.invoice.created": _("created the draft invoice"),
    "finance.invoice.changed": _("changed the draft invoice"),
    "finance.invoice.issued": _("issued the invoice"),
    "finance.invoice.cancelled": _("cancelled the draft invoice"),
    "finance.invoice.partly_paid": _("recorded part of the invoice as settled"),
    "finance.invoice.paid": _("recorded the invoice as settled"),
    "finance.invoice.credited": _("settled part of the invoice with a credit note"),
    "finance.taxrate.created": _("created the tax rate"),
    "finance.taxrate.changed": _("changed the tax rate"),
    "finance.taxrate.archived": _("archived the tax rate"),
    "finance.taxrate.restored": _("restored the tax rate from the archive"),
})

CHANGE_LABELS.update({
    "finance.invoice": {"kind": _("kind"), "total": _("total"), "number": _("number"), "amount_due": _("amount due"),
                        "credit_note": _("credit note"), "amount": _("amount")},
})
