"""The CRM's part of the home page (manager or representative dashboard) and the sales targets page.

Thin: numbers come from crm.reports.dashboard, targets are written by crm.services.targets. Every number on
the dashboard links to the list that shows exactly the records it counts."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tandem.core.forms import call_service
from tandem.core.htmx import fragment, is_htmx
from tandem.core.models import User
from tandem.core.money import quantize
from tandem.crm.forms.targets import MonthForm, TargetForm
from tandem.crm.queries.targets import targets_of_month
from tandem.crm.reports import dashboard as report
from tandem.crm.services import targets as services


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _last_day(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def won_url(owner_id: int, month: datetime.date) -> str:
    return _url("crm:deal-list", owner=owner_id, won_from=month.isoformat(), won_to=_last_day(month).isoformat())


def open_deals_url(owner_id: int | None = None) -> str:
    return _url("crm:deal-list", status="open", owner=owner_id)


def moved_url(user_id: int, p: report.Periods) -> str:
    return _url("crm:deal-list", moved_by=user_id, moved_from=p.week.isoformat(),
                moved_to=(p.next_week - datetime.timedelta(days=1)).isoformat())


def interactions_url(user_id: int, kind: str, p: report.Periods) -> str:
    return _url("crm:interaction-list", author=user_id, kind=kind, occurred_from=p.week.isoformat(),
                occurred_to=(p.next_week - datetime.timedelta(days=1)).isoformat())


def overdue_url(assignee_id: int | None = None) -> str:
    return _url("crm:task-list", overdue="on", assignee=assignee_id)


def home_sections(request) -> list[dict]:
    """The dashboard section of the home page: the team's for a manager (crm.view_all_deals), else the user's."""
    user = request.user
    if not user.has_perm("crm.view_deal"):
        return []
    if report.is_manager(user):
        board = report.manager_dashboard(user)
        p = board.periods
        rows = [{
            "row": row,
            "won_url": won_url(row.user.pk, p.month),
            "won_last_url": won_url(row.user.pk, p.last_month),
            "moved_url": moved_url(row.user.pk, p),
            "calls_url": interactions_url(row.user.pk, "call", p),
            "meetings_url": interactions_url(row.user.pk, "meeting", p),
            "overdue_url": overdue_url(row.user.pk),
        } for row in board.reps]
        context = {"board": board, "rows": rows, "pipeline_url": open_deals_url(),
                   "targets_url": _url("crm:target-list", month=p.month.strftime("%Y-%m")),
                   "can_set_targets": user.has_perm("crm.change_salestarget")}
        template = "crm/partials/_home_manager.html"
    else:
        board = report.representative_dashboard(user)
        context = {"board": board, "pipeline_url": open_deals_url(user.pk),
                   "won_url": won_url(user.pk, board.periods.month), "overdue_url": overdue_url(user.pk),
                   "today_url": reverse("crm:my-day")}
        template = "crm/partials/_home_representative.html"
    return [{"id": "crm-dashboard", "html": render_to_string(template, context, request=request)}]


# --- Sales targets ------------------------------------------------------------------------------------

def _month(request) -> datetime.date:
    form = MonthForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["month"]:
        return form.cleaned_data["month"].replace(day=1)
    return report.periods().month


def _row_context(rep: User, month: datetime.date, target, form=None, saved=False, can_change=True) -> dict:
    amount = "" if target is None else str(quantize(target.amount, target.currency))
    if form is not None and form.is_bound:
        amount = form.data.get("amount", "")
    return {"rep": rep, "target": target, "month": month, "month_value": month.strftime("%Y-%m"),
            "form": form or TargetForm(), "amount_value": amount, "saved": saved, "can_change": can_change,
            "won_url": won_url(rep.pk, month)}


@login_required
@permission_required("crm.view_salestarget", raise_exception=True)
def target_list(request):
    month = _month(request)
    can_change = request.user.has_perm("crm.change_salestarget")
    rows = [_row_context(row["user"], month, row["target"], can_change=can_change)
            for row in targets_of_month(request.user, month)]
    return render(request, "crm/target_list.html", {
        "month": month, "month_form": MonthForm(initial={"month": month}), "rows": rows,
        "currency": report.base_currency(),
    })


@fragment
@login_required
@require_POST
@permission_required("crm.change_salestarget", raise_exception=True)
def target_edit(request, user_id: int, month: str):
    rep = get_object_or_404(User, pk=user_id, is_active=True)
    try:
        month_date = services.month_start(month)
    except Exception:  # noqa: BLE001 - a malformed month in the URL is a missing page
        raise Http404 from None
    form = TargetForm(request.POST)
    target = None
    if form.is_valid():
        amount = form.cleaned_data["amount"]
        current = rep.sales_targets.filter(month=month_date).first()
        if amount is None:
            if current is not None:
                call_service(form, services.delete_target, current, by=request.user)
            saved = not form.errors
        else:
            target = call_service(form, services.set_target, rep, month_date, amount, by=request.user)
            saved = target is not None
    else:
        saved = False
    if saved and not is_htmx(request):
        return redirect(f"{reverse('crm:target-list')}?month={month_date:%Y-%m}")
    if target is None:
        target = rep.sales_targets.filter(month=month_date).first()
    context = _row_context(rep, month_date, target, form=None if saved else form, saved=saved)
    status = 200 if saved else 400
    if is_htmx(request):
        return render(request, "crm/partials/_target_row.html", {"r": context}, status=status)
    return render(request, "crm/target_list.html", {
        "month": month_date, "month_form": MonthForm(initial={"month": month_date}), "rows": [context],
        "currency": report.base_currency()}, status=status)


urlpatterns = [
    path("targets/", target_list, name="target-list"),
    path("targets/<int:user_id>/<str:month>/", target_edit, name="target-edit"),
]
