"""Marketing pages: campaigns, marketing events with attendees, and the attribution report.

Thin: forms check shape, crm.services.attribution applies the rules, crm.reports.attribution counts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service, offer_active
from tandem.core.models import ArchiveQuerySet
from tandem.core.references import resolve_visible
from tandem.crm.forms.attribution import AttendeeForm, CampaignForm, EventForm, ReportForm
from tandem.crm.models import Campaign, EventAttendee, MarketingEvent
from tandem.crm.queries.visibility import visible_deals, visible_leads
from tandem.crm.reports.attribution import GROUPS, attribution_report
from tandem.crm.services import attribution as services
from tandem.parties.queries import visible_clients


def _values(form) -> dict:
    data = dict(form.cleaned_data)
    if data.get("cost") is None:
        data["cost"] = 0
    return data


def _render_form(request, template_context, form):
    template = "crm/campaign_form.html" if template_context["back"] == "crm:campaign-list" else "crm/event_form.html"
    return render(request, template, {**template_context, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# --- Campaigns --------------------------------------------------------------------------------------

@login_required
@permission_required("crm.view_campaign", raise_exception=True)
def campaign_list(request):
    archived = request.GET.get("archived", "false")
    archived = archived if archived in ArchiveQuerySet.STATES else "false"
    campaigns = (Campaign.objects.in_archive_state(archived).select_related("source")
                 .annotate(lead_count=Count("leads", distinct=True)))
    return render(request, "crm/campaign_list.html", {"campaigns": campaigns, "archived": archived})


@login_required
@permission_required("crm.view_campaign", raise_exception=True)
def campaign_detail(request, pk):
    campaign = resolve_visible(Campaign.objects.select_related("source"), pk)
    return render(request, "crm/campaign_detail.html", {
        "campaign": campaign, "events": campaign.events.all(),
        "leads": visible_leads(request.user).filter(campaign=campaign).select_related("owner")[:100],
    })


@login_required
@permission_required("crm.add_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = call_service(form, services.create_campaign, by=request.user, **_values(form))
        if campaign is not None:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign})
            return redirect("crm:campaign-detail", pk=campaign.pk)
    return _render_form(request, {"title": _("New campaign"), "back": "crm:campaign-list"}, form)


@login_required
@permission_required("crm.change_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = resolve_visible(Campaign.objects.all(), pk)
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_for(campaign))
    offer_active(form.fields["source"], campaign.source_id)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_campaign, campaign, by=request.user, **_values(form)) is not None:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("crm:campaign-detail", pk=campaign.pk)
    return _render_form(request, {"title": _("Edit campaign %(name)s") % {"name": campaign},
                                  "back": "crm:campaign-list"}, form)


def _set_archived(request, campaign, service, message):
    try:
        service(campaign, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message % {"name": campaign})
    return redirect("crm:campaign-detail", pk=campaign.pk)


@login_required
@permission_required("crm.change_campaign", raise_exception=True)
@require_POST
def campaign_archive(request, pk):
    campaign = resolve_visible(Campaign.objects.all(), pk)
    return _set_archived(request, campaign, services.archive_campaign, _("Campaign “%(name)s” archived."))


@login_required
@permission_required("crm.change_campaign", raise_exception=True)
@require_POST
def campaign_restore(request, pk):
    campaign = resolve_visible(Campaign.objects.all(), pk)
    return _set_archived(request, campaign, services.restore_campaign, _("Campaign “%(name)s” restored."))


# --- Events -----------------------------------------------------------------------------------------

@login_required
@permission_required("crm.view_marketingevent", raise_exception=True)
def event_list(request):
    events = MarketingEvent.objects.select_related("campaign", "responsible").annotate(
        attendee_count=Count("attendees", distinct=True))
    return render(request, "crm/event_list.html", {"events": events})


@login_required
@permission_required("crm.view_marketingevent", raise_exception=True)
def event_detail(request, pk):
    event = resolve_visible(MarketingEvent.objects.select_related("campaign", "source", "responsible"), pk)
    clients = visible_clients(request.user).values("pk")
    leads = visible_leads(request.user).values("pk")
    attendees = (EventAttendee.objects.filter(event=event, client__in=clients)
                 | EventAttendee.objects.filter(event=event, lead__in=leads)).select_related("client", "lead")
    return render(request, "crm/event_detail.html", {
        "event": event, "attendees": attendees.order_by("created_at", "id"),
        "attendee_form": AttendeeForm(user=request.user),
    })


@login_required
@permission_required("crm.add_marketingevent", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_create(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = call_service(form, services.create_event, by=request.user, **_values(form))
        if event is not None:
            messages.success(request, _("Event “%(name)s” created.") % {"name": event})
            return redirect("crm:event-detail", pk=event.pk)
    return _render_form(request, {"title": _("New marketing event"), "back": "crm:event-list"}, form)


@login_required
@permission_required("crm.change_marketingevent", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = resolve_visible(MarketingEvent.objects.all(), pk)
    form = EventForm(request.POST or None, initial=EventForm.initial_for(event))
    offer_active(form.fields["source"], event.source_id)
    offer_active(form.fields["campaign"], event.campaign_id)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_event, event, by=request.user, **_values(form)) is not None:
            messages.success(request, _("Event “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("crm:event-detail", pk=event.pk)
    return _render_form(request, {"title": _("Edit event %(name)s") % {"name": event}, "back": "crm:event-list"},
                        form)


@login_required
@permission_required("crm.add_eventattendee", raise_exception=True)
@require_POST
def event_attendee_add(request, pk):
    event = resolve_visible(MarketingEvent.objects.all(), pk)
    form = AttendeeForm(request.POST, user=request.user)
    if form.is_valid():
        call_service(form, services.add_attendee, event, by=request.user, client=form.cleaned_data["client"],
              lead=form.cleaned_data["lead"])
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Attendee added."))
    return redirect("crm:event-detail", pk=event.pk)


@login_required
@permission_required("crm.delete_eventattendee", raise_exception=True)
@require_POST
def event_attendee_remove(request, pk, attendee_pk):
    event = resolve_visible(MarketingEvent.objects.all(), pk)
    attendee = resolve_visible(EventAttendee.objects.filter(event=event), attendee_pk)
    form = forms.Form()
    call_service(form, services.remove_attendee, attendee, by=request.user)
    if form.errors:
        messages.error(request, form.non_field_errors()[0])
    else:
        messages.success(request, _("Attendee removed."))
    return redirect("crm:event-detail", pk=event.pk)


# --- Report -----------------------------------------------------------------------------------------

@login_required
@permission_required("crm.view_campaign", raise_exception=True)
def report_attribution(request):
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    group = data.get("group") or "source"
    group = group if group in GROUPS else "source"
    rows = attribution_report(group, date_from=data.get("date_from"), date_to=data.get("date_to"),
                              leads=visible_leads(request.user), deals=visible_deals(request.user),
                              unattributed_label=_("Not attributed"))
    return render(request, "crm/report_attribution.html", {"form": form, "rows": rows, "group": group})


urlpatterns = [
    path("marketing/", campaign_list, name="campaign-list"),
    path("marketing/campaigns/new/", campaign_create, name="campaign-create"),
    path("marketing/campaigns/<int:pk>/", campaign_detail, name="campaign-detail"),
    path("marketing/campaigns/<int:pk>/edit/", campaign_edit, name="campaign-edit"),
    path("marketing/campaigns/<int:pk>/archive/", campaign_archive, name="campaign-archive"),
    path("marketing/campaigns/<int:pk>/restore/", campaign_restore, name="campaign-restore"),
    path("marketing/events/", event_list, name="event-list"),
    path("marketing/events/new/", event_create, name="event-create"),
    path("marketing/events/<int:pk>/", event_detail, name="event-detail"),
    path("marketing/events/<int:pk>/edit/", event_edit, name="event-edit"),
    path("marketing/events/<int:pk>/attendees/add/", event_attendee_add, name="event-attendee-add"),
    path("marketing/events/<int:pk>/attendees/<int:attendee_pk>/remove/", event_attendee_remove,
         name="event-attendee-remove"),
    path("marketing/report/", report_attribution, name="report-attribution"),
]
