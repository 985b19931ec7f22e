"""Forms of the production order pages (they only parse: the services decide)."""

from __future__ import annotations

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


class ProduceForm(StepForm):
    quantity = AmountField(label=gettext_lazy("quantity produced"))
    scrap = AmountField(label=gettext_lazy("scrapped"), required=False)
    lot_code = forms.CharField(label=gettext_lazy("new lot"), required=False, max_length=64,
                               help_text=gettext_lazy("Lot-tracked products: empty gives the order number and a "
                                                      "count."))
