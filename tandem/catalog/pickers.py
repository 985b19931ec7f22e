"""The searchable product picker (core.pickers): SKU, name and unit, found by a part of the SKU or name
(folded, core.search_keys) or by a barcode. Sales, stock and purchasing forms use `product_field`."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Product
from tandem.catalog.queries import search_products
from tandem.core.pickers import PickerField, PickerOption, PickerSource


def choosable_products() -> QuerySet[Product]:
    """Products a document line may name: not archived, and not a template (its variants are sold)."""
    variants = Product.objects.filter(template_id=OuterRef("pk"))
    return Product.objects.active().filter(~Exists(variants))


def _search(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    return search_products(qs, text).select_related("unit").order_by("sku", "id")


def _exact(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = (text or "").strip()
    # The label a chosen product shows is "SKU name"; a typed SKU alone also picks it.
    return qs.filter(sku__iexact=text.split(" ", 1)[0]).select_related("unit")


def _describe(rows: list[Product]) -> list[PickerOption]:
    return [PickerOption(p.pk, f"{p.sku} {p.name}", " · ".join(filter(None, [p.unit.code, p.get_kind_display()])))
            for p in rows]


PRODUCT_PICKER = PickerSource(
    url_name="catalog:product-picker",
    noun=gettext_lazy("product"),
    search=_search,
    exact=_exact,
    describe=_describe,
    placeholder=gettext_lazy("Type a SKU, name or barcode…"),
)


def product_field(label, **kwargs) -> PickerField:
    """A form field choosing one product through the picker (active, not a template)."""
    return PickerField(PRODUCT_PICKER, label=label, queryset=choosable_products(), **kwargs)
