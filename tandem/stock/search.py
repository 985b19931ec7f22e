"""Stock in the global search: typing a SKU or part of a product's name answers, in one step, what is
available of it in each warehouse (the search page collects `global_search_sections` from the modules)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.stock import queries
from tandem.stock.pickers import search_products, stocked_products

SEARCH_LIMIT = 10


def _plain(value) -> str:
    return format(value.normalize(), "f")


def find_stock(text: str, *, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Products matching `text` (SKU prefix or a part of the name) with available per warehouse."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    products = list(search_products(stocked_products(), text)[:limit])
    availability = queries.availability_for_products(products)
    return [{"product": product, "warehouses": availability.get(product.pk, [])} for product in products]


def stock_search_section(user, text: str) -> list[dict]:
    if not user.has_perm("stock.view_stockmove"):
        return []
    found = find_stock(text)
    if not found:
        return []
    items = []
    for hit in found:
        product = hit["product"]
        per_warehouse = "; ".join(
            _("%(warehouse)s: %(available)s available") % {"warehouse": row["warehouse"].code,
                                                           "available": _plain(row["available"])}
            for row in hit["warehouses"]) or _("not in stock")
        items.append({"title": f"{product.sku} {product.name}", "detail": per_warehouse,
                      "url": f"{reverse('stock:move-list')}?product={product.pk}", "id": product.pk,
                      "warehouses": hit["warehouses"]})
    return [{"key": "stock", "label": _("Stock"), "items": items}]
