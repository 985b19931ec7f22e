"""Page forms of quotes and orders: shape only; sales.services apply the rules (and name the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Unit
from tandem.core import limits
from tandem.core.forms import AmountField, CurrencyField, DateField, DateInput, ModelChoiceField
from tandem.core.models import LegalEntity
from tandem.parties.pickers import client_field, contact_field, counterparty_field
from tandem.parties.queries import visible_clients, visible_contacts, visible_counterparties
from tandem.sales.pickers import product_field
from tandem.stock.models import Warehouse


class _HeaderForm(forms.Form):
    company = ModelChoiceField(label=gettext_lazy("legal entity"), queryset=LegalEntity.objects.all(),
                               required=False, help_text=gettext_lazy("Empty: our default legal entity."))
    client = client_field(gettext_lazy("client"))
    counterparty = counterparty_field(gettext_lazy("counterparty"), required=False,
                                      help_text=gettext_lazy("Empty: the client's only counterparty valid on "
                                                             "the date."))
    contact = contact_field(gettext_lazy("contact person"), required=False)
    currency = CurrencyField(label=gettext_lazy("currency"))
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).active()
        self.fields["counterparty"].queryset = visible_counterparties(user).active()
        self.fields["contact"].queryset = visible_contacts(user)
        client_id = self.data.get("client") or (document.client_id if document else self.initial.get("client"))
        if client_id and limits.is_id(client_id):
            for name in ("counterparty", "contact"):
                self.fields[name].narrow = {"client_id": int(client_id)}
        if document is not None:
            del self.fields["client"]
            self.fields["currency"].keep_code(document.currency)
        else:
            del self.fields["version"]


class QuoteForm(_HeaderForm):
    quote_date = DateField(label=gettext_lazy("quote date"), required=False, widget=DateInput)
    valid_until = DateField(label=gettext_lazy("valid until"), required=False, widget=DateInput)


class OrderForm(_HeaderForm):
    order_date = DateField(label=gettext_lazy("order date"), required=False, widget=DateInput)
    requested_date = DateField(label=gettext_lazy("requested delivery date"), required=False, widget=DateInput)
    warehouse = ModelChoiceField(label=gettext_lazy("warehouse"), queryset=Warehouse.objects.active(),
                                 required=False)


class LineForm(forms.Form):
    product = product_field(gettext_lazy("product"))
    quantity = AmountField(label=gettext_lazy("quantity"))
    unit = ModelChoiceField(label=gettext_lazy("unit"), queryset=Unit.objects.active(), required=False,
                            help_text=gettext_lazy("Empty: the product's unit."))
    unit_price = AmountField(label=gettext_lazy("unit price"), required=False, decimal_places=6,
                             help_text=gettext_lazy("Empty: the price list's."))
    discount_percent = AmountField(label=gettext_lazy("discount %"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, may_override: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["unit_price"]
            del self.fields["discount_percent"]

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        for name in ("unit", "unit_price", "discount_percent"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data


class LineQuantityForm(forms.Form):
    quantity = AmountField(label=gettext_lazy("quantity"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
