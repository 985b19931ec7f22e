"""Web pages: the client timeline (a panel of the client card) and interactions.

The card's quick-add form posts with htmx and gets the redrawn timeline panel back; without JavaScript the
same form posts normally and is sent back to the card. Rules live in crm.services.interactions, the timeline
in crm.queries.timeline."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tandem.core import limits
from tandem.core.forms import call_service
from tandem.core.htmx import is_htmx
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.crm.forms.interactions import InteractionFilterForm, InteractionForm
from tandem.crm.models import Interaction
from tandem.crm.queries import timeline as timelines
from tandem.crm.queries.visibility import visible_interactions
from tandem.crm.services import interactions as services
from tandem.parties import queries as parties

# --- The timeline panel -----------------------------------------------------------------------------


def _before(request) -> datetime.datetime | None:
    """The `older` cursor; anything that is not a moment inside core.limits' window is ignored."""
    value = request.GET.get("before") or ""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or limits.date_problem(moment):
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _timeline_context(request, client, *, type_="", before=None) -> dict:
    timeline = timelines.build_timeline(request.user, client, type=type_, before=before)
    for item in timeline.items:
        item.editable = item.kind == "interaction" and services.may_modify(request.user, item.obj)
    return {
        "client": client,
        "timeline": timeline,
        "types": list(timelines.TYPES.items()),
        "timeline_url": reverse("crm:client-timeline", args=[client.pk]),
    }


def timeline_panel_html(request, client, *, form=None) -> str:
    """The timeline section of the client card: quick-add form, type filter, the newest items."""
    context = _timeline_context(request, client)
    if form is None and request.user.has_perm("crm.add_interaction"):
        form = InteractionForm(user=request.user, client=client, quick=True,
                               initial={"kind": Interaction.Kind.CALL_OUT})
    context["form"] = form
    return render_to_string("crm/partials/_timeline_panel.html", context, request=request)


@login_required
@permission_required("crm.view_interaction", raise_exception=True)
def client_timeline(request, client_pk):
    """?type= filters, ?before= pages back. htmx gets the list (or the next page of it), a browser a page."""
    client = parties.get_visible_client(request.user, client_pk)
    context = _timeline_context(request, client, type_=request.GET.get("type", ""), before=_before(request))
    if is_htmx(request):
        template = "crm/partials/_timeline_page.html" if request.GET.get("before") else "crm/partials/_timeline.html"
        return render(request, template, context)
    return render(request, "crm/timeline.html", context)


# --- Interactions -----------------------------------------------------------------------------------


@login_required
@permission_required("crm.add_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_create(request, client_pk):
    client = parties.get_visible_client(request.user, client_pk)
    quick = request.POST.get("quick") == "1" or request.GET.get("quick") == "1"
    form = InteractionForm(request.POST or None, user=request.user, client=client, quick=quick,
                           initial={"kind": request.GET.get("kind") or Interaction.Kind.CALL_OUT})
    if request.method == "POST" and form.is_valid():
        interaction = call_service(form, services.log_interaction, by=request.user, client=client,
                                    **form.service_values())
        if interaction is not None:
            if is_htmx(request):
                return HttpResponse(timeline_panel_html(request, client))
            return redirect(f"{reverse('parties:client-detail', args=[client.pk])}#timeline")
    status = 400 if form.is_bound and form.errors else 200
    if is_htmx(request):
        return HttpResponse(timeline_panel_html(request, client, form=form), status=status)
    return render(request, "crm/timeline_interaction_form.html",
                  {"client": client, "form": form, "interaction": None}, status=status)


def _own_interaction(request, pk) -> Interaction:
    interaction = resolve_visible(visible_interactions(request.user).select_related("client"), pk)
    if not services.may_modify(request.user, interaction):
        raise PermissionDenied(_("Only the author can change this interaction."))
    return interaction


@login_required
@permission_required("crm.change_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_edit(request, pk):
    interaction = _own_interaction(request, pk)
    client = interaction.client
    form = InteractionForm(request.POST or None, user=request.user, client=client, interaction=interaction,
                           initial=InteractionForm.initial_for(interaction))
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_interaction, interaction, by=request.user,
                         **form.service_values()) is not None:
            return redirect(f"{reverse('parties:client-detail', args=[client.pk])}#timeline")
    return render(request, "crm/timeline_interaction_form.html",
                  {"client": client, "form": form, "interaction": interaction},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("crm.change_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_delete(request, pk):
    interaction = _own_interaction(request, pk)
    client = interaction.client
    form = forms.Form(request.POST or None)
    if request.method == "POST":
        call_service(form, services.delete_interaction, interaction, by=request.user)
        if not form.errors:
            return redirect(f"{reverse('parties:client-detail', args=[client.pk])}#timeline")
    return render(request, "crm/timeline_interaction_delete.html",
                  {"client": client, "interaction": interaction, "form": form},
                  status=400 if form.errors else 200)


@login_required
@permission_required("crm.view_interaction", raise_exception=True)
def interaction_list(request):
    """Interactions of the clients the user may see, filtered by type, author and days."""
    form = InteractionFilterForm(request.GET or None)
    qs = services.filter_interactions(visible_interactions(request.user), **form.filters())
    page = DeferredJoinPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "crm/interaction_list.html",
                  {"form": form, "page_obj": page, "interactions": page.object_list, "query": query.urlencode()})


urlpatterns = [
    path("interactions/", interaction_list, name="interaction-list"),
    path("clients/<int:client_pk>/timeline/", client_timeline, name="client-timeline"),
    path("clients/<int:client_pk>/interactions/new/", interaction_create, name="interaction-create"),
    path("interactions/<int:pk>/edit/", interaction_edit, name="interaction-edit"),
    path("interactions/<int:pk>/delete/", interaction_delete, name="interaction-delete"),
]
