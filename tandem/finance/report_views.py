"""Pages of the financial reports and budgets (thin: parse the range, call one report, render or export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.core import limits
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.finance import budgets as budget_services
from tandem.finance import queries
from tandem.finance.forms import BudgetForm, RangeForm
from tandem.finance.models import Account, Budget, BudgetLine, Period
from tandem.finance.reports import budgets as budget_reports
from tandem.finance.reports import cash_flow, forecast, statements, xlsx
from tandem.finance.reports import tax as tax_reports

REPORTS = [
    ("profit-and-loss", gettext_lazy("Profit and loss"),
     gettext_lazy("Income and expenses of a range, by group, with the net result.")),
    ("balance-sheet", gettext_lazy("Balance sheet"),
     gettext_lazy("Assets, liabilities and equity at the end of a range.")),
    ("cash-flow", gettext_lazy("Cash flow"),
     gettext_lazy("Cash in and out by activity, with opening and closing cash.")),
    ("tax", gettext_lazy("Tax report"),
     gettext_lazy("Output and input tax per rate, the net payable and the tie-out with the tax accounts.")),
    ("budget-vs-actual", gettext_lazy("Budget against actual"),
     gettext_lazy("Budgeted and booked amounts per account and month.")),
    ("cash-forecast", gettext_lazy("Cash forecast"),
     gettext_lazy("Expected cash by week: open invoices, bills and orders.")),
]
TITLES = {key: title for key, title, _d in REPORTS}


def _company():
    return queries.company_for()


def _range(request) -> RangeForm:
    start, end = queries.default_range(timezone.localdate())
    data = {"date_from": start.isoformat(), "date_to": end.isoformat(), "compare": ""}
    data.update({key: request.GET[key] for key in data if key in request.GET})
    return RangeForm(data)


def _statement(kind, company, data):
    build = {"profit-and-loss": statements.profit_and_loss, "balance-sheet": statements.balance_sheet,
             "cash-flow": cash_flow.cash_flow}[kind]
    return build(company, data["date_from"], data["date_to"], compare=data.get("compare") or "")


def _ranged_report(request, kind, export: bool):
    form = _range(request)
    if not form.is_valid():
        return render(request, "finance/reports/statement.html", {"form": form, "report": None, "kind": kind,
                                                                  "title": TITLES[kind], "reports": REPORTS},
                      status=400)
    data = form.cleaned_data
    report = _statement(kind, _company(), data)
    if export:
        rows = (xlsx.cash_flow_rows(report) if kind == "cash-flow"
                else xlsx.statement_rows(report, str(TITLES[kind])))
        return xlsx.xlsx_response(f"{kind}-{data['date_from']}-{data['date_to']}.xlsx", str(TITLES[kind]), rows)
    template = "finance/reports/cash_flow.html" if kind == "cash-flow" else "finance/reports/statement.html"
    return render(request, template, {"form": form, "report": report, "kind": kind, "title": TITLES[kind],
                                      "reports": REPORTS, "query": request.GET.urlencode()})


def _report_view(kind, export=False):
    @login_required
    @permission_required("finance.view_account", raise_exception=True)
    def view(request):
        return _ranged_report(request, kind, export)
    view.__name__ = f"{kind.replace('-', '_')}{'_export' if export else ''}"
    return view


@login_required
@permission_required("finance.view_account", raise_exception=True)
def report_list(request):
    return render(request, "finance/reports/index.html", {"reports": REPORTS})


# --- Tax report ---------------------------------------------------------------------------------------------

def _tax_report(request, export: bool):
    form = _range(request)
    context = {"form": form, "report": None, "kind": "tax", "title": TITLES["tax"], "reports": REPORTS,
               "query": request.GET.urlencode()}
    if not form.is_valid():
        if export:
            return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                                content_type="text/plain; charset=utf-8")
        return render(request, "finance/reports/tax.html", context, status=400)
    data = form.cleaned_data
    report = tax_reports.tax_report(_company(), data["date_from"], data["date_to"], compare=data.get("compare") or "")
    if export:
        return xlsx.xlsx_response(f"tax-{data['date_from']}-{data['date_to']}.xlsx", str(TITLES["tax"]),
                                  xlsx.tax_rows(report))
    return render(request, "finance/reports/tax.html", {**context, "report": report})


@login_required
@permission_required("finance.view_account", raise_exception=True)
def tax_report(request):
    return _tax_report(request, export=False)


@login_required
@permission_required("finance.view_account", raise_exception=True)
def tax_report_export(request):
    return _tax_report(request, export=True)


# --- Budget against actual ----------------------------------------------------------------------------------

def _chosen_budget(request, company):
    budgets = list(Budget.objects.filter(company=company).select_related("fiscal_year", "company"))
    wanted = request.GET.get("budget", "")
    chosen = next((b for b in budgets if limits.is_id(wanted) and b.pk == int(wanted)), None)
    if chosen is None and budgets:
        today = timezone.localdate()
        chosen = next((b for b in budgets if b.fiscal_year.start_date <= today <= b.fiscal_year.end_date),
                      budgets[0])
    return budgets, chosen


@login_required
@permission_required("finance.view_budget", raise_exception=True)
def budget_vs_actual(request):
    budgets, chosen = _chosen_budget(request, _company())
    report = budget_reports.budget_vs_actual(chosen) if chosen else None
    return render(request, "finance/reports/budget_vs_actual.html", {
        "budgets": budgets, "chosen": chosen, "report": report, "title": TITLES["budget-vs-actual"],
        "reports": REPORTS, "kind": "budget-vs-actual", "query": request.GET.urlencode()})


@login_required
@permission_required("finance.view_budget", raise_exception=True)
def budget_vs_actual_export(request):
    _budgets, chosen = _chosen_budget(request, _company())
    if chosen is None:
        raise Http404(_("There is no budget yet."))
    report = budget_reports.budget_vs_actual(chosen)
    return xlsx.xlsx_response(f"budget-{chosen.pk}.xlsx", str(TITLES["budget-vs-actual"]), xlsx.budget_rows(report))


# --- Cash forecast ------------------------------------------------------------------------------------------

def _weeks(request) -> int:
    value = request.GET.get("weeks", "13")
    return max(1, min(int(value), forecast.MAX_WEEKS)) if value.isascii() and value.isdigit() and len(value) < 4 else 13


@login_required
@permission_required("finance.view_account", raise_exception=True)
def cash_forecast(request):
    report = forecast.cash_forecast(_company(), today=timezone.localdate(), weeks=_weeks(request))
    return render(request, "finance/reports/cash_forecast.html", {
        "report": report, "weeks": len(report.weeks), "title": TITLES["cash-forecast"], "reports": REPORTS,
        "kind": "cash-forecast", "query": request.GET.urlencode()})


@login_required
@permission_required("finance.view_account", raise_exception=True)
def cash_forecast_export(request):
    report = forecast.cash_forecast(_company(), today=timezone.localdate(), weeks=_weeks(request))
    return xlsx.xlsx_response(f"cash-forecast-{report.today}.xlsx", str(TITLES["cash-forecast"]),
                              xlsx.forecast_rows(report))


# --- Journal lines export -----------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_entry", raise_exception=True)
def lines_export(request):
    form = _range(request)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    account = request.GET.get("account", "")
    rows = xlsx.journal_lines_rows(_company(), data["date_from"], data["date_to"],
                                   account_id=int(account) if limits.is_id(account) else None)
    return xlsx.xlsx_response(f"journal-lines-{data['date_from']}-{data['date_to']}.xlsx", _("Journal lines"), rows)


# --- Budgets ------------------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_budget", raise_exception=True)
def budget_list(request):
    company = _company()
    budgets = Budget.objects.filter(company=company).select_related("fiscal_year")
    return render(request, "finance/budgets/list.html", {"budgets": budgets, "form": BudgetForm(company=company)})


@login_required
@permission_required("finance.add_budget", raise_exception=True)
@require_POST
def budget_create(request):
    company = _company()
    form = BudgetForm(request.POST, company=company)
    if form.is_valid():
        budget = call_service(form, budget_services.create_budget, company, by=request.user,
                              fiscal_year=form.cleaned_data["fiscal_year"], name=form.cleaned_data["name"])
        if budget is not None:
            messages.success(request, _("Budget %(budget)s created.") % {"budget": budget})
            return redirect("finance:budget-detail", budget.pk)
    budgets = Budget.objects.filter(company=company).select_related("fiscal_year")
    return render(request, "finance/budgets/list.html", {"budgets": budgets, "form": form}, status=400)


def _budget(pk) -> Budget:
    budget = Budget.objects.filter(company=_company(), pk=pk).select_related("fiscal_year", "company").first()
    if budget is None:
        raise Http404(_("No such budget."))
    return budget


def budget_accounts(budget: Budget) -> list[Account]:
    """The grid's rows: income and expense accounts that are not groups, and any other account with amounts."""
    budgeted = BudgetLine.objects.filter(budget=budget).values("account_id")
    groups = Account.objects.filter(company_id=budget.company_id, parent__isnull=False).values("parent_id")
    return list(Account.objects.filter(company_id=budget.company_id).filter(
        Q(type__in=Account.PROFIT_AND_LOSS, is_archived=False) & ~Q(pk__in=groups) | Q(pk__in=budgeted))
        .order_by("code"))


