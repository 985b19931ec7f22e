"""Forms for deals, pipelines and the lost-at-stage report: shape only; crm.services.deals applies the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy

from tandem.core import limits
from tandem.core.forms import (
    AmountField,
    CurrencyField,
    DateField,
    DateInput,
    DateTimeField,
    DateTimeInput,
    IdField,
    ModelChoiceField,
    offer_active,
)
from tandem.core.models import User
from tandem.core.pickers import owner_field, owners_queryset
from tandem.crm.models import Campaign, Deal, LostReason, Pipeline, Stage, StageRule, Task
from tandem.crm.services import deals as services
from tandem.parties.models import Source, Tag
from tandem.parties.pickers import client_field, contact_field, counterparty_field
from tandem.parties.queries import visible_clients, visible_contacts, visible_counterparties


class DealForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    client = client_field(gettext_lazy("client"))
    counterparty = counterparty_field(gettext_lazy("counterparty"), required=False)
    contact = contact_field(gettext_lazy("contact person"), required=False)
    owner = owner_field(gettext_lazy("owner"), required=False,
                        help_text=gettext_lazy("Leave empty to own it yourself."))
    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.active(),
                                      required=False)
    amount = AmountField(label=gettext_lazy("amount"),
                                required=False)
    currency = CurrencyField(label=gettext_lazy("currency"))
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
        # Pickers search what the user may see; a counterparty or contact of another client than the deal's
        # is refused by the service, naming the field.
        self.fields["client"].queryset = visible_clients(user)
        self.fields["counterparty"].queryset = visible_counterparties(user)
        self.fields["contact"].queryset = visible_contacts(user)
        client_id = self.data.get("client") or (deal.client_id if deal else self.initial.get("client"))
        if client_id and limits.is_id(client_id):
            for name in ("counterparty", "contact"):
                self.fields[name].narrow = {"client_id": int(client_id)}
        # Archived records are not offered, except the one the deal already names.
        for name in ("client", "counterparty", "contact", "source", "campaign"):
            offer_active(self.fields[name], getattr(deal, f"{name}_id") if deal else None)
        if not user.has_perm("crm.view_all_deals"):
            del self.fields["owner"]
        elif deal is not None:
            self.fields["owner"].queryset = owners_queryset(deal.owner_id)
        if deal is not None:
            self.fields["currency"].keep_code(deal.currency)
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


class BoardFilterForm(forms.Form):
    """The board's filter bar, kept in the URL: owner ("me" for my deals, or a user), source, client tag."""

    owner = forms.ChoiceField(label=gettext_lazy("owner"), required=False)
    source = ModelChoiceField(label=gettext_lazy("source"), queryset=Source.objects.all(), required=False,
                                    empty_label=gettext_lazy("All sources"))
    tag = forms.CharField(label=gettext_lazy("tag"), required=False, widget=forms.Select)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        owners = [("", gettext_lazy("All owners")), ("me", gettext_lazy("My deals"))]
        if user.has_perm("crm.view_all_deals"):
            owners += [(str(u.pk), u.display_name) for u in User.objects.filter(is_active=True).order_by(
                "first_name", "last_name", "username")]
        self.fields["owner"].choices = owners
        self.fields["tag"].widget.choices = [("", gettext_lazy("All tags"))] + [
            (name, name) for name in Tag.objects.order_by("name").values_list("name", flat=True)]
        for field in self.fields.values():
            field.widget.attrs.update({"data-submit-on-change": "", "aria-label": str(field.label).capitalize()})

    def filters(self) -> dict:
        """Keyword arguments for crm.queries.deals.filter_deals; nothing for values that are not valid."""
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        owner = d["owner"]
        return {"owner_id": self.user.pk if owner == "me" else (int(owner) if owner else None),
                "source_id": d["source"] and d["source"].pk, "tag": d["tag"]}

    def is_filtered(self) -> bool:
        return any(self.filters().values())


class DealTaskForm(forms.Form):
    """Quick-add of a task on the deal page (assigned to whoever adds it; the full form offers the rest)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    due_at = DateTimeField(label=gettext_lazy("Due"), widget=DateTimeInput)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Task.Priority.choices,
                                 initial=Task.Priority.NORMAL)


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
    max_days = forms.IntegerField(label=gettext_lazy("days allowed in stage"), min_value=1, max_value=3650,
                                  required=False, help_text=gettext_lazy("Longer stays are marked on the board."))


class StageLimitsForm(forms.Form):
    """A stage's probability and allowed days, changed in the pipeline settings."""

    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.all(),
                                   widget=forms.HiddenInput)
    probability = forms.IntegerField(label=gettext_lazy("probability, %"), min_value=0, max_value=100)
    max_days = forms.IntegerField(label=gettext_lazy("days allowed in stage"), min_value=1, max_value=3650,
                                  required=False)


class RuleRoleForm(forms.Form):
    """The role that alone may tick an existing checklist item, changed in the pipeline settings."""

    rule = ModelChoiceField(label=gettext_lazy("rule"), queryset=StageRule.objects.select_related("stage"),
                            widget=forms.HiddenInput)
    required_role = forms.ModelChoiceField(label=gettext_lazy("only ticked by (role)"), required=False,
                                           queryset=Group.objects.order_by("name"))


class PipelineNameForm(forms.Form):
    """A pipeline's new name, from its header in the pipeline settings (the service refuses an empty one)."""

    pipeline = ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.all(),
                                widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100, required=False)


class StageNameForm(forms.Form):
    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.select_related("pipeline"),
                             widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100, required=False)


class StageMoveForm(forms.Form):
    """Up, down or to a position: `position` is where the stage goes, `from_position` where the user saw it."""

    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.select_related("pipeline"),
                             widget=forms.HiddenInput)
    position = forms.IntegerField(label=gettext_lazy("position"), min_value=1, max_value=32767)
    from_position = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RuleLabelForm(forms.Form):
    rule = ModelChoiceField(label=gettext_lazy("rule"), queryset=StageRule.objects.select_related("stage__pipeline"),
                            widget=forms.HiddenInput)
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False)


class RuleRemoveForm(forms.Form):
    rule = ModelChoiceField(label=gettext_lazy("rule"), queryset=StageRule.objects.select_related("stage__pipeline"),
                            widget=forms.HiddenInput)


class StageRuleForm(forms.Form):
    stage = ModelChoiceField(label=gettext_lazy("stage"), queryset=Stage.objects.select_related("pipeline"))
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=StageRule.Kind.choices)
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False)
    field_name = forms.ChoiceField(label=gettext_lazy("field"), required=False,
                                   choices=[("", "—")] + list(StageRule.REQUIRABLE_FIELDS.items()))
    required_role = forms.ModelChoiceField(label=gettext_lazy("only ticked by (role)"), required=False,
                                           queryset=Group.objects.order_by("name"),
                                           help_text=gettext_lazy("A checklist item only people of this role tick."))


class WinRulesForm(forms.Form):
    pipeline = forms.ModelChoiceField(label=gettext_lazy("pipeline"), queryset=Pipeline.objects.all())
    win_rules = forms.ChoiceField(label=gettext_lazy("rules checked when a deal is won"),
                                  choices=Pipeline.WinRules.choices)


class LostReasonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
