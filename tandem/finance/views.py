"""Pages of the ledger (thin: parse, call one service or query, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.finance import queries, reports, services
from tandem.finance.forms import AccountForm, EntryForm, FiscalYearForm, RangeForm, ReopenForm
from tandem.finance.models import Account, Entry, FiscalYear, Period
from tandem.finance.reports.origins import origin_url

PER_PAGE = 50


def _company():
    return queries.company_for()


def _range(request) -> RangeForm:
    """The range asked for in the query string; the current month by default."""
    start, end = queries.default_range(timezone.localdate())
    data = {"date_from": start.isoformat(), "date_to": end.isoformat(), "compare": ""}
    data.update({key: request.GET[key] for key in data if key in request.GET})
    return RangeForm(data)


# --- Chart of accounts -------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_account", raise_exception=True)
def account_list(request):
    company = _company()
    archived = request.GET.get("archived", "false")
    accounts = queries.accounts(company, archived=archived, q=request.GET.get("q", "").strip()[:100])
    return render(request, "finance/account_list.html", {"accounts": accounts, "archived": archived,
                                                         "company": company})


@login_required
@permission_required("finance.add_account", raise_exception=True)
@require_POST
def account_install(request):
    created = services.install_chart_template(_company(), by=request.user)
    messages.success(request, _("%(count)s accounts created.") % {"count": created})
    return redirect("finance:account-list")


@login_required
@permission_required("finance.view_account", raise_exception=True)
def account_detail(request, pk):
    """The account's ledger: its lines in the range with the running balance."""
    account = resolve_visible(Account.objects.select_related("company"), pk)
    form = _range(request)
    ledger = page = rows = None
    if form.is_valid():
        ledger = queries.account_ledger(account, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        page = DeferredJoinPaginator(ledger.lines, PER_PAGE).get_page(request.GET.get("page"))
        rows = queries.with_running_balance(ledger, list(page.object_list))
    return render(request, "finance/account_detail.html", {"account": account, "form": form, "ledger": ledger,
                                                           "page_obj": page, "rows": rows})


@login_required
@permission_required("finance.add_account", raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_create(request):
    company = _company()
    form = AccountForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = call_service(form, services.create_account, company, by=request.user, code=data["code"],
                               name=data["name"], type=data["type"], subtype=data["subtype"], parent=data["parent"])
        if account is not None:
            messages.success(request, _("Account %(account)s created.") % {"account": account})
            return redirect("finance:account-list")
    return render(request, "finance/account_form.html", {"form": form, "account": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("finance.change_account", raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_edit(request, pk):
    account = resolve_visible(Account.objects.select_related("company"), pk)
    initial = {"code": account.code, "name": account.name, "type": account.type, "subtype": account.subtype,
               "parent": account.parent_id, "version": account.version}
    form = AccountForm(request.POST or None, company=account.company, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        updated = call_service(form, services.update_account, account, by=request.user, expected_version=version,
                               **data)
        if updated is not None:
            messages.success(request, _("Account %(account)s saved.") % {"account": updated})
            return redirect("finance:account-detail", account.pk)
    return render(request, "finance/account_form.html", {"form": form, "account": account},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("finance.change_account", raise_exception=True)
@require_POST
def account_archive(request, pk):
    account = resolve_visible(Account, pk)
    (services.restore_account if account.is_archived else services.archive_account)(account, by=request.user)
    return redirect("finance:account-list")


# --- Journal entries ----------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_entry", raise_exception=True)
def entry_list(request):
    company = _company()
    journal = request.GET.get("journal", "")
    qs = queries.entries(company, journal_id=int(journal) if limits.is_id(journal) else None,
                         status=request.GET.get("status", "") if request.GET.get("status") in Entry.Status.values
                         else "")
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    totals = queries.entry_totals([e.pk for e in entries])
    for entry in entries:
        entry.total = totals.get(entry.pk, 0)
    return render(request, "finance/entry_list.html", {
        "entries": entries, "page_obj": page, "company": company,
        "journals": queries.journals(company), "statuses": Entry.Status.choices})


def _get_entry(pk) -> Entry:
    entry = queries.entry_with_lines(_company(), pk)
    if entry is None:
        raise Http404(_("No such journal entry."))
    return entry


@login_required
@permission_required("finance.view_entry", raise_exception=True)
def entry_detail(request, pk):
    entry = _get_entry(pk)
    return render(request, "finance/entry_detail.html", {"entry": entry, "total": queries.entry_total(entry),
                                                         "origin_url": origin_url(entry)})


@login_required
@permission_required("finance.add_entry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def entry_create(request):
    company = _company()
    form = EntryForm(request.POST or None, company=company, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        lines = form.cleaned_data["lines"]
        try:
            entry = services.post_entry(company=company, journal=form.cleaned_data["journal"],
                                        date=form.cleaned_data["date"], memo=form.cleaned_data["memo"],
                                        lines=[{k: v for k, v in line.items() if k != "_row"} for line in lines],
                                        by=request.user)
        except AccessDenied:
            raise
        except BusinessRuleError as refusal:
            field = refusal.field or ""
            if field.startswith("lines."):
                index = int(field.split(".")[1])
                form.line_errors[lines[index]["_row"]] = refusal.message
                form.add_error(None, refusal.message)
            elif field in form.fields:
                form.add_error(field, refusal.message)
            else:
                form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Entry %(reference)s posted.") % {"reference": entry.reference})
            return redirect("finance:entry-detail", entry.pk)
    rows = [dict(row, error=form.line_errors.get(index)) for index, row in enumerate(form.line_rows)]
    return render(request, "finance/entry_form.html", {"form": form, "rows": rows, "accounts": form.accounts.values()},
                  status=400 if request.method == "POST" else 200)


@fragment
@login_required
@permission_required("finance.add_entry", raise_exception=True)
def entry_line_row(request):
    """One more empty line for the manual entry form (htmx)."""
    accounts = Account.objects.filter(company=_company()).active().order_by("code")
    return render(request, "finance/partials/_entry_line.html", {"row": {}, "accounts": accounts})


@login_required
@permission_required("finance.change_entry", raise_exception=True)
@require_POST
def entry_reverse(request, pk):
    entry = _get_entry(pk)
    try:
        reversal = services.reverse_entry(entry, by=request.user)
    except AccessDenied:
        raise
    except BusinessRuleError as refusal:
        messages.error(request, refusal.message)
        return redirect("finance:entry-detail", entry.pk)
    messages.success(request, _("Entry %(reference)s reversed by %(reversal)s.")
                     % {"reference": entry.reference, "reversal": reversal.reference})
    return redirect("finance:entry-detail", reversal.pk)


# --- Periods ------------------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_period", raise_exception=True)
def period_list(request):
    company = _company()
    years = list(queries.fiscal_years(company).prefetch_related("periods"))
    return render(request, "finance/period_list.html", {"years": years, "year_form": FiscalYearForm()})


@login_required
@permission_required("finance.add_fiscalyear", raise_exception=True)
@require_POST
def fiscal_year_create(request):
    form = FiscalYearForm(request.POST)
    if form.is_valid():
        year = call_service(form, services.create_fiscal_year, _company(), start_date=form.cleaned_data["start_date"],
                            by=request.user)
        if year is not None:
            messages.success(request, _("Fiscal year %(year)s opened.") % {"year": year})
            return redirect("finance:period-list")
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("finance:period-list")


@login_required
@permission_required("finance.change_fiscalyear", raise_exception=True)
@require_POST
def fiscal_year_close(request, pk):
    year = resolve_visible(FiscalYear.objects.select_related("company"), pk)
    try:
        services.close_fiscal_year(year, by=request.user)
    except AccessDenied:
        raise
    except BusinessRuleError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Fiscal year %(year)s closed; its result is in retained earnings.")
                         % {"year": year})
    return redirect("finance:period-list")


def _period_action(request, pk, action):
    period = resolve_visible(Period.objects.select_related("fiscal_year"), pk)
    try:
        if action == "close":
            services.close_period(period, by=request.user)
            messages.success(request, _("Period %(period)s closed.") % {"period": period})
        else:
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.reopen_period(period, by=request.user, reason=reason)
            messages.success(request, _("Period %(period)s reopened.") % {"period": period})
    except AccessDenied:
        raise
    except BusinessRuleError as refusal:
        messages.error(request, refusal.message)
    return redirect("finance:period-list")


@login_required
@permission_required("finance.change_period", raise_exception=True)
@require_POST
def period_close(request, pk):
    return _period_action(request, pk, "close")


@login_required
@permission_required("finance.reopen_period", raise_exception=True)
@require_POST
def period_reopen(request, pk):
    return _period_action(request, pk, "reopen")


# --- Trial balance --------------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_account", raise_exception=True)
def trial_balance(request):
    form = _range(request)
    report = None
    if form.is_valid():
        report = queries.trial_balance(_company(), form.cleaned_data["date_from"], form.cleaned_data["date_to"],
                                       compare=form.cleaned_data.get("compare") or "")
    return render(request, "finance/trial_balance.html", {"form": form, "report": report,
                                                          "query": request.GET.urlencode()},
                  status=200 if form.is_valid() else 400)


@login_required
@permission_required("finance.view_account", raise_exception=True)
def trial_balance_export(request):
    form = _range(request)
    if not form.is_valid():
        return render(request, "finance/trial_balance.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    report = queries.trial_balance(_company(), data["date_from"], data["date_to"], compare=data.get("compare") or "")
    response = HttpResponse(reports.trial_balance_xlsx(report),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="trial-balance-{data["date_from"]}-{data["date_to"]}.xlsx"'
    return response
