"""Searchable pickers of purchasing pages (core.pickers): products to buy and suppliers."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Product
from tandem.core.pickers import PickerField, PickerOption, PickerSource
from tandem.purchasing.models import SupplierProfile


def buyable_products() -> QuerySet[Product]:
    return Product.objects.active().filter(variants__isnull=True).select_related("unit")


def _search_products(qs, text: str):
    text = text.strip()
    return qs.filter(Q(sku__istartswith=text) | Q(name__icontains=text)).order_by("sku", "id")


def _exact_product(qs, text: str):
    return qs.filter(sku__iexact=text.strip().split(" ", 1)[0])


def _describe_products(rows) -> list[PickerOption]:
    return [PickerOption(p.pk, f"{p.sku} {p.name}", " · ".join([p.unit.code, f"#{p.pk}"])) for p in rows]


PRODUCT_PICKER = PickerSource(url_name="purchasing:product-picker", noun=gettext_lazy("product"),
                              search=_search_products, describe=_describe_products, exact=_exact_product)


def active_suppliers() -> QuerySet[SupplierProfile]:
    return SupplierProfile.objects.filter(is_active=True, counterparty__is_archived=False).select_related(
        "counterparty")


def _search_suppliers(qs, text: str):
    return qs.filter(counterparty__legal_name__icontains=text.strip()).order_by("counterparty__legal_name", "id")


def _exact_supplier(qs, text: str):
    return qs.filter(counterparty__legal_name__iexact=text.strip())


def _describe_suppliers(rows) -> list[PickerOption]:
    return [PickerOption(s.pk, s.counterparty.legal_name, f"{s.currency} · #{s.pk}") for s in rows]


SUPPLIER_PICKER = PickerSource(url_name="purchasing:supplier-picker", noun=gettext_lazy("supplier"),
                               search=_search_suppliers, describe=_describe_suppliers, exact=_exact_supplier)


def product_field(label, **kwargs) -> PickerField:
    return PickerField(PRODUCT_PICKER, queryset=buyable_products(), label=label, **kwargs)


def supplier_field(label, **kwargs) -> PickerField:
    return PickerField(SUPPLIER_PICKER, queryset=active_suppliers(), label=label, **kwargs)
