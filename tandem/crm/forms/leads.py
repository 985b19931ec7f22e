"""Forms for leads: shape only; crm.services.leads applies the rules."""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, ModelChoiceField, field_label, offer_active
from tandem.core.models import User
from tandem.crm.models import Campaign, Deal, Lead, MarketingEvent, Pipeline
from tandem.parties.models import Client, Source
from tandem.parties.queries import visible_clients

_label = partial(field_label, Lead)


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("Name, company, email, phone")}))
    status = forms.ChoiceField(label=_label("status"), required=False,
                               choices=[("", gettext_lazy("All statuses")), *Lead.Status.choices])
    source = ModelChoiceField(label=_label("source"), required=False, queryset=Source.objects.all(),
                                    empty_label=gettext_lazy("All sources"))
    campaign = ModelChoiceField(label=_label("campaign"), required=False, queryset=Campaign.objects.all(),
                                      empty_label=gettext_lazy("All campaigns"))
    event = ModelChoiceField(label=_label("event"), required=False, queryset=MarketingEvent.objects.all(),
                                   empty_label=gettext_lazy("All events"))

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q", ""), "status": data.get("status", ""),
            "source_id": getattr(data.get("source"), "pk", None),
            "campaign_id": getattr(data.get("campaign"), "pk", None),
            "event_id": getattr(data.get("event"), "pk", None),
        }


class LeadForm(forms.Form):
    name = forms.CharField(label=_label("name"), max_length=200)
    company_name = forms.CharField(label=_label("company_name"), max_length=200, required=False)
    email = forms.EmailField(label=_label("email"), required=False)
    phone = forms.CharField(label=_label("phone"), max_length=40, required=False,
                            help_text=gettext_lazy("International format, e.g. +49 30 123456"))
    owner = ModelChoiceField(label=_label("owner"), queryset=User.objects.none())
    source = ModelChoiceField(label=_label("source"), required=False,
                                    queryset=Source.objects.active())
    campaign = ModelChoiceField(label=_label("campaign"), required=False,
                                      queryset=Campaign.objects.active())
    event = ModelChoiceField(label=_label("event"), required=False, queryset=MarketingEvent.objects.all())
    notes = forms.CharField(label=_label("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user.has_perm("crm.view_all_leads"):
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("first_name", "username")
        else:
            self.fields["owner"].queryset = User.objects.filter(pk=user.pk)
        self.fields["owner"].initial = lead.owner_id if lead else user.pk
        if lead is not None:
            for name in ("name", "company_name", "email", "phone", "notes"):
                self.fields[name].initial = getattr(lead, name)
            for name in ("source", "campaign", "event"):
                self.fields[name].initial = getattr(lead, f"{name}_id")
        # Archived sources and campaigns are not offered, except the one the lead already names.
        self.fields["source"].queryset = Source.objects.all()
        self.fields["campaign"].queryset = Campaign.objects.all()
        for name in ("source", "campaign"):
            offer_active(self.fields[name], getattr(lead, f"{name}_id") if lead else None)

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


class QualifyForm(forms.Form):
    client = ModelChoiceField(label=gettext_lazy("Link to existing client"), required=False,
                                    queryset=Client.objects.none(),
                                    help_text=gettext_lazy("Leave empty to create a new client from the lead."))
    create_client = forms.BooleanField(
        label=gettext_lazy("Create a new client anyway: I checked the clients above and none is this lead"),
        required=False)
    deal_title = forms.CharField(label=gettext_lazy("Deal title"), max_length=200, required=False)
    amount = AmountField(label=Deal._meta.get_field("amount").verbose_name, required=False)
    currency = forms.CharField(label=Deal._meta.get_field("currency").verbose_name, required=False, max_length=3)
    pipeline = ModelChoiceField(label=Pipeline._meta.verbose_name, required=False,
                                      queryset=Pipeline.objects.active())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).active().order_by("search_name", "id")


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_label("disqualify_reason"), widget=forms.Textarea(attrs={"rows": 3}))
