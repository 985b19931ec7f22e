"""Forms of the BOM and work-centre pages (they only parse: bom_services decide)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy

from tandem.catalog.pickers import product_field
from tandem.core.forms import AmountField, DateField, DateInput, IdField, ModelChoiceField
from tandem.production.models import WorkCentre


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class WorkCentreForm(_Versioned):
    code = forms.CharField(label=gettext_lazy("code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    hourly_cost = AmountField(label=gettext_lazy("cost per hour"), decimal_places=6, initial=Decimal(0),
                              help_text=gettext_lazy("In the base currency."))
    capacity_hours_per_week = AmountField(label=gettext_lazy("capacity (hours per week)"), initial=Decimal(40))


class BomForm(_Versioned):
    code = forms.CharField(label=gettext_lazy("version"), max_length=32,
                           help_text=gettext_lazy("A name for this version, e.g. v2."))
    quantity = AmountField(label=gettext_lazy("quantity made"), initial=Decimal(1),
                           help_text=gettext_lazy("How much one run of the components makes."))
    valid_from = DateField(label=gettext_lazy("valid from"), widget=DateInput)
    valid_to = DateField(label=gettext_lazy("valid to"), widget=DateInput, required=False,
                         help_text=gettext_lazy("Empty: until a later version replaces it."))
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BomCreateForm(BomForm):
    product = product_field(gettext_lazy("product"))
    copy_from = IdField(widget=forms.HiddenInput, required=False)
    field_order = ["product", "code", "quantity", "valid_from", "valid_to", "note"]


class BomLineForm(_Versioned):
    component = product_field(gettext_lazy("component"))
    quantity = AmountField(label=gettext_lazy("quantity"), min_value=None)
    scrap_percent = AmountField(label=gettext_lazy("scrap %"), required=False, min_value=None,
                                help_text=gettext_lazy("Share lost on the way, 0 to below 100."))
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)

    def values(self) -> dict:
        values = super().values()
        if values.get("scrap_percent") is None:
            values["scrap_percent"] = Decimal(0)
        return values


class BomLineEditForm(BomLineForm):
    component = None


class BomOperationForm(_Versioned):
    name = forms.CharField(label=gettext_lazy("operation"), max_length=200)
    work_centre = ModelChoiceField(label=gettext_lazy("work centre"),
                                   queryset=WorkCentre.objects.filter(is_archived=False))
    minutes_per_unit = AmountField(label=gettext_lazy("minutes per unit"), initial=Decimal(0), min_value=None)
    setup_minutes = AmountField(label=gettext_lazy("set-up minutes"), initial=Decimal(0), min_value=None)
    sequence = forms.IntegerField(label=gettext_lazy("sequence"), required=False, min_value=1, max_value=2**31 - 1)

    def values(self) -> dict:
        return {k: v for k, v in super().values().items() if not (k == "sequence" and v is None)}


class _ListedChoices(ModelChoiceIterator):
    """Choices from a list read once for all the rows of a page (not one query per row's select)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.listed:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.listed) + (self.field.empty_label is not None)


class BomOperationEditForm(BomOperationForm):
    """A routing row edited in place: the live work centres plus the one it already names. `centres`: those
    centres, read once by the page for every row."""

    def __init__(self, *args, current_centre_id=None, centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        keep = Q(is_archived=False) | Q(pk=current_centre_id) if current_centre_id else Q(is_archived=False)
        field = self.fields["work_centre"]
        field.queryset = WorkCentre.objects.filter(keep)
        if centres is not None:
            field.listed = [c for c in centres if not c.is_archived or c.pk == current_centre_id]
            field.iterator = _ListedChoices
            field.widget.choices = field.choices


class ExplosionForm(forms.Form):
    quantity = AmountField(label=gettext_lazy("quantity"), required=False, min_value=Decimal("0.0001"))
    date = DateField(label=gettext_lazy("date"), widget=DateInput, required=False)
