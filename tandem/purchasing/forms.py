"""Forms of the purchasing pages (they only parse: the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField, field_label
from tandem.purchasing.models import PurchasingSettings
from tandem.purchasing.pickers import product_field, supplier_field
from tandem.stock.models import Warehouse


class PurchaseOrderForm(forms.Form):
    supplier = supplier_field(gettext_lazy("supplier"))
    warehouse = ModelChoiceField(label=gettext_lazy("warehouse"), queryset=Warehouse.objects.active(),
                                 required=False, help_text=gettext_lazy("Empty: the first warehouse."))
    order_date = DateField(label=gettext_lazy("order date"), required=False, widget=DateInput)
    expected_date = DateField(label=gettext_lazy("expected on"), required=False, widget=DateInput,
                              help_text=gettext_lazy("Empty: the order date plus the supplier's lead time."))
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PurchaseLineForm(forms.Form):
    product = product_field(gettext_lazy("product"))
    quantity = AmountField(label=gettext_lazy("quantity"))
    unit_price = AmountField(label=gettext_lazy("unit price"), required=False, decimal_places=6,
                             help_text=gettext_lazy("Empty: the supplier's price."))
    expected_date = DateField(label=gettext_lazy("expected on"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


class SupplierPriceForm(forms.Form):
    supplier = supplier_field(gettext_lazy("supplier"))
    product = product_field(gettext_lazy("product"))
    unit_price = AmountField(label=gettext_lazy("unit price"), decimal_places=6)
    min_quantity = AmountField(label=gettext_lazy("minimum quantity"), required=False)
    lead_time_days = forms.IntegerField(label=gettext_lazy("lead time (days)"), required=False, min_value=0,
                                        max_value=3650)
    is_preferred = forms.BooleanField(label=gettext_lazy("preferred"), required=False)


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class BillOrderForm(forms.Form):
    """Bill this order: the supplier's invoice number and date as printed on their bill."""

    supplier_reference = forms.CharField(label=gettext_lazy("supplier's invoice number"), max_length=64)
    invoice_date = DateField(label=gettext_lazy("bill date"), widget=DateInput)
    due_date = DateField(label=gettext_lazy("due date"), required=False, widget=DateInput,
                         help_text=gettext_lazy("Empty: the bill date plus the supplier's payment terms."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class BillFilterForm(forms.Form):
    supplier = supplier_field(gettext_lazy("supplier"), required=False)
    status = forms.CharField(required=False, max_length=16)
    match = forms.CharField(required=False, max_length=16)


class PurchasingSettingsForm(forms.Form):
    """The four purchasing settings of one legal entity (the service checks ranges and decimal places)."""

    approval_threshold = AmountField(label=field_label(PurchasingSettings, "approval_threshold"))
    receipt_tolerance_percent = AmountField(
        label=field_label(PurchasingSettings, "receipt_tolerance_percent"),
        help_text=gettext_lazy("How much more than ordered the warehouse may receive, in percent of the ordered "
                               "quantity. A receipt beyond it is refused."))
    bill_price_tolerance_percent = AmountField(
        label=field_label(PurchasingSettings, "bill_price_tolerance_percent"),
        help_text=gettext_lazy("How far a supplier bill's unit price may exceed the order's price, in percent, "
                               "before a person must accept the difference."))
    bill_quantity_tolerance_percent = AmountField(
        label=field_label(PurchasingSettings, "bill_quantity_tolerance_percent"),
        help_text=gettext_lazy("How far the billed quantity may exceed the received quantity, in percent, before "
                               "a person must accept the difference."))

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approval_threshold"].help_text = gettext_lazy(
            "A purchase order whose total reaches this amount in %(currency)s, the legal entity's base currency, "
            "waits for a manager's approval; a smaller one is approved when the buyer submits it.") % {
            "currency": currency}
