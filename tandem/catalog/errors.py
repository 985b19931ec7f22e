"""Refusals of the assortment with stable codes."""

from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError


class NoPrice(BusinessRuleError):
    """No price list prices the product for the asked currency, date, quantity and price groups (404)."""

    status_code = 404

    def __init__(self):
        super().__init__("no_price", _("No price list prices this product for this currency, date and quantity."),
                         field="currency")
