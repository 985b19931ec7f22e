"""Pages for leads: list, create, edit, card, qualify (link or create a client, open a deal), disqualify, reopen.

Thin: forms check shape, crm.services.leads applies the rules, records are read under crm.visibility."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.audit import history_for
from tandem.core.forms import call_service, offer_active
from tandem.core.models import User
from tandem.core.pagination import DeferredJoinPaginator
from tandem.crm.models import Campaign, Deal, Lead, MarketingEvent, Pipeline
from tandem.crm.queries_leads import filter_leads
from tandem.crm.services import leads as services
from tandem.crm.visibility import get_visible, visible_leads
from tandem.parties.models import Client, Source
from tandem.parties.queries import visible_clients

LEADS_PER_PAGE = 50


def _label(name):
    return Lead._meta.get_field(name).verbose_name


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("Name, company, email, phone")}))
    status = forms.ChoiceField(label=_label("status"), required=False,
                               choices=[("", gettext_lazy("All statuses")), *Lead.Status.choices])
    source = forms.ModelChoiceField(label=_label("source"), required=False, queryset=Source.objects.all(),
                                    empty_label=gettext_lazy("All sources"))
    campaign = forms.ModelChoiceField(label=_label("campaign"), required=False, queryset=Campaign.objects.all(),
                                      empty_label=gettext_lazy("All campaigns"))
    event = forms.ModelChoiceField(label=_label("event"), required=False, queryset=MarketingEvent.objects.all(),
                                   empty_label=gettext_lazy("All events"))

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q", ""), "status": data.get("status", ""),
            "source_id": getattr(data.get("source"), "pk", None),
            "campaign_id": getattr(data.get("campaign"), "pk", None),
            "event_id": getattr(data.get("event"), "pk", None),
        }


class LeadForm(forms.Form):
    name = forms.CharField(label=_label("name"), max_length=200)
    company_name = forms.CharField(label=_label("company_name"), max_length=200, required=False)
    email = forms.EmailField(label=_label("email"), required=False)
    phone = forms.CharField(label=_label("phone"), max_length=40, required=False,
                            help_text=gettext_lazy("International format, e.g. +49 30 123456"))
    owner = forms.ModelChoiceField(label=_label("owner"), queryset=User.objects.none())
    source = forms.ModelChoiceField(label=_label("source"), required=False,
                                    queryset=Source.objects.active())
    campaign = forms.ModelChoiceField(label=_label("campaign"), required=False,
                                      queryset=Campaign.objects.active())
    event = forms.ModelChoiceField(label=_label("event"), required=False, queryset=MarketingEvent.objects.all())
    notes = forms.CharField(label=_label("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user.has_perm("crm.view_all_leads"):
            self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("first_name", "username")
        else:
            self.fields["owner"].queryset = User.objects.filter(pk=user.pk)
        self.fields["owner"].initial = lead.owner_id if lead else user.pk
        if lead is not None:
            for name in ("name", "company_name", "email", "phone", "notes"):
                self.fields[name].initial = getattr(lead, name)
            for name in ("source", "campaign", "event"):
                self.fields[name].initial = getattr(lead, f"{name}_id")
        # Archived sources and campaigns are not offered, except the one the lead already names.
        self.fields["source"].queryset = Source.objects.all()
        self.fields["campaign"].queryset = Campaign.objects.all()
        for name in ("source", "campaign"):
            offer_active(self.fields[name], getattr(lead, f"{name}_id") if lead else None)

    def service_values(self) -> dict:
        return dict(self.cleaned_data)


class QualifyForm(forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("Link to existing client"), required=False,
                                    queryset=Client.objects.none(),
                                    help_text=gettext_lazy("Leave empty to create a new client from the lead."))
    create_client = forms.BooleanField(
        label=gettext_lazy("Create a new client anyway: I checked the clients above and none is this lead"),
        required=False)
    deal_title = forms.CharField(label=gettext_lazy("Deal title"), max_length=200, required=False)
    amount = forms.DecimalField(label=Deal._meta.get_field("amount").verbose_name, required=False, min_value=0,
                                max_digits=18, decimal_places=4)
    currency = forms.CharField(label=Deal._meta.get_field("currency").verbose_name, required=False, max_length=3)
    pipeline = forms.ModelChoiceField(label=Deal._meta.get_field("pipeline").verbose_name, required=False,
                                      queryset=Pipeline.objects.active())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = visible_clients(user).active().order_by("search_name", "id")


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_label("disqualify_reason"), widget=forms.Textarea(attrs={"rows": 3}))




def _lead(request, pk) -> Lead:
    return get_visible(visible_leads(request.user).select_related(
        "owner", "source", "campaign", "event", "client", "deal"), pk)


@login_required
@permission_required("crm.view_lead", raise_exception=True)
def lead_list(request):
    form = LeadFilterForm(request.GET or None)
    leads = filter_leads(visible_leads(request.user), **form.filters())
    page = DeferredJoinPaginator(leads, LEADS_PER_PAGE).get_page(request.GET.get("page"))
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
        "history": list(history_for(lead)[:100]),
        "client_url": reverse("parties:client-detail", args=[lead.client_id])
        if lead.client_id and visible_clients(request.user).filter(pk=lead.client_id).exists() else None,
    }
    return render(request, "crm/lead_detail.html", context)


def _duplicates_shown(user, refusal):
    if refusal is None or refusal.code != "duplicate":
        return None
    duplicates = refusal.extra.get("duplicates", [])
    visible = set(visible_clients(user).filter(pk__in=[d["client_id"] for d in duplicates])
                  .values_list("pk", flat=True))
    return [{**d, "visible": d["client_id"] in visible,
             "url": reverse("parties:client-detail", args=[d["client_id"]]) if d["client_id"] in visible else None}
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
