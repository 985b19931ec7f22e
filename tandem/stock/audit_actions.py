"""The audit vocabulary of stock: action codes in words."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "stock.warehouse.created": _("created the warehouse"),
    "stock.warehouse.changed": _("changed the warehouse"),
    "stock.location.created": _("created the location"),
    "stock.location.changed": _("changed the location"),
    "stock.stockcount.created": _("started the stock count"),
    "stock.stockcount.changed": _("changed the stock count"),
    "stock.stockcount.line_removed": _("removed a line of the stock count"),
    "stock.stockcount.posted": _("posted the stock count"),
    "stock.stockcount.cancelled": _("cancelled the stock count"),
    "stock.warehouse.archived": _("archived the warehouse"),
    "stock.warehouse.restored": _("restored the warehouse from the archive"),
    "stock.location.archived": _("archived the location"),
    "stock.location.restored": _("restored the location from the archive"),
}
