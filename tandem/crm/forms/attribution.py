"""Forms for campaigns, marketing events, attendees and the attribution report: shape only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField, field_label
from tandem.core.models import User
from tandem.crm.models import Campaign, MarketingEvent
from tandem.crm.queries.visibility import visible_leads
from tandem.parties.models import Client, Source
from tandem.parties.queries import visible_clients


class CampaignForm(forms.Form):
    name = forms.CharField(label=field_label(Campaign, "name"), max_length=200)
    source = ModelChoiceField(label=field_label(Campaign, "source"), required=False,
                                    queryset=Source.objects.active())
    starts_on = DateField(label=field_label(Campaign, "starts_on"), required=False, widget=DateInput)
    ends_on = DateField(label=field_label(Campaign, "ends_on"), required=False, widget=DateInput)
    cost = AmountField(label=field_label(Campaign, "cost"), required=False)
    currency = forms.CharField(label=field_label(Campaign, "currency"), max_length=3, required=False)

    @classmethod
    def initial_for(cls, obj) -> dict:
        return {name: getattr(obj, name) for name in cls.base_fields}


class EventForm(forms.Form):
    name = forms.CharField(label=field_label(MarketingEvent, "name"), max_length=200)
    kind = forms.ChoiceField(label=field_label(MarketingEvent, "kind"), choices=MarketingEvent.Kind.choices)
    starts_on = DateField(label=field_label(MarketingEvent, "starts_on"), widget=DateInput)
    ends_on = DateField(label=field_label(MarketingEvent, "ends_on"), required=False, widget=DateInput)
    location = forms.CharField(label=field_label(MarketingEvent, "location"), max_length=200, required=False)
    cost = AmountField(label=field_label(MarketingEvent, "cost"), required=False)
    currency = forms.CharField(label=field_label(MarketingEvent, "currency"), max_length=3, required=False)
    responsible = ModelChoiceField(label=field_label(MarketingEvent, "responsible"), required=False,
                                         queryset=User.objects.filter(is_active=True))
    campaign = ModelChoiceField(label=field_label(MarketingEvent, "campaign"), required=False,
                                      queryset=Campaign.objects.active())
    source = ModelChoiceField(label=field_label(MarketingEvent, "source"), required=False,
                                    queryset=Source.objects.active())

    @classmethod
    def initial_for(cls, obj) -> dict:
        return {name: getattr(obj, name) for name in cls.base_fields}


class AttendeeForm(forms.Form):
    client = ModelChoiceField(label=gettext_lazy("Client"), required=False, queryset=Client.objects.none())
    lead = ModelChoiceField(label=gettext_lazy("Lead"), required=False, queryset=Client.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).active().order_by("search_name", "id")
        self.fields["lead"].queryset = visible_leads(user).order_by("name", "id")


class ReportForm(forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Group by"), required=False, choices=[
        ("source", gettext_lazy("Source")), ("campaign", gettext_lazy("Campaign")),
        ("event", gettext_lazy("Marketing event"))])
    date_from = DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
