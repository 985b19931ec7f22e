"""Web pages: complaints (claims). List with filters and the overdue ones highlighted, registration (also
from the client card: ?client=<id>), editing while open, a complaint's page with its actions. Rules live in
crm.services.complaints; the buttons follow its can_* checks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.forms import call_service, offer_active
from tandem.core.models import User
from tandem.core.pagination import DeferredJoinPaginator
from tandem.crm.models import Complaint, ComplaintCategory
from tandem.crm.services import complaints as services
from tandem.crm.views.interactions import DateTimeInput
from tandem.crm.visibility import get_visible, visible_complaints, visible_deals
from tandem.parties import queries as parties

COMPLAINTS_PER_PAGE = 50


def _label(name):
    return Complaint._meta.get_field(name).verbose_name


def _active_users():
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(label=_label("status"), required=False,
                               choices=[("", gettext_lazy("All statuses")), *Complaint.Status.choices])
    severity = forms.ChoiceField(label=_label("severity"), required=False,
                                 choices=[("", gettext_lazy("All severities")), *Complaint.Severity.choices])
    category = forms.ModelChoiceField(label=_label("category"), required=False,
                                      queryset=ComplaintCategory.objects.all(),
                                      empty_label=gettext_lazy("All categories"))
    assignee = forms.ModelChoiceField(label=_label("assignee"), required=False, queryset=_active_users(),
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
    client = forms.ModelChoiceField(label=_label("client"), queryset=None)
    category = forms.ModelChoiceField(label=_label("category"), queryset=ComplaintCategory.objects.all())
    severity = forms.ChoiceField(label=_label("severity"), choices=Complaint.Severity.choices,
                                 initial=Complaint.Severity.MEDIUM)
    description = forms.CharField(label=_label("description"), widget=forms.Textarea(attrs={"rows": 4}))
    deal = forms.ModelChoiceField(label=_label("deal"), required=False, queryset=None)
    assignee = forms.ModelChoiceField(label=_label("assignee"), required=False, queryset=_active_users(),
                                      help_text=gettext_lazy("Leave empty to take it yourself."))
    deadline = forms.DateTimeField(label=_label("deadline"), required=False, widget=DateTimeInput,
                                   help_text=gettext_lazy("Leave empty for the deadline of its severity."))

    def __init__(self, *args, user, client=None, category_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_active(self.fields["category"], category_id)
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




@login_required
@permission_required("crm.view_complaint", raise_exception=True)
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    now = timezone.now()
    qs = services.filter_complaints(visible_complaints(request.user), now=now, **form.filters())
    page = DeferredJoinPaginator(qs, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    for complaint in page.object_list:
        complaint.overdue = complaint.is_overdue(now)
    return render(request, "crm/complaint_list.html", {"form": form, "page_obj": page,
                                                       "complaints": page.object_list})


@login_required
@permission_required("crm.add_complaint", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_create(request):
    client = None
    client_id = request.POST.get("client") or request.GET.get("client")
    if client_id:
        client = parties.visible_clients(request.user).filter(pk=client_id).first() if client_id.isdigit() else None
    form = ComplaintForm(request.POST or None, user=request.user, client=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = call_service(form, services.register_complaint, by=request.user, client=data["client"],
                                  category=data["category"], severity=data["severity"],
                                  description=data["description"], deal=data["deal"],
                                  assignee=data["assignee"], deadline=data["deadline"])
        if complaint is not None:
            messages.success(request, _("Complaint %(complaint)s registered.") % {"complaint": complaint})
            return redirect("crm:complaint-detail", pk=complaint.pk)
    return render(request, "crm/complaint_form.html", {"form": form, "client": client},
                  status=400 if form.is_bound and form.errors else 200)


def _detail(request, complaint, *, form=None, status=200):
    now = timezone.now()
    context = {
        "complaint": complaint,
        "overdue": complaint.is_overdue(now),
        "form": form or ResolutionForm(),
        "can_start": services.can_start(complaint),
        "can_resolve": complaint.can_resolve(),
        "can_reject": complaint.can_reject(),
        "can_reopen": services.can_reopen(complaint),
        "may_change": request.user.has_perm("crm.change_complaint"),
        "can_edit": services.can_edit(complaint),
    }
    return render(request, "crm/complaint_detail.html", context, status=status)


def _get(request, pk) -> Complaint:
    return get_visible(visible_complaints(request.user).select_related("client", "deal", "assignee"), pk)


@login_required
@permission_required("crm.view_complaint", raise_exception=True)
def complaint_detail(request, pk):
    return _detail(request, _get(request, pk))


@login_required
@permission_required("crm.change_complaint", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complaint_edit(request, pk):
    complaint = _get(request, pk)
    form = ComplaintEditForm(request.POST or None, user=request.user, complaint=complaint,
                             initial=ComplaintEditForm.initial_for(complaint))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = call_service(form, services.update_complaint, complaint, by=request.user,
                               **{name: data[name] for name in services.UPDATABLE_FIELDS})
        if updated is not None:
            messages.success(request, _("Complaint %(complaint)s saved.") % {"complaint": updated})
            return redirect("crm:complaint-detail", pk=complaint.pk)
    return render(request, "crm/complaint_form.html", {"form": form, "client": complaint.client,
                                                       "complaint": complaint},
                  status=400 if form.is_bound and form.errors else 200)


def _action(request, pk, service, message, *, with_resolution=False):
    complaint = _get(request, pk)
    form = ResolutionForm(request.POST)
    form.is_valid()
    kwargs = {"resolution": form.cleaned_data.get("resolution", "")} if with_resolution else {}
    if call_service(form, service, complaint, by=request.user, **kwargs) is None:
        return _detail(request, _get(request, pk), form=form, status=400)
    messages.success(request, message)
    return redirect("crm:complaint-detail", pk=complaint.pk)


@login_required
@permission_required("crm.change_complaint", raise_exception=True)
@require_POST
def complaint_start(request, pk):
    return _action(request, pk, services.start_complaint, _("The complaint is in progress."))


@login_required
@permission_required("crm.change_complaint", raise_exception=True)
@require_POST
def complaint_resolve(request, pk):
    return _action(request, pk, services.resolve_complaint, _("The complaint is resolved."), with_resolution=True)


@login_required
@permission_required("crm.change_complaint", raise_exception=True)
@require_POST
def complaint_reject(request, pk):
    return _action(request, pk, services.reject_complaint, _("The complaint is rejected."), with_resolution=True)


@login_required
@permission_required("crm.change_complaint", raise_exception=True)
@require_POST
def complaint_reopen(request, pk):
    return _action(request, pk, services.reopen_complaint, _("The complaint is reopened."))


urlpatterns = [
    path("complaints/", complaint_list, name="complaint-list"),
    path("complaints/new/", complaint_create, name="complaint-create"),
    path("complaints/<int:pk>/", complaint_detail, name="complaint-detail"),
    path("complaints/<int:pk>/edit/", complaint_edit, name="complaint-edit"),
    path("complaints/<int:pk>/start/", complaint_start, name="complaint-start"),
    path("complaints/<int:pk>/resolve/", complaint_resolve, name="complaint-resolve"),
    path("complaints/<int:pk>/reject/", complaint_reject, name="complaint-reject"),
    path("complaints/<int:pk>/reopen/", complaint_reopen, name="complaint-reopen"),
]
