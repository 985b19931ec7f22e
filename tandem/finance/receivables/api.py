"""REST endpoints of receivables under /api/v1/finance/ (thin: parse, check the permission, call one service or
query). Accountants set limits and run dunning; sales managers read; representatives read their own clients."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id, money_text
from tandem.finance import queries as finance_queries
from tandem.finance.models import DunningLevel
from tandem.finance.receivables import queries, reports, services
from tandem.finance.receivables.schemas import (
    AgingOut,
    AgingQuery,
    CreditLimitIn,
    CreditLimitOut,
    CreditPolicyIn,
    CreditPolicyOut,
    DunningLevelIn,
    DunningLevelOut,
    DunningLevelPatch,
    DunningRunIn,
    ExposureOut,
    ExposureQuery,
    OverdueOut,
    OverdueQuery,
    PaymentHistoryOut,
    PaymentHistoryQuery,
    ReminderOut,
    ReminderQuery,
    SendIn,
)
from tandem.parties.queries import visible_clients

router = Router(tags=["receivables"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _company(company_id):
    company = finance_queries.company_for(company_id)
    if company is None:
        raise BusinessRuleError("not_found", _("There is no such legal entity."), field="company_id")
    return company


def _client(request, client_id):
    return resolve_visible(visible_clients(request.user), client_id)


def _buckets(amounts: dict, currency: str) -> dict:
    return {key: money_text(amounts.get(key, 0), currency) for key in (*queries.BUCKET_KEYS, "total")}


def _aging(request, params: AgingQuery):
    require_permission(request, "finance.view_receivables")
    company = _company(params.company_id)
    return queries.aging(company, params.date or timezone.localdate(), side=params.side, group=params.group,
                         user=request.user, client_id=params.client_id, currency=(params.currency or "").upper())


# --- Aging, overdue, payments ----------------------------------------------------------------------------------

@router.get("/receivables/aging", response=AgingOut, summary="Aging of open invoices",
            description="Open invoices bucketed by days past due at `date` (not due, 1–30, 31–60, 61–90, over 90; "
                        "due today is not due), per client or counterparty: in the base currency (amount due × the "
                        "invoice's rate) and per invoice currency. `side=payable` ages supplier bills.")
def get_aging(request, params: Query[AgingQuery]):
    report = _aging(request, params)
    base = report.currency
    return {
        "company_id": report.company.pk, "date": report.on, "side": report.side, "group": report.group,
        "currency": base,
        "rows": [{"id": row.key, "name": row.name, "count": row.count,
                  "base": _buckets({**row.buckets, "total": row.total}, base),
                  "by_currency": [{"currency": code, **_buckets(amounts, code)}
                                  for code, amounts in sorted(row.by_currency.items())]} for row in report.rows],
        "totals": _buckets({**report.totals, "total": report.total}, base),
        "totals_by_currency": [{"currency": code, **_buckets(amounts, code)}
                               for code, amounts in report.totals_by_currency.items()],
    }


@router.get("/receivables/aging.xlsx", summary="Aging as an XLSX workbook",
            response={200: bytes}, openapi_extra={"responses": {"200": {"description": "The workbook.", "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def get_aging_xlsx(request, params: Query[AgingQuery]):
    report = _aging(request, params)
    response = HttpResponse(reports.aging_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="aging-{report.side}-{report.on}.xlsx"'
    return response


@router.get("/receivables/overdue", response=Page[OverdueOut], summary="Overdue invoices",
            description="Open customer invoices at least `min_days` past due at `date`, oldest first; filter by "
                        "client and owner (the invoice's, else its client's).")
def list_overdue(request, params: Query[OverdueQuery], pagination: Query[PageParams]):
    require_permission(request, "finance.view_receivables")
    on = params.date or timezone.localdate()
    qs = queries.overdue_invoices(_company(params.company_id), on, user=request.user, client_id=params.client_id,
                                  owner_id=params.owner_id, min_days=params.min_days)
    page = paginate(qs, pagination)
    page["items"] = [{"id": i.pk, "number": i.number, "client_id": i.client_id, "client": str(i.client),
                      "owner_id": i.owner_id or i.client.owner_id, "invoice_date": i.invoice_date,
                      "due_date": i.due_date, "days_overdue": i.days_overdue, "currency": i.currency,
                      "total": money_text(i.total, i.currency), "amount_due": money_text(i.amount_due, i.currency),
                      "last_reminder": i.last_reminder}
                     for i in queries.with_days_overdue(page["items"], on)]
    return page


@router.get("/receivables/payments", response=list[PaymentHistoryOut], summary="Payment history by month",
            description="Posted payments per month, bank or cash account, direction and currency.")
def list_payment_history(request, params: Query[PaymentHistoryQuery]):
    require_permission(request, "finance.view_receivables")
    rows = queries.payment_history(_company(params.company_id), user=request.user, client_id=params.client_id,
                                   date_from=params.date_from, date_to=params.date_to)
    return [{**row, "amount": money_text(row["amount"], row["currency"])} for row in rows]


# --- Credit limits and exposure ---------------------------------------------------------------------------------

def _limit_out(client, row) -> dict:
    if row is None:
        return {"client_id": client.pk, "amount": None, "currency": None, "max_overdue": None,
                "max_days_overdue": None, "note": "", "version": None}
    return {"client_id": client.pk, "amount": money_text(row.amount, row.currency), "currency": row.currency,
            "max_overdue": money_text(row.max_overdue, row.currency) if row.max_overdue is not None else None,
            "max_days_overdue": row.max_days_overdue, "note": row.note, "version": row.version}


@router.get("/clients/{client_id}/credit", response=CreditLimitOut, summary="A client's credit limit")
def get_credit_limit(request, client_id: Id):
    require_permission(request, "finance.view_creditlimit")
    client = _client(request, client_id)
    return _limit_out(client, queries.credit_limit_of(client))


@router.put("/clients/{client_id}/credit", response=CreditLimitOut, summary="Set a client's credit limit",
            description="`amount: null` removes the limit. Accountants only.")
def set_credit_limit(request, client_id: Id, payload: CreditLimitIn):
    require_permission(request, "finance.change_creditlimit")
    client = _client(request, client_id)
    if payload.amount is None:
        services.remove_credit_limit(client, by=request.user)
        return _limit_out(client, None)
    row = services.set_credit_limit(client, by=request.user, amount=payload.amount, currency=payload.currency,
                                    max_overdue=payload.max_overdue, max_days_overdue=payload.max_days_overdue,
                                    note=payload.note, expected_version=payload.version)
    return _limit_out(client, row)


@router.get("/clients/{client_id}/exposure", response=ExposureOut, summary="What a client owes against its limit",
            description="Balance = open invoices' amount due − unallocated payments; overdue; limit; available.")
def get_exposure(request, client_id: Id, params: Query[ExposureQuery]):
    require_permission(request, "finance.view_receivables")
    client = _client(request, client_id)
    on = params.date or timezone.localdate()
    e = queries.client_exposure(client, on=on, company=_company(params.company_id))
    c = e.currency
    return {"client_id": client.pk, "date": on, "currency": c, "open_amount": money_text(e.open_amount, c),
            "unallocated": money_text(e.unallocated, c), "balance": money_text(e.balance, c),
            "overdue": money_text(e.overdue, c), "max_days_overdue": e.max_days_overdue,
            "limit": money_text(e.limit_amount, c) if e.limit else None,
            "max_overdue": money_text(e.limit.max_overdue, c) if e.limit and e.limit.max_overdue is not None
            else None, "available": money_text(e.available, c) if e.limit else None, "over_limit": e.over_limit,
            "by_currency": {code: money_text(amount, code) for code, amount in e.by_currency.items()}}


@router.get("/credit-policy", response=CreditPolicyOut, summary="What happens when an order goes over a limit")
def get_credit_policy(request, company_id: Id | None = None):
    require_permission(request, "finance.view_creditlimit")
    company = _company(company_id)
    return {"company_id": company.pk, "mode": queries.credit_policy(company)}


@router.put("/credit-policy", response=CreditPolicyOut, summary="Refuse orders over a limit, or let managers approve")
def set_credit_policy(request, payload: CreditPolicyIn):
    company = _company(payload.company_id)
    row = services.set_credit_policy(company, payload.mode, by=request.user)
    return {"company_id": company.pk, "mode": row.mode}


# --- Dunning ----------------------------------------------------------------------------------------------

def _level_out(level: DunningLevel) -> dict:
    return {"id": level.pk, "company_id": level.company_id, "days_overdue": level.days_overdue, "name": level.name,
            "text": level.text, "fee": money_text(level.fee, level.fee_currency) if level.fee is not None else None,
            "fee_currency": level.fee_currency, "is_active": level.is_active}


@router.get("/dunning/levels", response=list[DunningLevelOut], summary="Dunning levels of a legal entity")
def list_dunning_levels(request, company_id: Id | None = None):
    require_permission(request, "finance.view_dunninglevel")
    return [_level_out(level) for level in queries.dunning_levels(_company(company_id))]


@router.post("/dunning/levels", response={201: DunningLevelOut}, summary="Add a dunning level",
             description="`text` may use {number}, {amount}, {due_date}, {days}, {client}.")
def create_dunning_level(request, payload: DunningLevelIn):
    level = services.create_dunning_level(_company(payload.company_id), by=request.user,
                                          days_overdue=payload.days_overdue, name=payload.name, text=payload.text,
                                          fee=payload.fee, fee_currency=payload.fee_currency)
    return 201, _level_out(level)


@router.patch("/dunning/levels/{level_id}", response=DunningLevelOut, summary="Change a dunning level")
def update_dunning_level(request, level_id: Id, payload: DunningLevelPatch):
    require_permission(request, "finance.change_dunninglevel")
    level = resolve_visible(DunningLevel.objects.select_related("company"), level_id)
    data = payload.dict(exclude_unset=True)
    return _level_out(services.update_dunning_level(level, by=request.user, **data))


def _reminder_out(r) -> dict:
    return {"id": r.pk, "invoice_id": r.invoice_id, "invoice_number": r.invoice.number, "client_id": r.client_id,
            "level": r.level.name, "run_date": r.run_date, "days_overdue": r.days_overdue,
            "amount_due": money_text(r.amount_due, r.currency), "currency": r.currency,
            "fee": money_text(r.fee, r.level.fee_currency or r.currency), "text": r.text, "status": r.status}


@router.post("/dunning/run", response=list[ReminderOut], summary="Run dunning",
             description="Proposes (or with `send` sends) one reminder per overdue invoice: the highest level it "
                         "has reached and not had yet. Answers the new reminders.")
def run_dunning(request, payload: DunningRunIn):
    require_permission(request, "finance.run_dunning")
    created = services.run_dunning(_company(payload.company_id), payload.date or timezone.localdate(),
                                   by=request.user, send=payload.send)
    return [_reminder_out(r) for r in created]


@router.get("/dunning/reminders", response=Page[ReminderOut], summary="Reminders, newest run first")
def list_reminders(request, params: Query[ReminderQuery], pagination: Query[PageParams]):
    require_permission(request, "finance.view_dunningreminder")
    qs = queries.reminders(_company(params.company_id), user=request.user, client_id=params.client_id,
                           status=params.status)
    page = paginate(qs, pagination)
    page["items"] = [_reminder_out(r) for r in page["items"]]
    return page


@router.post("/dunning/reminders/send", response=dict[str, int], summary="Send proposed reminders")
def send_reminders(request, payload: SendIn):
    require_permission(request, "finance.run_dunning")
    company = _company(None)
    chosen = list(queries.reminders(company, user=request.user).filter(pk__in=payload.reminder_ids))
    return {"sent": services.send_reminders(chosen, by=request.user)}
