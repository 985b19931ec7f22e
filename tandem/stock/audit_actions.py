"""The audit vocabulary of stock: action codes in words."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "stock.warehouse.archived": _("archived the warehouse"),
    "stock.warehouse.restored": _("restored the warehouse from the archive"),
    "stock.location.archived": _("archived the location"),
    "stock.location.restored": _("restored the location from the archive"),
}
