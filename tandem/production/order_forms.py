"""Forms of the production order pages (they only parse: the services decide)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy

from tandem.catalog.pickers import product_field
from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField
from tandem.stock.models import Warehouse


class ProductionOrderForm(forms.Form):
    product = product_field(gettext_lazy("product to make"))
    quantity = AmountField(label=gettext_lazy("quantity"))
    planned_start = DateField(label=gettext_lazy("planned start"), required=False, widget=DateInput,
                              help_text=gettext_lazy("Empty: today. The BOM in force on this day is used."))
    planned_end = DateField(label=gettext_lazy("planned end"), required=False, widget=DateInput)
    warehouse = ModelChoiceField(label=gettext_lazy("warehouse"), queryset=Warehouse.objects.active(),
                                 required=False, help_text=gettext_lazy("Empty: the first warehouse."))
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class BookTimeForm(StepForm):
    operation = forms.IntegerField(widget=forms.HiddenInput)
    minutes = AmountField(label=gettext_lazy("minutes"))


BY_PRODUCT_ROWS = 2
_BY_PRODUCT_PARTS = ("product", "quantity", "unit_cost", "lot_code")


class ProduceForm(StepForm):
    """The output of an order: finished goods, scrap, and up to BY_PRODUCT_ROWS by-products (fields
    by_product_<n>, by_product_<n>_quantity, _unit_cost and _lot_code; an empty row is left out)."""

    quantity = AmountField(label=gettext_lazy("quantity produced"))
    scrap = AmountField(label=gettext_lazy("scrapped"), required=False)
    lot_code = forms.CharField(label=gettext_lazy("new lot"), required=False, max_length=64,
                               help_text=gettext_lazy("Lot-tracked products: empty gives the order number and a "
                                                      "count."))
    serials = forms.CharField(
        label=gettext_lazy("serial numbers"), required=False, max_length=70000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per unit produced, one a line or separated by commas. Empty gives the order "
                               "number and a count."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, BY_PRODUCT_ROWS + 1):
            self.fields[f"by_product_{n}"] = product_field(gettext_lazy("by-product"), required=False)
            self.fields[f"by_product_{n}_quantity"] = AmountField(label=gettext_lazy("quantity"), required=False)
            self.fields[f"by_product_{n}_unit_cost"] = AmountField(
                label=gettext_lazy("unit cost"), required=False,
                help_text=gettext_lazy("Its value lowers the cost of the finished goods. Empty: 0."))
            self.fields[f"by_product_{n}_lot_code"] = forms.CharField(
                label=gettext_lazy("new lot"), required=False, max_length=64,
                help_text=gettext_lazy("Lot-tracked by-products: empty gives the order number and a count."))

    @staticmethod
    def _name(n: int, part: str) -> str:
        return f"by_product_{n}" if part == "product" else f"by_product_{n}_{part}"

    def output_fields(self):
        return [self[name] for name in ("quantity", "scrap", "lot_code")]

    def clean_serials(self) -> list[str]:
        return [code.strip() for code in re.split(r"[\n,]", self.cleaned_data.get("serials") or "") if code.strip()]

    def by_product_fields(self):
        """[[bound fields of row 1], [row 2], …] for the page."""
        return [[self[self._name(n, part)] for part in _BY_PRODUCT_PARTS] for n in range(1, BY_PRODUCT_ROWS + 1)]

    def clean(self):
        data = super().clean()
        for n in range(1, BY_PRODUCT_ROWS + 1):
            product = data.get(self._name(n, "product"))
            rest = [data.get(self._name(n, part)) for part in ("quantity", "unit_cost", "lot_code")]
            if product is None and any(value not in (None, "") for value in rest) \
                    and not self.has_error(self._name(n, "product")):
                self.add_error(self._name(n, "product"), gettext_lazy("Choose the by-product."))
            elif product is not None and rest[0] is None and not self.has_error(self._name(n, "quantity")):
                self.add_error(self._name(n, "quantity"), gettext_lazy("Enter the quantity."))
        return data

    def by_products(self) -> list[tuple[int, dict]]:
        """The filled rows: [(row number, {product, quantity, unit_cost, lot_code})], in order."""
        rows = []
        for n in range(1, BY_PRODUCT_ROWS + 1):
            values = {part: self.cleaned_data.get(self._name(n, part)) for part in _BY_PRODUCT_PARTS}
            if values["product"] is not None:
                rows.append((n, values))
        return rows

    def name_by_product_fields(self, rows: list[tuple[int, dict]]) -> None:
        """A service refusal names "by_products.<i>.<part>" (i counts the filled rows): show it on that row."""
        self.service_field_names = {f"by_products.{index}.{part}": self._name(n, part)
                                    for index, (n, _values) in enumerate(rows) for part in _BY_PRODUCT_PARTS}
