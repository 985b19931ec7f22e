"""The price a client gets: the client's price group (stored here, in sales.ClientPricing) handed to
catalog's price_for, and the tax rate of the product's tax category."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tandem.catalog import pricing as catalog_pricing
from tandem.core.prepared import prepared
from tandem.sales.models import ClientPricing

_GROUPS_OF_CLIENT = prepared(lambda client_id: ClientPricing.objects.filter(client_id=client_id)
                             .select_related("price_group"))


def client_price_groups(client) -> list:
    """The price groups a client buys in (none: the general lists only)."""
    return [row.price_group for row in _GROUPS_OF_CLIENT.all(client.pk)]


def list_price(product, *, client, quantity: Decimal, on_date: datetime.date, currency: str, unit=None,
               price_groups=None, candidates=None):
    """catalog.pricing.PriceResult (unit_price, discount_percent, explanation) or None when no list has it.
    `candidates`: document_candidates of the document (one price query for all its lines)."""
    groups = client_price_groups(client) if price_groups is None else price_groups
    return catalog_pricing.price_for(product, quantity=quantity, on_date=on_date, currency=currency,
                                     price_groups=groups, unit=unit, candidates=candidates)


def document_candidates(lines, *, on_date: datetime.date, currency: str, price_groups) -> list:
    """The price list items that could price the products of `lines` (dicts with "product"), in one query."""
    products = [values["product"] for values in lines if getattr(values.get("product"), "pk", None)]
    return catalog_pricing.candidates_for(products, on_date=on_date, currency=currency, price_groups=price_groups)


def tax_rate_of(product) -> Decimal:
    """The rate of the product's tax category (catalog.TaxCategory.rate, percent); 0 without one."""
    category = product.tax_category
    return Decimal(category.rate) if category is not None else Decimal(0)
