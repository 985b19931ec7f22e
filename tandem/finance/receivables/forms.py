"""Page forms of receivables (shape only; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import AmountField, CurrencyField, DateField, DateInput
from tandem.finance.models import CreditPolicy


class AgingForm(forms.Form):
    date = DateField(label=_("At"), widget=DateInput())
    side = forms.ChoiceField(label=_("Side"), choices=[("receivable", _("Receivables")), ("payable", _("Payables"))])
    group = forms.ChoiceField(label=_("Per"), choices=[("client", _("Client")), ("counterparty", _("Counterparty"))])


class OverdueForm(forms.Form):
    date = DateField(label=_("At"), widget=DateInput())
    q = forms.CharField(label=_("Client"), max_length=100, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    min_days = forms.IntegerField(label=_("Days overdue at least"), min_value=1, max_value=36500, initial=1)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *((u.pk, str(u)) for u in owners)]


class CreditLimitForm(forms.Form):
    amount = AmountField(label=_("Credit limit"), required=False,
                         help_text=_("Leave empty to remove the limit."))
    currency = CurrencyField(label=_("Currency"))
    max_overdue = AmountField(label=_("Maximum overdue"), required=False)
    max_days_overdue = forms.IntegerField(label=_("Maximum days overdue"), min_value=0, max_value=36500,
                                          required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DunningLevelForm(forms.Form):
    days_overdue = forms.IntegerField(label=_("Days overdue"), min_value=1, max_value=36500)
    name = forms.CharField(label=_("Name"), max_length=100)
    text = forms.CharField(label=_("Reminder text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Placeholders: {number}, {amount}, {due_date}, {days}, {client}."))
    fee = AmountField(label=_("Fee"), required=False)
    fee_currency = CurrencyField(label=_("Fee currency"))


class DunningRunForm(forms.Form):
    date = DateField(label=_("Run date"), widget=DateInput())
    send = forms.BooleanField(label=_("Send at once"), required=False)


class CreditPolicyForm(forms.Form):
    mode = forms.ChoiceField(label=_("When an order goes over a credit limit"), choices=CreditPolicy.Mode.choices)