@login_required
@permission_required("finance.view_budget", raise_exception=True)
def budget_detail(request, pk):
    """The grid: accounts × months of the budget's fiscal year; each cell saved on change (htmx)."""
    budget = _budget(pk)
    periods = list(Period.objects.filter(fiscal_year_id=budget.fiscal_year_id).order_by("start_date"))
    amounts = {(line.account_id, line.period_id): line.amount for line in BudgetLine.objects.filter(budget=budget)}
    rows = []
    for account in budget_accounts(budget):
        cells = [(period, amounts.get((account.pk, period.pk))) for period in periods]
        rows.append({"account": account, "cells": cells,
                     "total": sum((amount or 0 for _p, amount in cells), 0)})
    return render(request, "finance/budgets/detail.html", {
        "budget": budget, "periods": periods, "rows": rows,
        "can_edit": request.user.has_perm("finance.change_budget")})


@login_required
@permission_required("finance.change_budget", raise_exception=True)
@require_POST
def budget_edit(request, pk):
    """Save grid cells named cell-<account>-<period> (one from htmx on change, or all from the form)."""
    budget = _budget(pk)
    amounts = []
    for key, value in request.POST.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "cell" and parts[1].isdigit() and parts[2].isdigit():
            amounts.append({"account": int(parts[1]), "period": int(parts[2]), "amount": value})
    try:
        changed = budget_services.set_budget_amounts(budget, by=request.user, amounts=amounts)
        message, status = _("Saved (%(count)s changed).") % {"count": changed}, 200
    except AccessDenied:
        raise
    except BusinessRuleError as refusal:
        message, status = refusal.message, 400
    if request.htmx:
        # Answered 200 either way so htmx shows the words (a refusal as an alert).
        role = "status" if status == 200 else "alert"
        return HttpResponse(format_html('<span role="{}" id="budget-status">{}</span>', role, message))
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect("finance:budget-detail", budget.pk)


