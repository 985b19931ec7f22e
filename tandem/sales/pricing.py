"""The price a client gets: the client's price groups (stored here, in sales) handed to catalog's price_for."""

from __future__ import annotations

import datetime
from decimal import Decimal

try:
    from tandem.catalog import pricing as catalog_pricing
except ImportError:  # TEMPORARY until h-catalog's pricing is merged
    catalog_pricing = None


def client_price_groups(client) -> list:
    """The price groups a client buys in (none: the general lists only)."""
    from tandem.sales import models

    ClientPricing = getattr(models, "ClientPricing", None)  # TEMPORARY until catalog.PriceGroup is merged
    if ClientPricing is None:
        return []
    return [row.price_group for row in ClientPricing.objects.filter(client=client).select_related("price_group")]


def list_price(product, *, client, quantity: Decimal, on_date: datetime.date, currency: str, unit=None,
               price_groups=None):
    """catalog.pricing.PriceResult (unit_price, discount_percent, explanation) or None when no list has it."""
    if catalog_pricing is None:
        return None
    groups = client_price_groups(client) if price_groups is None else price_groups
    return catalog_pricing.price_for(product, quantity=quantity, on_date=on_date, currency=currency,
                                     price_groups=groups, unit=unit)


def tax_rate_of(product) -> Decimal:
    """The rate of the product's tax category today (catalog.TaxCategory.rate, percent); 0 without one."""
    category = getattr(product, "tax_category", None)
    return Decimal(category.rate) if category is not None else Decimal(0)
