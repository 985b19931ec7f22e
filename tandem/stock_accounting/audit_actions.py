"""The audit vocabulary of stock accounting: action codes in words."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "stock_accounting.stockposting.posted": _("posted the pending stock postings"),
}

CHANGE_LABELS = {
    "core.legalentity": {"posted": _("posted"), "still_pending": _("still pending")},
}
