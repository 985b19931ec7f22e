"""REST endpoints of the financial reports (/api/v1/finance/reports/…, each with an .xlsx variant) and budgets
(/api/v1/finance/budgets). Thin: parse, check the permission, call one report or service, shape the answer."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id, money_text
from tandem.finance import budgets as budget_services
from tandem.finance import queries
from tandem.finance.models import Budget, BudgetLine, FiscalYear
from tandem.finance.report_schemas import (
    BudgetIn,
    BudgetLinesIn,
    BudgetOut,
    BudgetPatch,
    BudgetReportOut,
    BudgetReportQuery,
    BudgetSummaryOut,
    CashFlowOut,
    FinancialStatementOut,
    ForecastOut,
    ForecastQuery,
    LinesExportQuery,
    ReportRangeQuery,
    TaxReportOut,
)
from tandem.finance.reports import budgets as budget_reports
from tandem.finance.reports import cash_flow, forecast, statements, xlsx
from tandem.finance.reports import tax as tax_reports

router = Router(tags=["finance"])

XLSX_RESPONSE = {"response": {200: bytes}, "openapi_extra": {"responses": {"200": {
    "description": "The workbook.", "content": {xlsx.XLSX: {"schema": {"type": "string", "format": "binary"}}}}}}}


def _company(company_id):
    company = queries.company_for(company_id)
    if company is None:
        raise BusinessRuleError("not_found", _("There is no such legal entity."), field="company_id")
    return company


def _checked(params):
    if params.date_to < params.date_from:
        raise BusinessRuleError("invalid_range", _("The end date is before the start date."), field="date_to")
    return _company(params.company_id)


def _text(value, currency):
    return None if value is None else money_text(value, currency)


def _statement_out(report) -> dict:
    c = report.currency
    return {
        "kind": report.kind, "company_id": report.company.pk, "currency": c, "date_from": report.date_from,
        "date_to": report.date_to, "compare_from": report.compare_from, "compare_to": report.compare_to,
        "sections": [{"key": s.key, "title": s.title, "total": _text(s.total, c),
                      "previous_total": _text(s.previous_total, c),
                      "groups": [{"title": g.title, "total": _text(g.total, c),
                                  "previous_total": _text(g.previous_total, c),
                                  "lines": [{"account_id": line.account.pk if line.account else None,
                                             "code": line.account.code if line.account else "",
                                             "name": line.account.name if line.account else line.label,
                                             "amount": _text(line.amount, c), "previous": _text(line.previous, c),
                                             "difference": _text(line.difference, c),
                                             "ledger_from": line.link_from if line.account else None,
                                             "ledger_to": line.link_to if line.account else None}
                                            for line in g.lines]} for g in s.groups]}
                     for s in report.sections],
        "totals": {k: _text(v, c) for k, v in report.totals.items()},
        "previous_totals": {k: _text(v, c) for k, v in report.previous_totals.items() if v is not None},
    }


@router.get("/reports/profit-and-loss", response=FinancialStatementOut, summary="Profit and loss",
            description="Income and expenses moved in the range (natural sign: both positive), grouped by their "
                        "group account, with totals and the net result; with `compare` the compared range's "
                        "amounts and the difference. The year-end closing entry is left out.")
def profit_and_loss(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    company = _checked(params)
    return _statement_out(statements.profit_and_loss(company, params.date_from, params.date_to,
                                                     compare=params.compare))


@router.get("/reports/profit-and-loss.xlsx", summary="Profit and loss as an XLSX workbook", **XLSX_RESPONSE)
def profit_and_loss_xlsx(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    report = statements.profit_and_loss(_checked(params), params.date_from, params.date_to, compare=params.compare)
    return xlsx.xlsx_response(f"profit-and-loss-{params.date_from}-{params.date_to}.xlsx", _("Profit and loss"),
                              xlsx.statement_rows(report, _("Profit and loss")))


@router.get("/reports/balance-sheet", response=FinancialStatementOut, summary="Balance sheet",
            description="Balances at `date_to`: assets, liabilities and equity (natural sign), equity including "
                        "the result not yet closed into retained earnings; totals `assets` and "
                        "`liabilities_and_equity` are equal. With `compare`, the balances at the compared range's "
                        "end.")
def balance_sheet(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    company = _checked(params)
    return _statement_out(statements.balance_sheet(company, params.date_from, params.date_to,
                                                   compare=params.compare))


@router.get("/reports/balance-sheet.xlsx", summary="Balance sheet as an XLSX workbook", **XLSX_RESPONSE)
def balance_sheet_xlsx(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    report = statements.balance_sheet(_checked(params), params.date_from, params.date_to, compare=params.compare)
    return xlsx.xlsx_response(f"balance-sheet-{params.date_to}.xlsx", _("Balance sheet"),
                              xlsx.statement_rows(report, _("Balance sheet")))


def _cash_flow_out(report) -> dict:
    c = report.currency
    return {
        "company_id": report.company.pk, "currency": c, "date_from": report.date_from, "date_to": report.date_to,
        "compare_from": report.compare_from, "compare_to": report.compare_to, "opening": _text(report.opening, c),
        "closing": _text(report.closing, c), "net_change": _text(report.net_change, c),
        "previous_opening": _text(report.previous_opening, c), "previous_closing": _text(report.previous_closing, c),
        "previous_net_change": _text(report.previous_net_change, c),
        "activities": [{"key": a.key, "title": a.title, "total": _text(a.total, c),
                        "previous_total": _text(a.previous_total, c),
                        "rows": [{"account_id": r.account.pk, "code": r.account.code, "name": r.account.name,
                                  "amount": _text(r.amount, c), "previous": _text(r.previous, c)} for r in a.rows]}
                       for a in report.activities],
    }


@router.get("/reports/cash-flow", response=CashFlowOut, summary="Cash-flow statement (direct method)",
            description="Cash in (positive) and out of the bank and cash accounts by counter-account, in "
                        "operating, investing and financing activities, with opening and closing cash.")
def cash_flow_report(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    return _cash_flow_out(cash_flow.cash_flow(_checked(params), params.date_from, params.date_to,
                                              compare=params.compare))


@router.get("/reports/cash-flow.xlsx", summary="Cash-flow statement as an XLSX workbook", **XLSX_RESPONSE)
def cash_flow_xlsx(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    report = cash_flow.cash_flow(_checked(params), params.date_from, params.date_to, compare=params.compare)
    return xlsx.xlsx_response(f"cash-flow-{params.date_from}-{params.date_to}.xlsx", _("Cash flow"),
                              xlsx.cash_flow_rows(report))


def _tax_out(report) -> dict:
    c = report.currency
    return {
        "company_id": report.company.pk, "currency": c, "date_from": report.date_from, "date_to": report.date_to,
        "compare_from": report.compare_from, "compare_to": report.compare_to,
        "rows": [{"side": r.side, "code": r.code, "name": r.name, "kind": r.kind, "percent": str(r.percent),
                  "base": _text(r.base, c), "tax": _text(r.tax, c), "credited_base": _text(r.credited_base, c),
                  "credited_tax": _text(r.credited_tax, c), "documents": r.documents,
                  "previous_base": _text(r.previous_base, c), "previous_tax": _text(r.previous_tax, c)}
                 for r in report.rows],
        "totals": {k: _text(v, c) for k, v in report.totals.items()},
        "previous_totals": ({k: _text(v, c) for k, v in report.previous_totals.items()}
                            if report.previous_totals is not None else None),
        "accounts": [{"account_id": a.account.pk, "code": a.account.code, "name": a.account.name,
                      "debit": _text(a.debit, c), "credit": _text(a.credit, c), "movement": _text(a.movement, c)}
                     for a in report.accounts],
        "unexplained_lines": [{"entry_id": line.entry_id, "entry": line.entry.reference, "date": line.date,
                               "account_code": line.account.code, "memo": line.memo or line.entry.memo,
                               "debit": _text(line.debit, c), "credit": _text(line.credit, c)}
                              for line in report.unexplained_lines],
        "unexplained_count": report.unexplained_count,
    }


@router.get("/reports/tax", response=TaxReportOut, summary="Tax report (VAT return figures) with the ledger tie-out",
            description="Documents dated (invoice date) in the range, in the base currency as posted: per side "
                        "(output: customer invoices minus credit notes; input: supplier bills minus supplier credit "
                        "notes) and tax rate the taxable base and tax; the net payable; the movement of the tax "
                        "accounts and the difference (0.00 when only documents touched them), with the lines that "
                        "make it. Reverse-charge and exempt lines show their base with no tax.")
def tax_report(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    return _tax_out(tax_reports.tax_report(_checked(params), params.date_from, params.date_to,
                                           compare=params.compare))


@router.get("/reports/tax.xlsx", summary="Tax report as an XLSX workbook", **XLSX_RESPONSE)
def tax_report_xlsx(request, params: Query[ReportRangeQuery]):
    require_permission(request, "finance.view_account")
    report = tax_reports.tax_report(_checked(params), params.date_from, params.date_to, compare=params.compare)
    return xlsx.xlsx_response(f"tax-{params.date_from}-{params.date_to}.xlsx", _("Tax report"), xlsx.tax_rows(report))


def _budget(budget_id, field: str | None = None) -> Budget:
    # A query parameter naming no budget is a bad parameter (400 with its field); a path naming none is a 404.
    return resolve_visible(Budget.objects.select_related("fiscal_year", "company"), budget_id, field=field)


def _variance(row, c) -> dict:
    return {"period_id": row.period.pk if row.period else None,
            "period_start": row.period.start_date if row.period else None, "budget": _text(row.budget, c),
            "actual": _text(row.actual, c), "variance": _text(row.variance, c),
            "percent": None if row.percent is None else str(row.percent)}


@router.get("/reports/budget-vs-actual", response=BudgetReportOut, summary="Budget against actual",
            description="Per account and period of the budget's fiscal year: budget, actual (natural sign), "
                        "variance (actual − budget) and actual in percent of the budget.")
def budget_vs_actual(request, params: Query[BudgetReportQuery]):
    require_permission(request, "finance.view_budget")
    report = budget_reports.budget_vs_actual(_budget(params.budget_id, "budget_id"))
    c = report.currency
    return {"budget_id": report.budget.pk, "currency": c, "total": _variance(report.total, c),
            "accounts": [{"account_id": t.account.pk, "code": t.account.code, "name": t.account.name,
                          "total": _variance(t, c), "periods": [_variance(r, c) for r in rows]}
                         for t, rows in report.accounts]}


@router.get("/reports/budget-vs-actual.xlsx", summary="Budget against actual as an XLSX workbook", **XLSX_RESPONSE)
def budget_vs_actual_xlsx(request, params: Query[BudgetReportQuery]):
    require_permission(request, "finance.view_budget")
    report = budget_reports.budget_vs_actual(_budget(params.budget_id, "budget_id"))
    return xlsx.xlsx_response(f"budget-{report.budget.pk}.xlsx", _("Budget against actual"),
                              xlsx.budget_rows(report))


@router.get("/reports/cash-forecast", response=ForecastOut, summary="Cash-flow forecast by week",
            description="Bank and cash today, plus open customer invoices and minus open supplier bills by due "
                        "date (overdue in the first week), plus upper modules' sources (confirmed sales orders "
                        "not yet invoiced), per week with the running balance.")
def cash_forecast(request, params: Query[ForecastQuery]):
    require_permission(request, "finance.view_account")
    report = forecast.cash_forecast(_company(params.company_id), today=timezone.localdate(), weeks=params.weeks)
    c = report.currency
    return {"company_id": report.company.pk, "currency": c, "today": report.today, "opening": _text(report.opening, c),
            "closing": _text(report.closing, c), "sources": report.sources,
            "weeks": [{"start": w.start, "end": w.end, "incoming": _text(w.incoming, c),
                       "outgoing": _text(w.outgoing, c), "net": _text(w.net, c), "balance": _text(w.balance, c),
                       "by_source": {k: _text(v, c) for k, v in w.by_source.items()}} for w in report.weeks]}


@router.get("/reports/cash-forecast.xlsx", summary="Cash-flow forecast as an XLSX workbook", **XLSX_RESPONSE)
def cash_forecast_xlsx(request, params: Query[ForecastQuery]):
    require_permission(request, "finance.view_account")
    report = forecast.cash_forecast(_company(params.company_id), today=timezone.localdate(), weeks=params.weeks)
    return xlsx.xlsx_response(f"cash-forecast-{report.today}.xlsx", _("Cash forecast"), xlsx.forecast_rows(report))


@router.get("/reports/lines.xlsx", summary="Journal lines of a range as an XLSX workbook (streamed)",
            description="Every posted line dated in the range (optionally of one account), oldest first; written "
                        "row by row, so any number of lines exports in constant memory.", **XLSX_RESPONSE)
def lines_xlsx(request, params: Query[LinesExportQuery]):
    require_permission(request, "finance.view_entry")
    company = _checked(params)
    return xlsx.xlsx_response(f"journal-lines-{params.date_from}-{params.date_to}.xlsx", _("Journal lines"),
                              xlsx.journal_lines_rows(company, params.date_from, params.date_to,
                                                      account_id=params.account_id))


# --- Budgets ------------------------------------------------------------------------------------------------

def _budget_out(budget: Budget) -> dict:
    c = budget.company.base_currency
    return {"id": budget.pk, "company_id": budget.company_id, "fiscal_year_id": budget.fiscal_year_id,
            "name": budget.name, "version": budget.version,
            "lines": [{"account_id": line.account_id, "period_id": line.period_id, "amount": _text(line.amount, c)}
                      for line in BudgetLine.objects.filter(budget=budget).order_by("account_id", "period_id")]}


@router.get("/budgets", response=list[BudgetSummaryOut], summary="List budgets")
def list_budgets(request, company_id: Id | None = None):
    require_permission(request, "finance.view_budget")
    return list(Budget.objects.filter(company=_company(company_id)).select_related("fiscal_year"))


@router.post("/budgets", response={201: BudgetOut}, summary="Create a budget for a fiscal year",
             description="409 `duplicate_name` when the fiscal year has a budget of that name.")
def create_budget(request, payload: BudgetIn):
    require_permission(request, "finance.add_budget")
    year = resolve_visible(FiscalYear.objects.select_related("company"), payload.fiscal_year_id, "fiscal_year_id")
    budget = budget_services.create_budget(year.company, by=request.user, fiscal_year=year, name=payload.name)
    return 201, _budget_out(budget)


@router.get("/budgets/{budget_id}", response=BudgetOut, summary="Get a budget with its amounts")
def get_budget(request, budget_id: Id):
    require_permission(request, "finance.view_budget")
    return _budget_out(_budget(budget_id))


@router.patch("/budgets/{budget_id}", response=BudgetOut, summary="Rename a budget",
              description="Send `version` to refuse a stale change (409 `stale`).")
def update_budget(request, budget_id: Id, payload: BudgetPatch):
    require_permission(request, "finance.change_budget")
    budget = budget_services.update_budget(_budget(budget_id), by=request.user, name=payload.name,
                                           expected_version=payload.version)
    return _budget_out(budget)


@router.put("/budgets/{budget_id}/lines", response=BudgetOut, summary="Set budget amounts",
            description="Sets the amount of each (account, period) given; zero removes it; others stay. All or "
                        "nothing: a bad cell answers 400 naming `lines.<i>.<field>`.")
def set_budget_lines(request, budget_id: Id, payload: BudgetLinesIn):
    require_permission(request, "finance.change_budget")
    budget = _budget(budget_id)
    budget_services.set_budget_amounts(budget, by=request.user, expected_version=payload.version, amounts=[
        {"account": line.account_id, "period": line.period_id, "amount": line.amount} for line in payload.lines])
    return _budget_out(_budget(budget_id))


@router.delete("/budgets/{budget_id}", response={204: None}, summary="Delete a budget and its amounts")
def delete_budget(request, budget_id: Id):
    require_permission(request, "finance.delete_budget")
    budget_services.delete_budget(_budget(budget_id), by=request.user)
    return 204, None
