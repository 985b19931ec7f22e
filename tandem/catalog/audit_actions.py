"""The audit vocabulary of the assortment: action codes in words."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "catalog.product.archived": _("archived the product"),
    "catalog.product.restored": _("restored the product from the archive"),
    "catalog.category.archived": _("archived the product category"),
    "catalog.category.restored": _("restored the product category from the archive"),
    "catalog.unit.archived": _("archived the unit of measure"),
    "catalog.unit.restored": _("restored the unit of measure from the archive"),
}
