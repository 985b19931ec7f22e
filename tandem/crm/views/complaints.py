"""Web pages: complaints (claims). List with filters and the overdue ones highlighted, registration (also
from the client card: ?client=<id>), editing while open, a complaint's page with its actions. Rules live in
crm.services.complaints; the buttons follow its can_* checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits, modules
from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.crm.forms.complaints import ComplaintEditForm, ComplaintFilterForm, ComplaintForm, ResolutionForm
from tandem.crm.models import Complaint
from tandem.crm.queries.visibility import visible_complaints
from tandem.crm.services import complaints as services
from tandem.parties import queries as parties

COMPLAINTS_PER_PAGE = 50


@login_required
@permission_required("crm.view_complaint", raise_exception=True)
def complaint_list(request):
    form = ComplaintFilterForm(request.GET or None)
    now = timezone.now()
    qs = services.filter_complaints(visible_complaints(request.user), now=now, **form.filters())
    page = DeferredJoinPaginator(qs, COMPLAINTS_PER_PAGE, keys_first=True).get_page(request.GET.get("page"))
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
        client = parties.visible_clients(request.user).filter(pk=client_id).first() if limits.is_id(client_id) else None
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
        # AppConfig hook complaint_page_panels (core.modules.collect): e.g. sales shows the customer returns
        # linked to the complaint; crm never names the apps that add them. [{"id", "title", "html"}]
        "panels": modules.collect("complaint_page_panels", request, complaint,
                                  enabled=getattr(request, "enabled_modules", None)),
    }
    return render(request, "crm/complaint_detail.html", context, status=status)


def _get(request, pk) -> Complaint:
    return resolve_visible(visible_complaints(request.user).select_related("client", "deal", "assignee"), pk)


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