@login_required
@permission_required("finance.delete_budget", raise_exception=True)
@require_POST
def budget_delete(request, pk):
    budget = _budget(pk)
    budget_services.delete_budget(budget, by=request.user)
    messages.success(request, _("Budget deleted."))
    return redirect(reverse("finance:budget-list"))


urlpatterns = [
    path("reports/", report_list, name="report-list"),
    *[p for kind in ("profit-and-loss", "balance-sheet", "cash-flow") for p in (
        path(f"reports/{kind}/", _report_view(kind), name=f"report-{kind}"),
        path(f"reports/{kind}/export/", _report_view(kind, export=True), name=f"report-{kind}-export"))],
    path("reports/tax/", tax_report, name="report-tax"),
    path("reports/tax/export/", tax_report_export, name="report-tax-export"),
    path("reports/budget-vs-actual/", budget_vs_actual, name="report-budget-vs-actual"),
    path("reports/budget-vs-actual/export/", budget_vs_actual_export, name="report-budget-vs-actual-export"),
    path("reports/cash-forecast/", cash_forecast, name="report-cash-forecast"),
    path("reports/cash-forecast/export/", cash_forecast_export, name="report-cash-forecast-export"),
    path("reports/lines/export/", lines_export, name="report-lines-export"),
    path("budgets/", budget_list, name="budget-list"),
    path("budgets/new/", budget_create, name="budget-create"),
    path("budgets/<int:pk>/", budget_detail, name="budget-detail"),
    path("budgets/<int:pk>/edit/", budget_edit, name="budget-edit"),
    path("budgets/<int:pk>/delete/", budget_delete, name="budget-delete"),
]
