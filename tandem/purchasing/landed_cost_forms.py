"""Forms of the landed-cost pages (they only parse: purchasing.landed_costs decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, CurrencyField, DateField, DateInput
from tandem.purchasing.landed_cost_pickers import order_field, receipt_field
from tandem.purchasing.models import LandedCost
from tandem.purchasing.pickers import supplier_field


class LandedCostForm(forms.Form):
    """The document; `orders` adds all receipts of a purchase order, `receipts` one receipt line (the fields are
    named after the service's arguments, so its refusals land on them)."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=LandedCost.Kind.choices,
                             initial=LandedCost.Kind.FREIGHT)
    date = DateField(label=gettext_lazy("date"), required=False, widget=DateInput,
                     help_text=gettext_lazy("Empty: today. The exchange rate is the date's."))
    amount = AmountField(label=gettext_lazy("amount"), decimal_places=2)
    currency = CurrencyField(label=gettext_lazy("currency"))
    supplier = supplier_field(gettext_lazy("service supplier"), required=False)
    method = forms.ChoiceField(label=gettext_lazy("allocation"), choices=LandedCost.Method.choices,
                               initial=LandedCost.Method.VALUE)
    reference = forms.CharField(label=gettext_lazy("bill reference"), required=False, max_length=100)
    orders = order_field(gettext_lazy("all receipts of purchase order"), required=False)
    receipts = receipt_field(gettext_lazy("or a receipt line"), required=False)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, landed_cost: LandedCost | None = None, **kwargs):
        if landed_cost is not None:
            kwargs.setdefault("initial", {
                "kind": landed_cost.kind, "date": landed_cost.date, "amount": landed_cost.amount,
                "currency": landed_cost.currency, "supplier": landed_cost.supplier_id, "method": landed_cost.method,
                "reference": landed_cost.reference, "note": landed_cost.note, "version": landed_cost.version})
        super().__init__(*args, **kwargs)
        if landed_cost is not None:
            self.fields["currency"].keep_code(landed_cost.currency)
            self.fields["orders"].label = gettext_lazy("add all receipts of purchase order")
            self.fields["receipts"].label = gettext_lazy("or add a receipt line")

    def header(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("kind", "date", "amount", "currency", "supplier", "method", "reference",
                                              "note")}

    def chosen(self) -> dict:
        data = self.cleaned_data
        return {"orders": [data["orders"]] if data.get("orders") else [],
                "receipts": [data["receipts"]] if data.get("receipts") else []}


class LandedCostStepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
