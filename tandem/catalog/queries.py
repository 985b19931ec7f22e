"""Reads of the assortment shared by pages and the API: product search and filters, category tree."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from tandem.catalog.models import Category, PriceList, PriceListItem, Product, ProductBarcode
from tandem.core.search_keys import fold

PRODUCT_SORTS = {"sku": ("sku", "id"), "name": ("search_key", "id"), "-created": ("-created_at", "-id")}


def category_with_descendants(category_id: int) -> list[int]:
    """The category and every category below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [category_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def search_products(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    """`text` found in the SKU or name (ignoring case and accents), or the exact barcode."""
    text = (text or "").strip()
    if not text:
        return qs
    condition = Q(search_key__contains=fold(text))
    compact = "".join(text.split())
    if compact.isdigit():
        condition |= Q(pk__in=ProductBarcode.objects.filter(code=compact).values("product_id"))
    return qs.filter(condition)


def filter_products(qs: QuerySet[Product] | None = None, *, q: str = "", category_id: int | None = None,
                    kind: str = "", tracking: str = "", template_id: int | None = None, variants: str = "",
                    archived: str = "false", sort: str = "sku") -> QuerySet[Product]:
    """Products matching the filters; `variants="no"` hides variants (templates and plain products only)."""
    qs = (Product.objects.all() if qs is None else qs).in_archive_state(archived)
    qs = search_products(qs, q)
    if category_id:
        qs = qs.filter(category_id__in=category_with_descendants(category_id))
    if kind:
        qs = qs.filter(kind=kind)
    if tracking:
        qs = qs.filter(tracking=tracking)
    if template_id:
        qs = qs.filter(template_id=template_id)
    if variants == "no":
        qs = qs.filter(template__isnull=True)
    return qs.order_by(*PRODUCT_SORTS.get(sort, PRODUCT_SORTS["sku"]))


def with_list_details(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Everything a product row shows (list page, API), in a fixed number of queries."""
    return qs.select_related("unit", "sale_unit", "purchase_unit", "category", "tax_category", "template") \
        .prefetch_related("barcodes", "attribute_values__attribute")


def price_list_with_items(qs: QuerySet[PriceList]) -> QuerySet[PriceList]:
    items = PriceListItem.objects.select_related("product", "product__unit").order_by("product__sku",
                                                                                       "min_quantity")
    return qs.select_related("price_group").prefetch_related(Prefetch("items", queryset=items))


def category_paths() -> dict[int, str]:
    """{id: "Tools / Pumps / Garden"} for every category (one query)."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("pk", "name", "parent_id")}
    paths: dict[int, str] = {}

    def path(pk, depth=0):
        if pk in paths:
            return paths[pk]
        name, parent = rows[pk]
        text = name if parent is None or depth > 20 else f"{path(parent, depth + 1)} / {name}"
        paths[pk] = text
        return text

    for pk in rows:
        path(pk)
    return paths
