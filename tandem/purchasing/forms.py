"""Forms of the purchasing pages (they only parse: the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, CurrencyField, DateField, DateInput, ModelChoiceField, field_label
from tandem.core.pickers import PickerField
from tandem.parties.models import Counterparty
from tandem.parties.pickers import COUNTERPARTY_PICKER
from tandem.parties.queries import visible_counterparties
from tandem.purchasing.models import PurchasingSettings
from tandem.purchasing.pickers import product_field, supplier_field
from tandem.purchasing.services import MAX_DAYS
from tandem.stock.models import Warehouse
from tandem.stock.pickers import for_warehouse, location_field


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


class PurchaseOrderEditForm(forms.Form):
    """The header of a request for quotation or a draft order: what update_purchase_order accepts."""

    warehouse = ModelChoiceField(label=gettext_lazy("warehouse"), queryset=Warehouse.objects.active())
    order_date = DateField(label=gettext_lazy("order date"), widget=DateInput)
    expected_date = DateField(label=gettext_lazy("expected on"), required=False, widget=DateInput)
    currency = CurrencyField(label=gettext_lazy("currency"), required=True)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].keep_code(order.currency)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PurchaseLineEditForm(forms.Form):
    """One line of a request for quotation or a draft order; an empty price takes the supplier's price."""

    quantity = AmountField(label=gettext_lazy("quantity"))
    unit_price = AmountField(label=gettext_lazy("unit price"), required=False, decimal_places=6,
                             help_text=gettext_lazy("Empty: the supplier's price."))
    expected_date = DateField(label=gettext_lazy("expected on"), required=False, widget=DateInput)
    description = forms.CharField(label=gettext_lazy("description"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ReceiveForm(forms.Form):
    """Where the received goods go: one location of the order's warehouse (another's is a field error)."""

    location = location_field(gettext_lazy("Received into"), required=False,
                              help_text=gettext_lazy("Empty: the warehouse's default location."))

    def __init__(self, *args, order, default_location=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        for_warehouse(field, order.warehouse_id)
        if default_location is not None:
            field.initial = default_location


def _days(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_DAYS, **kwargs)


class SupplierForm(forms.Form):
    """A supplier's profile; on a new supplier, the counterparty (one of a client's legal entities) it is."""

    counterparty = PickerField(COUNTERPARTY_PICKER, label=gettext_lazy("counterparty"),
                               queryset=Counterparty.objects.none(),
                               help_text=gettext_lazy("One of a client's legal entities; it becomes a supplier."))
    currency = CurrencyField(label=gettext_lazy("currency"), required=True)
    payment_terms_days = _days(gettext_lazy("payment terms (days)"), initial=30)
    lead_time_days = _days(gettext_lazy("default lead time (days)"), initial=7)
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True,
                                   help_text=gettext_lazy("An inactive supplier is not offered for new orders."))
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, supplier=None, client_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if supplier is None:
            del self.fields["is_active"]
            field = self.fields["counterparty"]
            field.queryset = visible_counterparties(user).active().select_related("client")
            if client_id is not None:
                field.narrow = {"client_id": client_id}
                field.widget.fixed = {"client": str(client_id)}
        else:
            del self.fields["counterparty"]
            self.fields["currency"].keep_code(supplier.currency)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "counterparty"}


class SupplierPriceForm(forms.Form):
    """A supplier's price of a product. Editing a price changes its terms, not whose price of what it is."""

    supplier = supplier_field(gettext_lazy("supplier"))
    product = product_field(gettext_lazy("product"))
    supplier_sku = forms.CharField(label=gettext_lazy("supplier's code"), required=False, max_length=64)
    currency = CurrencyField(label=gettext_lazy("currency"), blank=True,
                             help_text=gettext_lazy("Empty: the supplier's currency."))
    unit_price = AmountField(label=gettext_lazy("unit price"), decimal_places=6,
                             help_text=gettext_lazy("Per the product's stock unit."))
    min_quantity = AmountField(label=gettext_lazy("minimum quantity"), required=False,
                               help_text=gettext_lazy("Empty: no minimum."))
    pack_size = AmountField(label=gettext_lazy("pack size"), required=False,
                            help_text=gettext_lazy("Sold in multiples of this quantity. Empty: 1."))
    lead_time_days = _days(gettext_lazy("lead time (days)"), required=False,
                           help_text=gettext_lazy("Empty: the supplier's default lead time."))
    valid_from = DateField(label=gettext_lazy("valid from"), required=False, widget=DateInput)
    valid_to = DateField(label=gettext_lazy("valid to"), required=False, widget=DateInput)
    is_preferred = forms.BooleanField(label=gettext_lazy("preferred"), required=False,
                                      help_text=gettext_lazy("The product's preferred supplier (the previous one "
                                                             "loses it)."))

    def __init__(self, *args, price=None, **kwargs):
        super().__init__(*args, **kwargs)
        if price is not None:
            del self.fields["supplier"]
            del self.fields["product"]
            self.fields["currency"].keep_code(price.currency)
            self.fields["currency"].help_text = ""

    def values(self) -> dict:
        """The terms to save: a left-empty optional number keeps its default (new) or current value (edit);
        empty dates clear them."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("supplier", "product")}
        for name in ("currency", "min_quantity", "pack_size", "lead_time_days"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data


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
