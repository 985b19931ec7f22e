"""The searchable product picker of the stock forms (core.pickers): goods by SKU prefix or a part of the
name, showing the unit and what is on hand. The catalog's own picker (catalog/pickers.py) replaces it when
it lands; the stock forms only need a PickerSource named PRODUCT_PICKER."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Product
from tandem.core.pickers import PickerOption, PickerSource
from tandem.stock.models import WarehouseStock


def stocked_products() -> QuerySet[Product]:
    """Goods that are not archived and not variant templates: what can be moved."""
    return Product.objects.filter(kind=Product.Kind.GOODS, is_archived=False).exclude(variants__isnull=False)


def search_products(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = text.strip()
    return qs.filter(Q(sku__istartswith=text) | Q(name__icontains=text)).select_related("unit").order_by("sku")


def exact_products(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = text.strip()
    return qs.filter(Q(sku__iexact=text) | Q(name__iexact=text))


def describe_products(rows: list[Product]) -> list[PickerOption]:
    """SKU and name; unit, tracking and on hand in all warehouses (one query for all rows)."""
    on_hand = dict(WarehouseStock.objects.filter(product_id__in=[p.pk for p in rows]).values("product_id")
                   .annotate(total=Sum("on_hand")).values_list("product_id", "total"))
    options = []
    for product in rows:
        parts = [product.unit.code]
        if product.tracking != Product.Tracking.NONE:
            parts.append(str(product.get_tracking_display()))
        total = on_hand.get(product.pk)
        if total is not None:
            parts.append(str(gettext_lazy("on hand %(quantity)s")) % {"quantity": format(total.normalize(), "f")})
        options.append(PickerOption(product.pk, f"{product.sku} {product.name}", " · ".join(parts)))
    return options


PRODUCT_PICKER = PickerSource(
    url_name="stock:product-picker",
    noun=gettext_lazy("product"),
    search=search_products,
    describe=describe_products,
    exact=exact_products,
    placeholder=gettext_lazy("SKU or name…"),
)
