"""REST endpoints of the ledger under /api/v1/finance/ (thin: parse, check the permission, call one service or
query, return the schema). Posting, reversing and closing are the accountant's."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id, money_text, patch_values
from tandem.finance import queries, reports, services
from tandem.finance.api_documents import router as documents_router
from tandem.finance.banking.api import router as banking_router
from tandem.finance.models import Account, Entry, FiscalYear, Journal, Period
from tandem.finance.receivables.api import router as receivables_router
from tandem.finance.schemas import (
    AccountFilters,
    AccountIn,
    AccountOut,
    AccountPatch,
    EntryFilters,
    EntryIn,
    EntryOut,
    FiscalYearIn,
    FiscalYearOut,
    JournalIn,
    JournalOut,
    PeriodOut,
    ReopenIn,
    ReverseIn,
    TrialBalanceOut,
    TrialBalanceQuery,
)
from tandem.parties import queries as parties_queries
from tandem.parties.models import Counterparty

router = Router(tags=["finance"])
# Payments and bank statements (finance.banking) share the /api/v1/finance/ prefix.
router.add_router("", banking_router)
router.add_router("", receivables_router)  # aging, overdue, credit limits, dunning (finance/receivables/api.py)


def _company(company_id):
    company = queries.company_for(company_id)
    if company is None:
        raise BusinessRuleError("not_found", _("There is no such legal entity."), field="company_id")
    return company


def _account(account_id) -> Account:
    return resolve_visible(Account.objects.select_related("company"), account_id)


# --- Accounts ------------------------------------------------------------------------------------------------

@router.get("/accounts", response=Page[AccountOut], summary="List the chart of accounts")
def list_accounts(request, filters: Query[AccountFilters], pagination: Query[PageParams]):
    require_permission(request, "finance.view_account")
    qs = queries.accounts(_company(filters.company_id), archived=filters.archived, q=filters.q,
                          type=filters.type or "")
    return paginate(qs, pagination)


@router.post("/accounts", response={201: AccountOut}, summary="Create an account")
def create_account(request, payload: AccountIn):
    require_permission(request, "finance.add_account")
    company = _company(payload.company_id)
    parent = resolve_visible(Account.objects.filter(company=company), payload.parent_id, "parent_id")
    return 201, services.create_account(company, by=request.user, code=payload.code, name=payload.name,
                                        type=payload.type, subtype=payload.subtype, parent=parent)


@router.get("/accounts/{account_id}", response=AccountOut, summary="Get an account")
def get_account(request, account_id: Id):
    require_permission(request, "finance.view_account")
    return _account(account_id)


@router.patch("/accounts/{account_id}", response=AccountOut, summary="Change an account",
              description="Send `version` to refuse a stale change (409 `stale`). The type of an account with "
                          "postings cannot change (409 `type_in_use`).")
def update_account(request, account_id: Id, payload: AccountPatch):
    require_permission(request, "finance.change_account")
    account = _account(account_id)
    data = patch_values(payload, Account)
    version = data.pop("version", None)
    if "parent_id" in data:
        data["parent"] = resolve_visible(Account.objects.filter(company=account.company), data.pop("parent_id"),
                                         "parent_id")
    return services.update_account(account, by=request.user, expected_version=version, **data)


@router.post("/accounts/{account_id}/archive", response=AccountOut, summary="Archive an account")
def archive_account(request, account_id: Id):
    return services.archive_account(_account(account_id), by=request.user)


@router.post("/accounts/{account_id}/restore", response=AccountOut, summary="Restore an archived account")
def restore_account(request, account_id: Id):
    return services.restore_account(_account(account_id), by=request.user)


# --- Journals ------------------------------------------------------------------------------------------------

@router.get("/journals", response=list[JournalOut], summary="List journals")
def list_journals(request, company_id: Id | None = None, archived: ArchivedFilter = "false"):
    require_permission(request, "finance.view_journal")
    return list(queries.journals(_company(company_id), archived=archived))


@router.post("/journals", response={201: JournalOut}, summary="Create a journal")
def create_journal(request, payload: JournalIn):
    require_permission(request, "finance.add_journal")
    return 201, services.create_journal(_company(payload.company_id), by=request.user, code=payload.code,
                                        name=payload.name, kind=payload.kind)


# --- Fiscal years and periods -------------------------------------------------------------------------------

@router.get("/fiscal-years", response=list[FiscalYearOut], summary="List fiscal years with their periods")
def list_fiscal_years(request, company_id: Id | None = None):
    require_permission(request, "finance.view_fiscalyear")
    return list(queries.fiscal_years(_company(company_id)).prefetch_related("periods"))


@router.post("/fiscal-years", response={201: FiscalYearOut}, summary="Open a fiscal year of twelve monthly periods")
def create_fiscal_year(request, payload: FiscalYearIn):
    require_permission(request, "finance.add_fiscalyear")
    return 201, services.create_fiscal_year(_company(payload.company_id), start_date=payload.start_date,
                                            by=request.user)


@router.post("/fiscal-years/{year_id}/close", response=FiscalYearOut,
             summary="Close a fiscal year, carrying its result to retained earnings")
def close_fiscal_year(request, year_id: Id):
    year = resolve_visible(FiscalYear.objects.select_related("company"), year_id)
    return services.close_fiscal_year(year, by=request.user)


@router.post("/periods/{period_id}/close", response=PeriodOut, summary="Close a period (no more postings)")
def close_period(request, period_id: Id):
    return services.close_period(resolve_visible(Period.objects.select_related("fiscal_year"), period_id),
                                 by=request.user)


@router.post("/periods/{period_id}/reopen", response=PeriodOut,
             summary="Reopen a closed period (permission finance.reopen_period; audited with the reason)")
def reopen_period(request, period_id: Id, payload: ReopenIn):
    return services.reopen_period(resolve_visible(Period.objects.select_related("fiscal_year"), period_id),
                                  by=request.user, reason=payload.reason)


# --- Entries ------------------------------------------------------------------------------------------------

def _entry_out(company, pk) -> Entry:
    return queries.entry_with_lines(company, pk)


@router.get("/entries", response=Page[EntryOut], summary="List journal entries")
def list_entries(request, filters: Query[EntryFilters], pagination: Query[PageParams]):
    require_permission(request, "finance.view_entry")
    qs = queries.entries(_company(filters.company_id), journal_id=filters.journal_id, status=filters.status or "",
                         date_from=filters.date_from, date_to=filters.date_to, account_id=filters.account_id)
    return paginate(qs.prefetch_related(queries.lines_prefetch()).select_related("origin_type"), pagination)


@router.post("/entries", response={201: EntryOut}, summary="Post a journal entry",
             description="Posted at once: numbered per journal and fiscal year, never edited afterwards (reverse "
                         "it). Refused: 400 `unbalanced` (debits ≠ credits in the base currency, or a foreign "
                         "currency's amounts not adding to zero), 400 with `field` `lines.<i>.<name>` for a bad "
                         "line, 400 `no_fiscal_year`, 409 `period_closed`.")
def create_entry(request, payload: EntryIn):
    require_permission(request, "finance.add_entry")
    journal = resolve_visible(Journal.objects.select_related("company"), payload.journal_id, "journal_id")
    company = journal.company
    lines = []
    for index, line in enumerate(payload.lines):
        lines.append({
            "account": resolve_visible(Account.objects.filter(company=company), line.account_id,
                                       f"lines.{index}.account_id"),
            "debit": line.debit, "credit": line.credit, "currency": line.currency or "",
            "amount_currency": line.amount_currency, "rate": line.rate, "memo": line.memo,
            "client": resolve_visible(parties_queries.visible_clients(request.user), line.client_id,
                                      f"lines.{index}.client_id"),
            "counterparty": resolve_visible(Counterparty, line.counterparty_id, f"lines.{index}.counterparty_id"),
        })
    entry = services.post_entry(company=company, journal=journal, date=payload.date, memo=payload.memo,
                                lines=lines, by=request.user)
    return 201, _entry_out(company, entry.pk)


@router.get("/entries/{entry_id}", response=EntryOut, summary="Get a journal entry with its lines")
def get_entry(request, entry_id: Id):
    require_permission(request, "finance.view_entry")
    entry = resolve_visible(Entry, entry_id)
    return _entry_out(entry.company, entry.pk)


@router.post("/entries/{entry_id}/reverse", response={201: EntryOut},
             summary="Reverse a posted entry (posts its mirror image; answers the reversing entry)")
def reverse_entry(request, entry_id: Id, payload: ReverseIn):
    require_permission(request, "finance.change_entry")
    entry = resolve_visible(Entry, entry_id)
    reversal = services.reverse_entry(entry, date=payload.date, memo=payload.memo, by=request.user)
    return 201, _entry_out(entry.company, reversal.pk)


# --- Reports ------------------------------------------------------------------------------------------------

def _trial_balance(params: TrialBalanceQuery):
    if params.date_to < params.date_from:
        raise BusinessRuleError("invalid_range", _("The end date is before the start date."), field="date_to")
    return queries.trial_balance(_company(params.company_id), params.date_from, params.date_to,
                                 compare=params.compare)


@router.get("/reports/trial-balance", response=TrialBalanceOut, summary="Trial balance",
            description="Per account: balance before `date_from` (opening, debit positive), debits and credits "
                        "in the range, closing; with `compare` the closing of the compared range.")
def trial_balance(request, params: Query[TrialBalanceQuery]):
    require_permission(request, "finance.view_account")
    report = _trial_balance(params)
    totals, currency = report.totals, report.currency

    def text(value):
        return money_text(value, currency)

    return {
        "company_id": report.company.pk, "currency": report.currency, "date_from": report.date_from,
        "date_to": report.date_to, "compare_from": report.compare_from, "compare_to": report.compare_to,
        "rows": [{"account_id": r.account.pk, "code": r.account.code, "name": r.account.name,
                  "type": r.account.type, "opening": text(r.opening), "debit": text(r.debit),
                  "credit": text(r.credit), "closing": text(r.closing), "previous_closing": text(r.previous_closing)}
                 for r in report.rows],
        "totals": {"account_id": 0, "code": "", "name": "", "type": "", "opening": text(totals["opening"]),
                   "debit": text(totals["debit"]), "credit": text(totals["credit"]), "closing": text(totals["closing"]),
                   "previous_closing": text(totals["previous_closing"]) if report.compare_to else None},
    }


@router.get("/reports/trial-balance.xlsx", summary="Trial balance as an XLSX workbook",
            response={200: bytes}, openapi_extra={"responses": {"200": {"description": "The workbook.", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}}}}}})
def trial_balance_xlsx(request, params: Query[TrialBalanceQuery]):
    require_permission(request, "finance.view_account")
    report = _trial_balance(params)
    response = HttpResponse(reports.trial_balance_xlsx(report),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="trial-balance-{params.date_from}-{params.date_to}.xlsx"'
    return response



# --- Invoice documents (PDF, Factur-X, CII XML): their own router, tandem/finance/api_documents.py ------------
router.add_router("", documents_router)

# Financial reports and budgets live in their own module (report_api.py), on this router.
from tandem.finance.report_api import router as _reports_router  # noqa: E402

router.add_router("", _reports_router)

# Invoices, credit notes and tax rates: their own module (tandem/finance/invoice_api.py).
from tandem.finance.invoice_api import router as invoice_router  # noqa: E402

router.add_router("/", invoice_router)
