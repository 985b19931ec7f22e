"""Pages for leads: list, create, edit, card, qualify (link or create a client, open a deal), disqualify, reopen.

Thin: forms check shape, crm.services.leads applies the rules, records are read under crm.queries.visibility."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.audit import history_for
from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.crm.forms.leads import DisqualifyForm, LeadFilterForm, LeadForm, QualifyForm
from tandem.crm.models import Lead
from tandem.crm.queries.leads import filter_leads
from tandem.crm.queries.visibility import visible_leads
from tandem.crm.services import leads as services
from tandem.parties.queries import visible_clients

LEADS_PER_PAGE = 50


def _lead(request, pk) -> Lead:
    return resolve_visible(visible_leads(request.user).select_related(
        "owner", "source", "campaign", "event", "client", "deal"), pk)


@login_required
@permission_required("crm.view_lead", raise_exception=True)
def lead_list(request):
    form = LeadFilterForm(request.GET or None)
    leads = filter_leads(visible_leads(request.user), **form.filters())
    page = DeferredJoinPaginator(leads, LEADS_PER_PAGE, keys_first=True).get_page(request.GET.get("page"))
    return render(request, "crm/lead_list.html", {"form": form, "page_obj": page, "leads": page.object_list})


@login_required
@permission_required("crm.add_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_create(request):
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = call_service(form, services.create_lead, by=request.user, **form.service_values())
        if lead is not None:
            messages.success(request, _("Lead “%(name)s” created.") % {"name": lead})
            return redirect("crm:lead-detail", pk=lead.pk)
    return render(request, "crm/lead_form.html", {"form": form, "lead": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.change_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_edit(request, pk):
    lead = _lead(request, pk)
    form = LeadForm(request.POST or None, user=request.user, lead=lead)
    if request.method == "POST" and form.is_valid():
        updated = call_service(form, services.update_lead, lead, by=request.user, **form.service_values())
        if updated is not None:
            messages.success(request, _("Lead “%(name)s” saved.") % {"name": updated})
            return redirect("crm:lead-detail", pk=lead.pk)
    return render(request, "crm/lead_form.html", {"form": form, "lead": lead},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.view_lead", raise_exception=True)
def lead_detail(request, pk):
    lead = _lead(request, pk)
    context = {
        "lead": lead,
        "can_reopen": Lead.Status.NEW in Lead.TRANSITIONS[lead.status],
        "history": list(history_for(lead, user=request.user)[:100]),
        "client_url": reverse("parties:client-detail", args=[lead.client_id])
        if lead.client_id and visible_clients(request.user).filter(pk=lead.client_id).exists() else None,
    }
    return render(request, "crm/lead_detail.html", context)


def _duplicates_shown(user, refusal):
    if refusal is None or refusal.code != "duplicate":
        return None
    # The service already left out all but the owner's name of clients the user may not open.
    duplicates = refusal.extra.get("duplicates", [])
    return [{**d, "url": reverse("parties:client-detail", args=[d["client_id"]]) if d.get("visible") else None}
            for d in duplicates]


@login_required
@permission_required("crm.change_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_qualify(request, pk):
    lead = _lead(request, pk)
    form = QualifyForm(request.POST or None, user=request.user,
                       initial={"deal_title": lead.company_name or lead.name})
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        qualified = call_service(
            form, services.qualify_lead, lead, by=request.user, client=data["client"],
            create_client=data["create_client"], deal_title=data["deal_title"] or None, amount=data["amount"],
            currency=data["currency"] or None, pipeline=data["pipeline"],
        )
        refusal = form.refusal
        if qualified is not None:
            messages.success(request, _("Lead qualified: client “%(client)s”, deal “%(deal)s”.")
                             % {"client": qualified.client, "deal": qualified.deal})
            return redirect("crm:lead-detail", pk=lead.pk)
    return render(request, "crm/lead_qualify.html",
                  {"lead": lead, "form": form, "duplicates": _duplicates_shown(request.user, refusal)},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.change_lead", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_disqualify(request, pk):
    lead = _lead(request, pk)
    form = DisqualifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.disqualify_lead, lead, by=request.user,
                               reason=form.cleaned_data["reason"])
        if done is not None:
            messages.success(request, _("Lead disqualified."))
            return redirect("crm:lead-detail", pk=lead.pk)
    return render(request, "crm/lead_disqualify.html", {"lead": lead, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.change_lead", raise_exception=True)
@require_POST
def lead_reopen(request, pk):
    lead = _lead(request, pk)
    form = forms.Form()
    if call_service(form, services.reopen_lead, lead, by=request.user) is not None:
        messages.success(request, _("Lead reopened."))
    else:
        messages.error(request, form.refusal.message)
    return redirect("crm:lead-detail", pk=lead.pk)


urlpatterns = [
    path("leads/", lead_list, name="lead-list"),
    path("leads/new/", lead_create, name="lead-create"),
    path("leads/<int:pk>/", lead_detail, name="lead-detail"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead-edit"),
    path("leads/<int:pk>/qualify/", lead_qualify, name="lead-qualify"),
    path("leads/<int:pk>/disqualify/", lead_disqualify, name="lead-disqualify"),
    path("leads/<int:pk>/reopen/", lead_reopen, name="lead-reopen"),
]
