"""Forms of shipments and customer returns: shape only (rules live in sales.services.shipments/returns).

Both take one row per order line (quantity, and where it comes from or goes to); the choices offered are
what the services accept: locations of the order's warehouse, lots with stock there (the suggested one first),
lots that were shipped, the client's complaints."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.pickers import PickerField
from tandem.sales.calculations import plain
from tandem.stock.models import Location, Lot
from tandem.stock.pickers import LOT_PICKER, for_warehouse, location_field, shippable_lots


class _RowsForm(forms.Form):
    """A form with a header and per-row fields named `<field>_<order line id>`."""

    def row_fields(self, row_id: int) -> dict:
        return {name: self[f"{name}_{row_id}"] for name in self.ROW_FIELDS if f"{name}_{row_id}" in self.fields}

    def row_values(self, row_id: int) -> dict:
        return {name: self.cleaned_data.get(f"{name}_{row_id}") for name in self.ROW_FIELDS}


def _quantity_field(initial: Decimal, maximum: Decimal, step) -> forms.DecimalField:
    """A quantity input shown without trailing zeros (5, 2.5), stepping by the unit's step."""
    field = forms.DecimalField(label=_("Quantity"), required=False, min_value=0, max_value=maximum,
                               initial=plain(initial), max_digits=18, decimal_places=4,
                               widget=forms.NumberInput(attrs={"step": plain(step) if step else "any",
                                                               "inputmode": "decimal"}))
    field.widget.attrs["max"] = plain(maximum)
    return field


class ShipmentForm(_RowsForm):
    ROW_FIELDS = ("quantity", "location", "lot")

    shipment_date = forms.DateField(label=_("Shipment date"), widget=forms.DateInput(attrs={"type": "date"}))
    carrier = forms.CharField(label=_("Carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order, rows: list[dict], suggestions: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipment_date"].initial = timezone.localdate()
        self.rows = rows
        for row in rows:
            line, product = row["line"], row["product"]
            self.fields[f"quantity_{line.pk}"] = _quantity_field(row["left"], row["left"], product.unit.step)
            # Searchable pickers: the order's warehouse's locations; the line's product's lots with stock
            # there that have not expired (expiry and what is available shown). Anything else is refused as
            # an error on the row's field.
            location = location_field(_("From location"), required=False,
                                      initial=suggestions.get(("location", line.pk)))
            for_warehouse(location, order.warehouse_id)
            self.fields[f"location_{line.pk}"] = location
            if product.tracking != "none":
                lot = PickerField(LOT_PICKER, label=_("Lot or serial number"), required=False,
                                  queryset=shippable_lots(product, order.warehouse_id),
                                  initial=suggestions.get(("lot", line.pk)),
                                  help_text=_("Empty: the lot that expires first."))
                lot.fix_parent(product.pk)
                lot.widget.fixed.update({"warehouse": str(order.warehouse_id), "shippable": "1"})
                self.fields[f"lot_{line.pk}"] = lot
            row["fields"] = self.row_fields(line.pk)

    def lines(self) -> list[dict]:
        """The rows with a quantity above zero, as the service takes them."""
        chosen = []
        for row in self.rows:
            values = self.row_values(row["line"].pk)
            if values["quantity"]:
                chosen.append({"order_line": row["line"], **values})
        return chosen


class ReturnForm(_RowsForm):
    ROW_FIELDS = ("quantity", "lot")

    return_date = forms.DateField(label=_("Return date"), widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ModelChoiceField(label=_("Received into"), queryset=Location.objects.none(), empty_label=None,
                                      help_text=_("A quarantine location keeps the goods out of what can be sold."))
    complaint = forms.ModelChoiceField(label=_("Complaint"), queryset=None, required=False,
                                       empty_label=_("No complaint"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    receive = forms.BooleanField(label=_("Received now (posts the stock moves)"), required=False, initial=True)

    def __init__(self, *args, order, rows: list[dict], complaints, default_location=None, may_receive=True,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["return_date"].initial = timezone.localdate()
        self.fields["location"].queryset = (Location.objects.filter(warehouse__company_id=order.company_id,
                                                                    is_archived=False)
                                            .select_related("warehouse").order_by("warehouse__code", "code"))
        self.fields["location"].label_from_instance = lambda loc: f"{loc} · {loc.get_kind_display()}"
        self.fields["location"].initial = default_location
        self.fields["complaint"].queryset = complaints
        if not may_receive:
            del self.fields["receive"]
        self.rows = rows
        for row in rows:
            line, product = row["line"], row["product"]
            returnable = row["shipped"] - row["returned"]
            self.fields[f"quantity_{line.pk}"] = _quantity_field(Decimal(0), returnable, product.unit.step)
            if product.tracking != "none":
                self.fields[f"lot_{line.pk}"] = forms.ModelChoiceField(
                    label=_("Lot or serial number"), required=False, empty_label=_("The only one shipped"),
                    queryset=Lot.objects.filter(Q(pk__in=row["shipped_lots"])).order_by("expiry_date", "code"))
            row["returnable"] = returnable
            row["fields"] = self.row_fields(line.pk)

    def lines(self) -> list[dict]:
        chosen = []
        for row in self.rows:
            values = self.row_values(row["line"].pk)
            if values["quantity"]:
                chosen.append({"order_line": row["line"], "quantity": values["quantity"], "lot": values["lot"]})
        return chosen


class ShipmentDetailsForm(forms.Form):
    """Carrier and tracking number (and, before shipping, the date and note)."""

    carrier = forms.CharField(label=_("Carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
