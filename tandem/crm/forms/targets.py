"""Forms of the sales targets page: the month picker and one representative's amount (shape only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import AmountField, DateField


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class MonthForm(forms.Form):
    month = DateField(label=_("Month"), required=False, input_formats=["%Y-%m"], widget=MonthInput)


class TargetForm(forms.Form):
    amount = AmountField(label=_("Target"), min_value=0, required=False, localize=False)
