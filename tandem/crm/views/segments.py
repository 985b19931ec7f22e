"""Pages for segments (rule-based and static groups) and the segment comparison report (thin: forms check
shape, crm.services.segments writes, crm.segments evaluates over clients the user may see)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.crm.forms.segments import AddMemberForm, ComparisonForm, SegmentForm
from tandem.crm.models import Segment
from tandem.crm.reports.segments import compare_segments
from tandem.crm.segments import criteria_currency, describe_criteria, segment_clients
from tandem.crm.services import segments as services
from tandem.parties.queries import get_visible_client, visible_clients

MEMBERS_PER_PAGE = 50




def _segment(pk) -> Segment:
    return get_object_or_404(Segment, pk=pk)


@login_required
@permission_required("crm.view_segment", raise_exception=True)
def segment_list(request):
    return render(request, "crm/segment_list.html", {"segments": Segment.objects.all()})


@login_required
@permission_required("crm.add_segment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def segment_create(request):
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        segment = call_service(form, services.create_segment, by=request.user, **form.service_values())
        if segment is not None:
            messages.success(request, _("Segment “%(name)s” created.") % {"name": segment.name})
            return redirect("crm:segment-detail", pk=segment.pk)
    return _render_form(request, form, None)


@login_required
@permission_required("crm.change_segment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def segment_edit(request, pk):
    segment = _segment(pk)
    form = SegmentForm(request.POST or None, initial=SegmentForm.initial_for(segment))
    if request.method == "POST" and form.is_valid():
        updated = call_service(form, services.update_segment, segment, by=request.user, **form.service_values())
        if updated is not None:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": updated.name})
            return redirect("crm:segment-detail", pk=updated.pk)
    return _render_form(request, form, segment)


def _render_form(request, form, segment):
    return render(request, "crm/segment_form.html", {"form": form, "segment": segment},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.view_segment", raise_exception=True)
def segment_detail(request, pk):
    segment = _segment(pk)
    members = segment_clients(segment, request.user).select_related("owner")
    page = DeferredJoinPaginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    add_form = None
    if segment.kind == Segment.Kind.STATIC and request.user.has_perm("crm.change_segment"):
        add_form = AddMemberForm(clients=_addable(request.user, segment))
    return render(request, "crm/segment_detail.html", {
        "segment": segment, "page_obj": page, "members": page.object_list, "add_form": add_form,
        "criteria": describe_criteria(segment.criteria), "currency": criteria_currency(segment.criteria),
    })


def _addable(user, segment):
    return visible_clients(user).active().exclude(static_segments=segment).order_by("search_name", "id")


@login_required
@permission_required("crm.delete_segment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def segment_delete(request, pk):
    segment = _segment(pk)
    form = forms.Form(request.POST or None)
    if request.method == "POST":
        call_service(form, services.delete_segment, segment, by=request.user)
        if not form.errors:
            messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
            return redirect("crm:segment-list")
    return render(request, "crm/segment_confirm_delete.html", {"segment": segment, "form": form},
                  status=400 if form.errors else 200)


@login_required
@permission_required("crm.change_segment", raise_exception=True)
@require_POST
def segment_member_add(request, pk):
    segment = _segment(pk)
    form = AddMemberForm(request.POST, clients=_addable(request.user, segment))
    if form.is_valid():
        call_service(form, services.add_members, segment, [form.cleaned_data["client"].pk], by=request.user)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Client added to the group."))
    return redirect("crm:segment-detail", pk=segment.pk)


@login_required
@permission_required("crm.change_segment", raise_exception=True)
@require_POST
def segment_member_remove(request, pk, client_pk):
    segment = _segment(pk)
    client = get_visible_client(request.user, client_pk)
    form = forms.Form({})
    call_service(form, services.remove_member, segment, client, by=request.user)
    if form.errors:
        for error in form.non_field_errors():
            messages.error(request, error)
        for field in form.errors:
            if field != "__all__":
                messages.error(request, form.errors[field][0])
    else:
        messages.success(request, _("Client removed from the group."))
    return redirect("crm:segment-detail", pk=segment.pk)


@login_required
@permission_required("crm.view_segment", raise_exception=True)
def segment_comparison(request):
    form = ComparisonForm(request.GET or None)
    rows = compare_segments(list(form.cleaned_data["ids"]), request.user) if form.is_valid() else None
    if rows is None and request.GET.get("ids") and not form.is_valid():
        status = 400
    else:
        status = 200
    return render(request, "crm/report_segment_comparison.html", {"form": form, "rows": rows}, status=status)


urlpatterns = [
    path("segments/", segment_list, name="segment-list"),
    path("segments/new/", segment_create, name="segment-create"),
    path("segments/<int:pk>/", segment_detail, name="segment-detail"),
    path("segments/<int:pk>/edit/", segment_edit, name="segment-edit"),
    path("segments/<int:pk>/delete/", segment_delete, name="segment-delete"),
    path("segments/<int:pk>/members/add/", segment_member_add, name="segment-member-add"),
    path("segments/<int:pk>/members/<int:client_pk>/remove/", segment_member_remove, name="segment-member-remove"),
    path("reports/segment-comparison/", segment_comparison, name="report-segment-comparison"),
]
