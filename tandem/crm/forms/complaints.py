"""Forms for complaints: shape only; crm.services.complaints applies the rules."""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tandem.core.forms import DateTimeField, DateTimeInput, ModelChoiceField, field_label, offer_active
from tandem.core.models import User
from tandem.crm.models import Complaint, ComplaintCategory
from tandem.crm.queries.visibility import visible_deals
from tandem.parties import queries as parties

_label = partial(field_label, Complaint)


def _active_users():
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_label("status"), required=False,
                               choices=[("", gettext_lazy("All statuses")), *Complaint.Status.choices])
    severity = forms.ChoiceField(label=_label("severity"), required=False,
                                 choices=[("", gettext_lazy("All severities")), *Complaint.Severity.choices])
    category = ModelChoiceField(label=_label("category"), required=False,
                                queryset=ComplaintCategory.objects.all(),
                                empty_label=gettext_lazy("All categories"))
    assignee = ModelChoiceField(label=_label("assignee"), required=False, queryset=_active_users(),
                                      empty_label=gettext_lazy("All assignees"))
    overdue = forms.BooleanField(label=gettext_lazy("Overdue"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].label_from_instance = lambda u: u.display_name

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        assignee, category = data.get("assignee"), data.get("category")
        return {"status": data.get("status", ""), "severity": data.get("severity", ""),
                "assignee_id": assignee.pk if assignee else None, "category_id": category.pk if category else None,
                "overdue": bool(data.get("overdue"))}


class ComplaintForm(forms.Form):
    client = ModelChoiceField(label=_label("client"), queryset=None)
    category = ModelChoiceField(label=_label("category"), queryset=ComplaintCategory.objects.all())
    severity = forms.ChoiceField(label=_label("severity"), choices=Complaint.Severity.choices,
                                 initial=Complaint.Severity.MEDIUM)
    description = forms.CharField(label=_label("description"), widget=forms.Textarea(attrs={"rows": 4}))
    deal = ModelChoiceField(label=_label("deal"), required=False, queryset=None)
    assignee = ModelChoiceField(label=_label("assignee"), required=False, queryset=_active_users(),
                                      help_text=gettext_lazy("Leave empty to take it yourself."))
    deadline = DateTimeField(label=_label("deadline"), required=False, widget=DateTimeInput,
                                   help_text=gettext_lazy("Leave empty for the deadline of its severity."))

    def __init__(self, *args, user, client=None, category_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_active(self.fields["category"], category_id)  # an archived category only where it is set
        self.fields["client"].queryset = parties.visible_clients(user).order_by("search_name", "id")
        offer_active(self.fields["client"], client.pk if client else None)
        deals = visible_deals(user)
        self.fields["deal"].queryset = deals.filter(client=client) if client else deals
        self.fields["assignee"].label_from_instance = lambda u: u.display_name
        if client is not None:
            self.fields["client"].initial = client.pk


class ComplaintEditForm(ComplaintForm):
    """The registration form without the client (a complaint stays with its client); assignee and deadline
    are required here (they are always set on a registered complaint)."""

    def __init__(self, *args, user, complaint, **kwargs):
        super().__init__(*args, user=user, client=complaint.client, category_id=complaint.category_id, **kwargs)
        del self.fields["client"]
        for name in ("assignee", "deadline"):
            self.fields[name].required = True
            self.fields[name].help_text = ""

    @staticmethod
    def initial_for(complaint: Complaint) -> dict:
        return {"category": complaint.category_id, "severity": complaint.severity,
                "description": complaint.description, "deal": complaint.deal_id,
                "assignee": complaint.assignee_id, "deadline": timezone.localtime(complaint.deadline)}


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_label("resolution"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
