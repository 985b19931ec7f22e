"""Forms for interactions: shape only; crm.services.interactions applies the rules."""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import (
    DateField,
    DateInput,
    DateTimeField,
    DateTimeInput,
    DurationMinutesField,
    ModelChoiceField,
    field_label,
    offer_active,
)
from tandem.core.models import User
from tandem.crm.models import Interaction
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.services import interactions as services
from tandem.parties import queries as parties
from tandem.parties.models import Source

_label = partial(field_label, Interaction)


QUICK_KINDS = (Interaction.Kind.CALL_OUT, Interaction.Kind.CALL_IN, Interaction.Kind.NOTE)


class InteractionForm(forms.Form):
    """Shape of an interaction; the rules (same client, duration, outcome) are checked by the service."""

    kind = forms.ChoiceField(label=_label("kind"), choices=Interaction.Kind.choices)
    occurred_at = DateTimeField(label=_label("occurred_at"), required=False, widget=DateTimeInput,
                                      help_text=_("Leave empty for now."))
    contact = ModelChoiceField(label=_label("contact"), required=False, queryset=None)
    counterparty = ModelChoiceField(label=_label("counterparty"), required=False, queryset=None)
    deal = ModelChoiceField(label=_label("deal"), required=False, queryset=None)
    subject = forms.CharField(label=_label("subject"), required=False, max_length=200)
    text = forms.CharField(label=_label("text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = DurationMinutesField(label=_label("duration_minutes"), required=False)
    outcome = forms.ChoiceField(label=_label("outcome"), required=False,
                                choices=[("", "—"), *Interaction.Outcome.choices])
    source = ModelChoiceField(label=_label("source"), required=False,
                                    queryset=Source.objects.active())

    QUICK_FIELDS = ("kind", "contact", "duration_minutes", "outcome", "text")

    def __init__(self, *args, user, client, quick=False, interaction=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = parties.visible_contacts(user).filter(client=client)
        self.fields["counterparty"].queryset = parties.visible_counterparties(user).filter(client=client)
        self.fields["source"].queryset = Source.objects.all()
        # Archived records are not offered, except the one the interaction already names.
        for name in ("contact", "counterparty", "source"):
            offer_active(self.fields[name], getattr(interaction, f"{name}_id") if interaction else None)
        self.fields["deal"].queryset = visible_deals(user).filter(client=client)
        if quick:
            self.fields["kind"].choices = [(k.value, k.label) for k in QUICK_KINDS]
            self.fields["text"].widget.attrs["rows"] = 2
            for name in list(self.fields):
                if name not in self.QUICK_FIELDS:
                    del self.fields[name]

    @staticmethod
    def initial_for(interaction: Interaction) -> dict:
        return {name: getattr(interaction, name) for name in services.INTERACTION_FIELDS}

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values["outcome"] = values.get("outcome") or ""
        return values


class InteractionFilterForm(forms.Form):
    """The interaction list's filters (the home page's "calls" and "meetings" link here)."""

    kind = forms.ChoiceField(label=_("type"), required=False,
                             choices=[("", _("Any")), ("call", _("Call")), *Interaction.Kind.choices])
    author = ModelChoiceField(label=_("logged by"), required=False,
                                    queryset=User.objects.filter(is_active=True).order_by("username"))
    occurred_from = DateField(label=_("from"), required=False, widget=DateInput)
    occurred_to = DateField(label=_("to"), required=False, widget=DateInput)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"kind": d["kind"], "created_by_id": d["author"] and d["author"].pk,
                "occurred_from": d["occurred_from"], "occurred_to": d["occurred_to"]}
