"""Forms for tasks: shape only; crm.services.tasks checks links, assignee and times."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import DateField, DateInput, DateTimeField, DateTimeInput, IdField, ModelChoiceField
from tandem.core.models import User
from tandem.core.pickers import USER_PICKER, PickerField, active_users
from tandem.crm.models import Task

LINK_FIELDS = ("client", "deal", "lead", "complaint")


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    assignee = PickerField(USER_PICKER, label=_("Assignee"), queryset=active_users())
    due_at = DateTimeField(label=_("Due"), widget=DateTimeInput)
    remind_at = DateTimeField(label=_("Remind at"), required=False, widget=DateTimeInput)
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The record the task is about: set from the page the task is created on (?client=&deal=&lead=).
    client = IdField(required=False, widget=forms.HiddenInput)
    deal = IdField(required=False, widget=forms.HiddenInput)
    lead = IdField(required=False, widget=forms.HiddenInput)
    complaint = IdField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, task: Task) -> dict:
        return {"title": task.title, "assignee": task.assignee_id, "due_at": task.due_at,
                "remind_at": task.remind_at, "priority": task.priority, "description": task.description,
                **{name: getattr(task, f"{name}_id") for name in LINK_FIELDS}}

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Title"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *Task.Status.choices], required=False,
                               initial=Task.Status.OPEN)
    priority = forms.ChoiceField(label=_("Priority"), choices=[("", _("Any")), *Task.Priority.choices],
                                 required=False)
    assignee = ModelChoiceField(label=_("Assignee"), queryset=User.objects.filter(is_active=True)
                                      .order_by("username"), required=False)
    due_from = DateField(label=_("Due from"), required=False, widget=DateInput)
    due_to = DateField(label=_("Due to"), required=False, widget=DateInput)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.has_perm("crm.view_all_tasks"):
            # Not shown to whoever sees only own tasks, but "?assignee=<me>" (My day's link to all overdue
            # tasks) still narrows the list to the tasks assigned to them.
            self.fields["assignee"] = ModelChoiceField(queryset=User.objects.filter(pk=user.pk), required=False,
                                                       widget=forms.HiddenInput)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {"status": Task.Status.OPEN}
        assignee = data.get("assignee")
        return {"q": data.get("q") or "", "status": data.get("status") or "", "priority": data.get("priority") or "",
                "assignee_id": assignee.pk if assignee else None, "due_from": data.get("due_from"),
                "due_to": data.get("due_to"), "overdue": bool(data.get("overdue"))}
