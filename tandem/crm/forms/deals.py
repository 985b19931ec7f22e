"""Forms for deals, pipelines and the lost-at-stage report: shape only; crm.services.deals applies the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core import limits
from tandem.core.forms import AmountField, DateField, DateInput, IdField, ModelChoiceField, offer_active
from tandem.core.models import User
from tandem.crm.models import Campaign, Deal, LostReason, Pipeline, Stage, StageRule
from tandem.crm.services import deals as services
from tandem.parties.models import Contact, Counterparty, Source
from tandem.parties.queries import visible_clients


class DealForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    client = ModelChoiceField(label=gettext_lazy("client"), queryset=None)
    counterparty = ModelChoiceField(label=gettext_lazy("counterparty"), queryset=Counterparty.objects.none(),
                                          required=False)
    contact = ModelChoiceField(label=gettext_lazy("contact person"), queryset=Contact.objects.none(),
                                     required=False)
    owner = ModelChoiceField(label=gettext_lazy("owner"), queryset=User.objects.filter(is_active=True),
                                   required=False)
    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.active(),
                                      required=False)
    amount = AmountField(label=gettext_lazy("amount"),
                                required=False)
    currency = forms.CharField(label=gettext_lazy("currency"), min_length=3, max_length=3, required=False)
    expected_close_date = DateField(label=gettext_lazy("expected close date"), required=False,
                                          widget=DateInput)
    source = ModelChoiceField(label=gettext_lazy("source"), queryset=Source.objects.active(),
                                    required=False)
    campaign = ModelChoiceField(label=gettext_lazy("campaign"), queryset=Campaign.objects.all(),
                                      required=False)
    # The version the user opened (edits only): a save after someone else's is refused, nothing written.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, deal: Deal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).order_by("name")
        client_id = self.data.get("client") or (deal.client_id if deal else self.initial.get("client"))
        if client_id and limits.is_id(client_id):
            self.fields["counterparty"].queryset = Counterparty.objects.filter(client_id=client_id)
            self.fields["contact"].queryset = Contact.objects.filter(client_id=client_id)
        # Archived records are not offered, except the one the deal already names.
        for name in ("client", "counterparty", "contact", "source", "campaign"):
            offer_active(self.fields[name], getattr(deal, f"{name}_id") if deal else None)
        if not user.has_perm("crm.view_all_deals"):
            del self.fields["owner"]
        if deal is not None:
            del self.fields["pipeline"]
        else:
            del self.fields["version"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("owner", "pipeline", "currency"):
            if name in data and not data[name]:
                data.pop(name)
        return data

    @staticmethod
    def initial_for(deal: Deal) -> dict:
        return {**{name: getattr(deal, name) for name in services.UPDATABLE_FIELDS}, "version": deal.version}


class DealFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.all(),
                                      required=False)
    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.select_related("pipeline"),
                                   required=False)
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False,
                               choices=[("", gettext_lazy("All"))] + list(Deal.Status.choices))
    owner = ModelChoiceField(label=gettext_lazy("owner"), queryset=User.objects.filter(is_active=True),
                                   required=False)
    won_from = DateField(label=gettext_lazy("won from"), required=False, widget=DateInput)
    won_to = DateField(label=gettext_lazy("won to"), required=False, widget=DateInput)
    # Links from the home page's activity table ("deals moved this week"); kept, not shown.
    moved_by = IdField(required=False, widget=forms.HiddenInput)
    moved_from = DateField(required=False, widget=forms.HiddenInput)
    moved_to = DateField(required=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"q": d["q"], "pipeline": d["pipeline"] and d["pipeline"].pk, "stage": d["stage"] and d["stage"].pk,
                "status": d["status"], "owner_id": d["owner"] and d["owner"].pk, "won_from": d["won_from"],
                "won_to": d["won_to"], "moved_by": d["moved_by"], "moved_from": d["moved_from"],
                "moved_to": d["moved_to"]}


class LoseForm(forms.Form):
    lost_reason = ModelChoiceField(label=gettext_lazy("lost reason"),
                                         queryset=LostReason.objects.filter(is_active=True), required=False)
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.all(),
                                      required=False)
    date_from = DateField(label=gettext_lazy("from"), required=False,
                                widget=DateInput)
    date_to = DateField(label=gettext_lazy("to"), required=False, widget=DateInput)


class PipelineForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)


class StageForm(forms.Form):
    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.all())
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    probability = forms.IntegerField(label=gettext_lazy("probability, %"), min_value=0, max_value=100, initial=10)


class StageRuleForm(forms.Form):
    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.select_related("pipeline"))
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=StageRule.Kind.choices)
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False)
    field_name = forms.ChoiceField(label=gettext_lazy("field"), required=False,
                                   choices=[("", "—")] + list(StageRule.REQUIRABLE_FIELDS.items()))


class LostReasonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
