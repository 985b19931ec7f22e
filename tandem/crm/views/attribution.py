"""Marketing pages: campaigns, marketing events with attendees, and the attribution report.

Thin: forms check shape, crm.services.attribution applies the rules, crm.reports_attribution counts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service, offer_active
from tandem.core.models import ArchiveQuerySet, User
from tandem.crm.models import Campaign, EventAttendee, MarketingEvent
from tandem.crm.reports_attribution import GROUPS, attribution_report
from tandem.crm.services import attribution as services
from tandem.crm.visibility import get_visible, visible_deals, visible_leads
from tandem.parties.models import Client, Source
from tandem.parties.queries import visible_clients


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _label(model, name):
    return model._meta.get_field(name).verbose_name


class CampaignForm(forms.Form):
    name = forms.CharField(label=_label(Campaign, "name"), max_length=200)
    source = forms.ModelChoiceField(label=_label(Campaign, "source"), required=False,
                                    queryset=Source.objects.active())
    starts_on = forms.DateField(label=_label(Campaign, "starts_on"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_label(Campaign, "ends_on"), required=False, widget=DateInput)
    cost = forms.DecimalField(label=_label(Campaign, "cost"), required=False, min_value=0, max_digits=18,
                              decimal_places=4)
    currency = forms.CharField(label=_label(Campaign, "currency"), max_length=3, required=False)

    @classmethod
    def initial_for(cls, obj) -> dict:
        return {name: getattr(obj, name) for name in cls.base_fields}


class EventForm(forms.Form):
    name = forms.CharField(label=_label(MarketingEvent, "name"), max_length=200)
    kind = forms.ChoiceField(label=_label(MarketingEvent, "kind"), choices=MarketingEvent.Kind.choices)
    starts_on = forms.DateField(label=_label(MarketingEvent, "starts_on"), widget=DateInput)
    ends_on = forms.DateField(label=_label(MarketingEvent, "ends_on"), required=False, widget=DateInput)
    location = forms.CharField(label=_label(MarketingEvent, "location"), max_length=200, required=False)
    cost = forms.DecimalField(label=_label(MarketingEvent, "cost"), required=False, min_value=0, max_digits=18,
                              decimal_places=4)
    currency = forms.CharField(label=_label(MarketingEvent, "currency"), max_length=3, required=False)
    responsible = forms.ModelChoiceField(label=_label(MarketingEvent, "responsible"), required=False,
                                         queryset=User.objects.filter(is_active=True))
    campaign = forms.ModelChoiceField(label=_label(MarketingEvent, "campaign"), required=False,
                                      queryset=Campaign.objects.active())
    source = forms.ModelChoiceField(label=_label(MarketingEvent, "source"), required=False,
                                    queryset=Source.objects.active())

    @classmethod
    def initial_for(cls, obj) -> dict:
        return {name: getattr(obj, name) for name in cls.base_fields}


class AttendeeForm(forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("Client"), required=False, queryset=Client.objects.none())
    lead = forms.ModelChoiceField(label=gettext_lazy("Lead"), required=False, queryset=Client.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).active().order_by("search_name", "id")
        self.fields["lead"].queryset = visible_leads(user).order_by("name", "id")


class ReportForm(forms.Form):
    group = forms.ChoiceField(label=gettext_lazy("Group by"), required=False, choices=[
        ("source", gettext_lazy("Source")), ("campaign", gettext_lazy("Campaign")),
        ("event", gettext_lazy("Marketing event"))])
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)




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
    campaign = get_visible(Campaign.objects.select_related("source"), pk)
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
    campaign = get_visible(Campaign.objects.all(), pk)
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
    campaign = get_visible(Campaign.objects.all(), pk)
    return _set_archived(request, campaign, services.archive_campaign, _("Campaign “%(name)s” archived."))


@login_required
@permission_required("crm.change_campaign", raise_exception=True)
@require_POST
def campaign_restore(request, pk):
    campaign = get_visible(Campaign.objects.all(), pk)
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
    event = get_visible(MarketingEvent.objects.select_related("campaign", "source", "responsible"), pk)
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
    event = get_visible(MarketingEvent.objects.all(), pk)
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
    event = get_visible(MarketingEvent.objects.all(), pk)
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
    event = get_visible(MarketingEvent.objects.all(), pk)
    attendee = get_visible(EventAttendee.objects.filter(event=event), attendee_pk)
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
