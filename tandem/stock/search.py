"""Stock in the global search: typing a SKU or part of a product's name answers, in one step, what is
available of it in each warehouse (the search page collects `global_search_sections` from the modules)."""

from __future__ import annotations

from django.db.models import Case, When
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.catalog.queries import search_products
from tandem.stock import queries
from tandem.stock.pickers import stocked_products

SEARCH_LIMIT = 10


def _plain(value) -> str:
    return format(value.normalize(), "f")


def find_stock(text: str, *, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Products matching `text` (a part of the SKU or name, ignoring case and accents, or an exact barcode) with
    available per warehouse; an exact SKU comes first."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    products = list(search_products(stocked_products(), text).select_related("unit")
                    .order_by(Case(When(sku__iexact=text, then=0), default=1), "sku")[:limit])
    availability = queries.availability_for_products(products)
    return [{"product": product, "warehouses": availability.get(product.pk, [])} for product in products]


def stock_search_section(user, text: str) -> list[dict]:
    if not user.has_perm("stock.view_stockmove"):
        return []
    found = find_stock(text)
    if not found:
        return []
    can_open_product = user.has_perm("catalog.view_product")
    items = []
    for hit in found:
        product = hit["product"]
        product_url = (reverse("catalog:product-detail", args=[product.pk]) if can_open_product
                       else f"{reverse('stock:move-list')}?product={product.pk}")
        per_warehouse = "; ".join(
            _("%(warehouse)s: %(available)s available") % {"warehouse": row["warehouse"].code,
                                                           "available": _plain(row["available"])}
            for row in hit["warehouses"]) or _("not in stock")
        items.append({"title": f"{product.sku} {product.name}", "detail": per_warehouse,
                      "url": product_url, "id": product.pk,
                      "warehouses": hit["warehouses"]})
    return [{"key": "stock", "label": _("Stock"), "items": items}]
