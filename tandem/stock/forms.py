"""Forms of the stock pages: shape only; the services decide (lots, negatives, archived rows)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField
from tandem.core.pickers import PickerField
from tandem.stock import queries
from tandem.stock.models import Location, StockCount, StockMove, Warehouse
from tandem.stock.pickers import (
    PRODUCT_PICKER,
    check_lot_of_product,
    for_warehouse,
    location_field,
    lot_field,
    narrow_lot,
    stocked_products,
)


def _location_field(label, *, required=True) -> ModelChoiceField:
    field = ModelChoiceField(queryset=queries.locations(), label=label, required=required)
    field.label_from_instance = lambda loc: f"{loc.warehouse.code} / {loc.code}" + (f" — {loc.name}" if loc.name
                                                                                      else "")
    return field


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "allow_negative"]


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["code", "name", "kind", "is_default"]


class _MoveForm(forms.Form):
    service_field_names = {"lot": "lot_code"}
    product = PickerField(PRODUCT_PICKER, queryset=stocked_products(), label=_("Product"))
    quantity = AmountField(label=_("Quantity"))
    lot_code = forms.CharField(label=_("Lot or serial number"), max_length=64, required=False,
                               help_text=_("Needed for products tracked by lot or serial number."))
    effective_date = DateField(label=_("Effective date"), required=False, widget=DateInput,
                               help_text=_("Today when left empty; may lie in the past."))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReceiptForm(_MoveForm):
    to_location = _location_field(_("To location"))
    expiry_date = DateField(label=_("Expiry date"), required=False, widget=DateInput)
    unit_cost = AmountField(label=_("Unit cost"), required=False)
    field_order = ["product", "quantity", "to_location", "lot_code", "expiry_date", "unit_cost", "effective_date",
                   "reason"]


class TransferForm(_MoveForm):
    """Where from and where to through location pickers ("MAIN/A1"), the lot through a picker of the chosen
    product's lots (its expiry and what is available); a lot of another product is an error on `lot`."""

    service_field_names = {}
    from_location = location_field(_("From location"))
    to_location = location_field(_("To location"))
    lot = lot_field(_("Lot or serial number"), required=False,
                    help_text=_("Needed for products tracked by lot or serial number."))
    field_order = ["product", "quantity", "from_location", "to_location", "lot", "effective_date", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["lot_code"]
        narrow_lot(self)

    def clean(self):
        cleaned = super().clean()
        check_lot_of_product(self)
        return cleaned


class AdjustmentForm(_MoveForm):
    location = _location_field(_("Location"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=15, decimal_places=4,
                                  help_text=_("+ found, − lost or broken."))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    field_order = ["product", "location", "quantity", "lot_code", "reason", "effective_date"]


class StockFilterForm(forms.Form):
    warehouse = ModelChoiceField(queryset=queries.warehouses(), label=_("Warehouse"), required=False,
                                 empty_label=None)
    q = forms.CharField(label=_("Product"), max_length=100, required=False)
    in_stock = forms.BooleanField(label=_("Only with stock"), required=False)


class MoveFilterForm(forms.Form):
    warehouse = ModelChoiceField(queryset=queries.warehouses(), label=_("Warehouse"), required=False)
    product = PickerField(PRODUCT_PICKER, queryset=stocked_products(), label=_("Product"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *StockMove.Kind.choices], required=False)
    date_from = DateField(label=_("From"), required=False, widget=DateInput)
    date_to = DateField(label=_("To"), required=False, widget=DateInput)


class CountForm(forms.ModelForm):
    class Meta:
        model = StockCount
        fields = ["warehouse", "count_date", "note"]
        widgets = {"count_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = queries.warehouses()


class CountLineForm(forms.Form):
    """A counted quantity: the location through a picker of the count's warehouse only, the lot through a
    picker of the chosen product's lots. A lot nobody booked yet may be typed as a new code (`lot_code`)."""

    service_field_names = {"lot": "lot"}
    product = PickerField(PRODUCT_PICKER, queryset=stocked_products(), label=_("Product"))
    location = location_field(_("Location"))
    lot = lot_field(_("Lot or serial number"), required=False)
    lot_code = forms.CharField(label=_("New lot or serial number"), max_length=64, required=False,
                               help_text=_("Only for a lot that is not in the list yet."))
    counted = AmountField(label=_("Counted"))

    def __init__(self, *args, warehouse=None, **kwargs):
        super().__init__(*args, **kwargs)
        if warehouse is not None:
            for_warehouse(self.fields["location"], warehouse.pk)
        narrow_lot(self)

    def clean(self):
        cleaned = super().clean()
        check_lot_of_product(self)
        if cleaned.get("lot") is not None and cleaned.get("lot_code"):
            self.add_error("lot_code", _("Choose a lot from the list or type a new one, not both."))
        return cleaned


class CountImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns sku, location, lot, counted; a header row."))
