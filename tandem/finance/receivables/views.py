"""Pages of receivables (thin: parse, call one service or query, render) and the panels finance adds to the
client card and the deal page (through the `client_card_panels` / `deal_page_panels` hooks)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import modules
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.money import NoExchangeRate
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import sales_users
from tandem.core.references import resolve_visible
from tandem.finance import queries as finance_queries
from tandem.finance.models import DunningReminder
from tandem.finance.receivables import queries, reports, services
from tandem.finance.receivables.forms import (
    AgingForm,
    CreditLimitForm,
    CreditPolicyForm,
    DunningLevelForm,
    DunningRunForm,
    OverdueForm,
)
from tandem.parties.queries import visible_clients

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _company():
    return finance_queries.company_for()


def _aging_form(request) -> AgingForm:
    data = {"date": timezone.localdate().isoformat(), "side": "receivable", "group": "client"}
    data.update({key: request.GET[key] for key in data if key in request.GET})
    return AgingForm(data)


def _aging_report(request, form):
    data = form.cleaned_data
    return queries.aging(_company(), data["date"], side=data["side"], group=data["group"], user=request.user)


@login_required
@permission_required("finance.view_receivables", raise_exception=True)
def aging(request):
    form = _aging_form(request)
    report = _aging_report(request, form) if form.is_valid() else None
    return render(request, "finance/aging.html", {"form": form, "report": report, "query": request.GET.urlencode()},
                  status=200 if form.is_valid() else 400)


@login_required
@permission_required("finance.view_receivables", raise_exception=True)
def aging_export(request):
    form = _aging_form(request)
    if not form.is_valid():
        return render(request, "finance/aging.html", {"form": form, "report": None}, status=400)
    report = _aging_report(request, form)
    response = HttpResponse(reports.aging_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="aging-{report.side}-{report.on}.xlsx"'
    return response


@login_required
@permission_required("finance.view_receivables", raise_exception=True)
def overdue_list(request):
    data = {"date": timezone.localdate().isoformat(), "q": "", "owner": "", "min_days": "1"}
    data.update({key: request.GET[key] for key in data if key in request.GET})
    form = OverdueForm(data, owners=sales_users().order_by("first_name", "last_name", "username"))
    page = invoices = None
    if form.is_valid():
        on = form.cleaned_data["date"]
        qs = queries.overdue_invoices(_company(), on, user=request.user, owner_id=form.cleaned_data["owner"],
                                      min_days=form.cleaned_data["min_days"])
        if form.cleaned_data["q"]:
            qs = qs.filter(client__name__icontains=form.cleaned_data["q"])
        page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        invoices = queries.with_days_overdue(page.object_list, on)
    return render(request, "finance/overdue_list.html", {"form": form, "page_obj": page, "invoices": invoices},
                  status=200 if form.is_valid() else 400)


@login_required
@permission_required("finance.view_receivables", raise_exception=True)
def payment_history(request):
    client = None
    if request.GET.get("client", "").isdigit():
        client = resolve_visible(visible_clients(request.user), int(request.GET["client"]))
    rows = queries.payment_history(_company(), user=request.user, client_id=client.pk if client else None)
    return render(request, "finance/payment_history.html", {"rows": rows, "client": client})


# --- Dunning ------------------------------------------------------------------------------------------------

def _dunning_context(request, **forms) -> dict:
    company = _company()
    reminders = queries.reminders(company, user=request.user)
    return {"levels": queries.dunning_levels(company), "reminders": list(reminders[:100]),
            "proposed": reminders.filter(status=DunningReminder.Status.PROPOSED).count(),
            "level_form": forms.get("level_form") or DunningLevelForm(),
            "run_form": forms.get("run_form") or DunningRunForm(initial={"date": timezone.localdate()}),
            "policy_form": CreditPolicyForm(initial={"mode": queries.credit_policy(company)})}


@login_required
@permission_required("finance.view_dunningreminder", raise_exception=True)
def dunning_list(request):
    return render(request, "finance/dunning.html", _dunning_context(request))


@login_required
@permission_required("finance.add_dunninglevel", raise_exception=True)
@require_POST
def dunning_level_create(request):
    form = DunningLevelForm(request.POST)
    if form.is_valid():
        level = call_service(form, services.create_dunning_level, _company(), by=request.user, **form.cleaned_data)
        if level is not None:
            messages.success(request, _("Dunning level %(name)s added.") % {"name": level.name})
            return redirect("finance:dunning-list")
    return render(request, "finance/dunning.html", _dunning_context(request, level_form=form), status=400)


@login_required
@permission_required("finance.run_dunning", raise_exception=True)
@require_POST
def dunning_run(request):
    form = DunningRunForm(request.POST)
    if form.is_valid():
        created = call_service(form, services.run_dunning, _company(), form.cleaned_data["date"], by=request.user,
                               send=form.cleaned_data["send"])
        if created is not None:
            messages.success(request, _("%(count)s reminders made.") % {"count": len(created)})
            return redirect("finance:dunning-list")
    return render(request, "finance/dunning.html", _dunning_context(request, run_form=form), status=400)


@login_required
@permission_required("finance.run_dunning", raise_exception=True)
@require_POST
def dunning_send(request):
    proposed = list(queries.reminders(_company(), user=request.user, status=DunningReminder.Status.PROPOSED))
    sent = services.send_reminders(proposed, by=request.user)
    messages.success(request, _("%(count)s reminders sent.") % {"count": sent})
    return redirect("finance:dunning-list")


@login_required
@permission_required("finance.change_creditpolicy", raise_exception=True)
@require_POST
def credit_policy_change(request):
    form = CreditPolicyForm(request.POST)
    if form.is_valid():
        services.set_credit_policy(_company(), form.cleaned_data["mode"], by=request.user)
        messages.success(request, _("Credit policy saved."))
    return redirect("finance:dunning-list")


# --- Credit limit on the client card ------------------------------------------------------------------------

@login_required
@permission_required("finance.change_creditlimit", raise_exception=True)
@require_POST
def client_credit_change(request, client_pk: int):
    client = resolve_visible(visible_clients(request.user), client_pk)
    form = CreditLimitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["amount"] is None:
                services.remove_credit_limit(client, by=request.user)
            else:
                services.set_credit_limit(client, by=request.user, amount=data["amount"], currency=data["currency"],
                                          max_overdue=data["max_overdue"], max_days_overdue=data["max_days_overdue"],
                                          expected_version=data["version"])
        except AccessDenied:
            raise
        except BusinessRuleError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Credit limit saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("parties:client-detail", pk=client.pk)


def exposure_html(request, client, *, with_form: bool = False) -> str | None:
    """The balance, overdue and limit of a client as `request.user` may see them; None when they may not (or
    finance is switched off)."""
    if "finance" not in modules.enabled_module_keys():
        return None
    try:
        exposure = queries.exposure_for(request.user, client)
    except NoExchangeRate as missing:
        return render_to_string("finance/partials/_exposure.html", {"client": client, "missing": missing.message},
                                request=request)
    if exposure is None:
        return None
    form = None
    if with_form and request.user.has_perm("finance.change_creditlimit") and not client.is_archived:
        limit = exposure.limit
        form = CreditLimitForm(initial={
            "amount": limit.amount if limit else None, "currency": limit.currency if limit else None,
            "max_overdue": limit.max_overdue if limit else None,
            "max_days_overdue": limit.max_days_overdue if limit else None, "version": limit.version if limit else None,
        } if limit else None)
    return render_to_string("finance/partials/_exposure.html", {"client": client, "exposure": exposure, "form": form},
                            request=request)


def client_card_panels(request, client) -> list[dict]:
    html = exposure_html(request, client, with_form=True)
    if html is None:
        return []
    return [{"id": "credit", "title": _("Balance and credit limit"), "count": None, "open": True, "html": html}]


def deal_page_panels(request, deal) -> list[dict]:
    html = exposure_html(request, deal.client)
    return [] if html is None else [{"id": "credit", "title": _("Balance and credit limit"), "html": html}]


urlpatterns = [
    path("receivables/aging/", aging, name="aging"),
    path("receivables/aging/export/", aging_export, name="aging-export"),
    path("receivables/overdue/", overdue_list, name="overdue-list"),
    path("receivables/payments/", payment_history, name="payment-history"),
    path("receivables/dunning/", dunning_list, name="dunning-list"),
    path("receivables/dunning/levels/new/", dunning_level_create, name="dunning-level-create"),
    path("receivables/dunning/run/", dunning_run, name="dunning-run"),
    path("receivables/dunning/send/", dunning_send, name="dunning-send"),
    path("receivables/credit-policy/", credit_policy_change, name="credit-policy-change"),
    path("receivables/clients/<int:client_pk>/credit/", client_credit_change, name="client-credit-change"),
]
