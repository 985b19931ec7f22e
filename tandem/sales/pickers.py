"""The searchable product picker of quote and order lines (core.pickers): SKU prefix or part of the name;
variants' templates are not offered (a template is never sold)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Product
from tandem.core.pickers import PickerField, PickerOption, PickerSource


def sellable_products() -> QuerySet[Product]:
    return Product.objects.active().filter(variants__isnull=True).select_related("unit")


def _search(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = text.strip()
    return qs.filter(Q(sku__istartswith=text) | Q(name__icontains=text)).order_by("sku", "id")


def _exact(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    sku = text.strip().split(" ", 1)[0]
    return qs.filter(sku__iexact=sku)


def _describe(rows: list[Product]) -> list[PickerOption]:
    return [PickerOption(p.pk, f"{p.sku} {p.name}", " · ".join([p.get_kind_display(), p.unit.code, f"#{p.pk}"]))
            for p in rows]


PRODUCT_PICKER = PickerSource(url_name="sales:product-picker", noun=gettext_lazy("product"), search=_search,
                              describe=_describe, exact=_exact)


def product_field(label, **kwargs) -> PickerField:
    return PickerField(PRODUCT_PICKER, queryset=sellable_products(), label=label, **kwargs)
