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


class _WarehouseMoveForm(_MoveForm):
    """A move into or within one warehouse (receipt, adjustment): the warehouse is chosen first, the location
    through a picker of that warehouse's bins, the lot through a picker of the chosen product's lots (or a new
    code). A location of another warehouse or a lot of another product is an error on that field. Without a
    warehouse posted (API-like posts), the location's own warehouse is taken."""

    service_field_names = {"lot": "lot"}
    location_name = "location"
    warehouse = ModelChoiceField(queryset=queries.warehouses(), label=_("Warehouse"), required=False,
                                 empty_label=None)
    lot = lot_field(_("Lot or serial number"), required=False,
                    help_text=_("Needed for products tracked by lot or serial number."))
    lot_code = forms.CharField(label=_("New lot or serial number"), max_length=64, required=False,
                               help_text=_("Only for a lot that is not in the list yet."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        narrow_lot(self)
        warehouse_id = self.data.get("warehouse") if self.is_bound else None
        if warehouse_id and str(warehouse_id).isdigit():
            self.fields[self.location_name].narrow = {"warehouse_id": int(warehouse_id)}

    def clean(self):
        cleaned = super().clean()
        check_lot_of_product(self)
        location, warehouse = cleaned.get(self.location_name), cleaned.get("warehouse")
        if location is not None and warehouse is not None and location.warehouse_id != warehouse.pk:
            self.add_error(self.location_name, _("%(location)s is a location of %(other)s, not of %(warehouse)s.")
                           % {"location": location, "other": location.warehouse, "warehouse": warehouse})
        if cleaned.get("lot") is not None and cleaned.get("lot_code"):
            self.add_error("lot_code", _("Choose a lot from the list or type a new one, not both."))
        return cleaned


class ReceiptForm(_WarehouseMoveForm):
    location_name = "to_location"
    to_location = location_field(_("To location"), depends_on="warehouse")
    expiry_date = DateField(label=_("Expiry date"), required=False, widget=DateInput,
                            help_text=_("Of a new lot."))
    unit_cost = AmountField(label=_("Unit cost"), required=False)
    field_order = ["product", "quantity", "warehouse", "to_location", "lot", "lot_code", "expiry_date", "unit_cost",
                   "effective_date", "reason"]


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


class AdjustmentForm(_WarehouseMoveForm):
    location = location_field(_("Location"), depends_on="warehouse")
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=15, decimal_places=4,
                                  help_text=_("+ found, − lost or broken."))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    field_order = ["product", "warehouse", "location", "quantity", "lot", "lot_code", "reason", "effective_date"]


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
