"""Forms for segments: shape only; crm.segments.validate_criteria checks the criteria."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core import limits
from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField, ModelMultipleChoiceField
from tandem.core.models import User
from tandem.crm.models import Segment
from tandem.parties.models import Client, Source

CRITERIA_FIELDS = ("status", "kind", "owner_id", "source_id", "tags", "name_contains", "last_interaction_after",
                   "last_interaction_before", "won_deals_min", "won_deals_max", "won_amount_min", "won_amount_max",
                   "currency")


class SegmentForm(forms.Form):
    # The service calls the type "kind"; the form cannot, as "kind" is also a criterion (client type).
    service_field_names = {"kind": "segment_kind"}
    name = forms.CharField(label=_("Name"), max_length=200)
    segment_kind = forms.ChoiceField(label=_("Type"), choices=Segment.Kind.choices, initial=Segment.Kind.RULE)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.MultipleChoiceField(label=_("Client status"), choices=Client.Status.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Client type"), choices=[("", "—"), *Client.Kind.choices], required=False)
    owner_id = ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True)
                                      .order_by("username"), required=False)
    source_id = ModelChoiceField(label=_("Source of first contact"), queryset=Source.objects.all(),
                                       required=False)
    tags = forms.CharField(label=_("Tags (any of)"), required=False, help_text=_("Separate tags with commas."))
    name_contains = forms.CharField(label=_("Name contains"), required=False, max_length=200)
    last_interaction_after = DateField(label=_("Last interaction on or after"), required=False, widget=DateInput)
    last_interaction_before = DateField(label=_("No interaction since"), required=False, widget=DateInput)
    won_deals_min = forms.IntegerField(label=_("Won deals, at least"), required=False, min_value=0,
                                       max_value=limits.MAX_ID)
    won_deals_max = forms.IntegerField(label=_("Won deals, at most"), required=False, min_value=0,
                                       max_value=limits.MAX_ID)
    won_amount_min = AmountField(label=_("Won amount, at least"), required=False)
    won_amount_max = AmountField(label=_("Won amount, at most"), required=False)
    currency = forms.CharField(label=_("Currency of won amount"), required=False, max_length=3,
                               help_text=_("Empty: the company's base currency."))

    @classmethod
    def initial_for(cls, segment: Segment) -> dict:
        initial = {"name": segment.name, "segment_kind": segment.kind, "description": segment.description}
        for key, value in segment.criteria.items():
            initial[key] = ", ".join(value) if key == "tags" else value
        return initial

    def criteria_fields(self):
        return [self[name] for name in CRITERIA_FIELDS]

    def criteria(self) -> dict:
        data = self.cleaned_data
        if data["segment_kind"] == Segment.Kind.STATIC:
            return {}
        out = {}
        for key in CRITERIA_FIELDS:
            value = data.get(key)
            if value in (None, "", []):
                continue
            if key in ("owner_id", "source_id"):
                value = value.pk
            elif key == "tags":
                value = [t.strip() for t in value.split(",") if t.strip()]
            elif key.startswith("last_interaction"):
                value = value.isoformat()
            elif key.startswith("won_amount"):
                value = str(value)
            out[key] = value
        return out

    def service_values(self) -> dict:
        return {"name": self.cleaned_data["name"], "kind": self.cleaned_data["segment_kind"],
                "description": self.cleaned_data["description"], "criteria": self.criteria()}


class AddMemberForm(forms.Form):
    client = ModelChoiceField(label=_("Client"), queryset=Client.objects.none())

    def __init__(self, *args, clients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients


class ComparisonForm(forms.Form):
    ids = ModelMultipleChoiceField(label=_("Segments"), queryset=Segment.objects.all(),
                                         widget=forms.CheckboxSelectMultiple)
