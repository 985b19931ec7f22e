"""REST endpoints of payments and bank statements under /api/v1/finance/ (thin: parse, check the permission,
call one service or query, return the schema)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id, patch_values
from tandem.finance import queries as ledger_queries
from tandem.finance.banking import parsers, queries, services, statements
from tandem.finance.banking.schemas import (
    AllocateIn,
    ConfirmIn,
    ExchangeRevaluationIn,
    ExchangeRevaluationOut,
    PaymentAccountFilters,
    PaymentAccountIn,
    PaymentAccountOut,
    PaymentAccountPatch,
    PaymentFilters,
    PaymentIn,
    PaymentOut,
    PaymentReverseIn,
    StatementImportOut,
    StatementLineFilters,
    StatementLineOut,
    StatementOut,
)
from tandem.finance.models import Account, BankStatement, BankStatementLine, Invoice, Journal, PaymentAccount
from tandem.parties import queries as parties_queries
from tandem.parties.models import Counterparty

router = Router(tags=["finance"])


def _company(company_id):
    company = ledger_queries.company_for(company_id)
    if company is None:
        raise BusinessRuleError("not_found", _("There is no such legal entity."), field="company_id")
    return company


def _payment_account(pk, field=None) -> PaymentAccount:
    return resolve_visible(PaymentAccount.objects.select_related("company", "account", "journal"), pk, field)


# --- Bank and cash accounts -----------------------------------------------------------------------------------

@router.get("/payment-accounts", response=list[PaymentAccountOut], summary="List bank and cash accounts")
def list_payment_accounts(request, filters: Query[PaymentAccountFilters]):
    require_permission(request, "finance.view_paymentaccount")
    return list(queries.payment_accounts(_company(filters.company_id), archived=filters.archived))


@router.post("/payment-accounts", response={201: PaymentAccountOut}, summary="Create a bank or cash account")
def create_payment_account(request, payload: PaymentAccountIn):
    require_permission(request, "finance.add_paymentaccount")
    company = _company(payload.company_id)
    return 201, services.create_payment_account(
        company, by=request.user, name=payload.name, kind=payload.kind, currency=payload.currency or "",
        iban=payload.iban,
        account=resolve_visible(Account.objects.filter(company=company), payload.account_id, "account_id"),
        journal=resolve_visible(Journal.objects.filter(company=company), payload.journal_id, "journal_id"))


@router.get("/payment-accounts/{payment_account_id}", response=PaymentAccountOut, summary="Get a bank or cash account")
def get_payment_account(request, payment_account_id: Id):
    require_permission(request, "finance.view_paymentaccount")
    return _payment_account(payment_account_id)


@router.patch("/payment-accounts/{payment_account_id}", response=PaymentAccountOut,
              summary="Change a bank or cash account",
              description="The currency of an account with payments cannot change (409 `currency_in_use`).")
def update_payment_account(request, payment_account_id: Id, payload: PaymentAccountPatch):
    require_permission(request, "finance.change_paymentaccount")
    current = _payment_account(payment_account_id)
    data = patch_values(payload, PaymentAccount)
    if "account_id" in data:
        data["account"] = resolve_visible(Account.objects.filter(company=current.company), data.pop("account_id"),
                                          "account_id")
    if "journal_id" in data:
        data["journal"] = resolve_visible(Journal.objects.filter(company=current.company), data.pop("journal_id"),
                                          "journal_id")
    return services.update_payment_account(current, by=request.user, **data)


@router.post("/payment-accounts/{payment_account_id}/archive", response=PaymentAccountOut,
             summary="Archive a bank or cash account")
def archive_payment_account(request, payment_account_id: Id):
    return services.archive_payment_account(_payment_account(payment_account_id), by=request.user)


@router.post("/payment-accounts/{payment_account_id}/restore", response=PaymentAccountOut,
             summary="Restore an archived bank or cash account")
def restore_payment_account(request, payment_account_id: Id):
    return services.restore_payment_account(_payment_account(payment_account_id), by=request.user)


# --- Payments -------------------------------------------------------------------------------------------------

def _payment(request, pk):
    return resolve_visible(queries.visible_payments(request.user).select_related("company"), pk)


@router.get("/payments", response=Page[PaymentOut], summary="List payments",
            description="A sales representative sees the payments of their own clients only.")
def list_payments(request, filters: Query[PaymentFilters], pagination: Query[PageParams]):
    require_permission(request, "finance.view_payment")
    qs = queries.payments(request.user, company=_company(filters.company_id), client_id=filters.client_id,
                          direction=filters.direction or "", status=filters.status or "",
                          date_from=filters.date_from, date_to=filters.date_to, unallocated=filters.unallocated,
                          payment_account_id=filters.payment_account_id)
    return paginate(qs, pagination)


@router.post("/payments", response={201: PaymentOut}, summary="Register a payment and allocate it to invoices",
             description="Posts bank/cash against receivable (`in`) or payable (`out`) at the payment's rate. "
                         "Refused: 409 `over_allocation` naming the invoice (more than its amount due), 409 "
                         "`invoice_not_open`, 400 `allocation_exceeds_payment`, `client_mismatch`, "
                         "`currency_mismatch`, `no_exchange_rate`, 409 `period_closed`.")
def create_payment(request, payload: PaymentIn):
    require_permission(request, "finance.add_payment")
    account = _payment_account(payload.payment_account_id, "payment_account_id")
    company = account.company
    client = resolve_visible(parties_queries.visible_clients(request.user), payload.client_id, "client_id")
    counterparty = resolve_visible(Counterparty.objects.filter(client=client), payload.counterparty_id,
                                   "counterparty_id")
    invoices = Invoice.objects.filter(company=company)
    allocations = [(resolve_visible(invoices, a.invoice_id, f"allocations.{i}.invoice_id"), a.amount)
                   for i, a in enumerate(payload.allocations)]
    payment = services.register_payment(
        company, direction=payload.direction, payment_account=account, date=payload.date, amount=payload.amount,
        client=client, counterparty=counterparty, currency=payload.currency or "", rate=payload.rate,
        reference=payload.reference, memo=payload.memo, allocations=allocations, by=request.user)
    return 201, _payment(request, payment.pk)


@router.get("/payments/{payment_id}", response=PaymentOut, summary="Get a payment with its allocations")
def get_payment(request, payment_id: Id):
    require_permission(request, "finance.view_payment")
    return _payment(request, payment_id)


@router.post("/payments/{payment_id}/allocate", response=PaymentOut,
             summary="Allocate a payment's unallocated amount to an invoice")
def allocate_payment(request, payment_id: Id, payload: AllocateIn):
    require_permission(request, "finance.change_payment")
    payment = _payment(request, payment_id)
    invoice = resolve_visible(Invoice.objects.filter(company=payment.company), payload.invoice_id, "invoice_id")
    services.allocate_payment(payment, invoice, payload.amount, date=payload.date, by=request.user)
    return _payment(request, payment.pk)


@router.post("/payments/{payment_id}/reverse", response=PaymentOut,
             summary="Reverse a payment (its allocations and entries; invoices owe again)")
def reverse_payment(request, payment_id: Id, payload: PaymentReverseIn):
    require_permission(request, "finance.change_payment")
    payment = _payment(request, payment_id)
    services.reverse_payment(payment, date=payload.date, memo=payload.memo, by=request.user)
    return _payment(request, payment.pk)


@router.post("/revaluations", response={201: ExchangeRevaluationOut},
             summary="Revalue open foreign-currency invoices at a date's rates (reversed the next day)")
def create_revaluation(request, payload: ExchangeRevaluationIn):
    require_permission(request, "finance.add_entry")
    entry, reversal = services.revalue_open_items(_company(payload.company_id), payload.date, by=request.user)
    return 201, {"entry_id": entry.pk if entry else None, "reversal_id": reversal.pk if reversal else None}


# --- Bank statements ------------------------------------------------------------------------------------------

def _statement(pk) -> BankStatement:
    return resolve_visible(BankStatement.objects.select_related("payment_account"), pk)


def _line(pk) -> BankStatementLine:
    return resolve_visible(BankStatementLine.objects.select_related("payment_account__company"), pk)


@router.get("/statements", response=Page[StatementOut], summary="List bank statements")
def list_statements(request, pagination: Query[PageParams], company_id: Id | None = None,
                    payment_account_id: Id | None = None):
    require_permission(request, "finance.view_bankstatement")
    return paginate(queries.statements(_company(company_id), payment_account_id=payment_account_id), pagination)


@router.post("/statements/import", response={201: StatementImportOut, 200: StatementImportOut},
             summary="Import a bank statement file (CSV, MT940, CAMT.053)",
             description="Multipart: `file`, `payment_account_id`, `format` (auto, csv, mt940, camt053) and for CSV "
                         "the column mapping (`date_column`, `amount_column`, `reference_column`, `name_column`, "
                         "`iban_column`, `transaction_id_column`: header names or 1-based numbers), "
                         "`decimal_comma`, `date_format` (e.g. %d.%m.%Y), `has_header`. A file or lines imported "
                         "before are not imported again: 200 with `already_imported` or `skipped`.")
def import_statement(request, file: File[UploadedFile] = None, payment_account_id: Form[int] = None,
                     format: Form[str] = "auto", date_column: Form[str] = "", amount_column: Form[str] = "",
                     reference_column: Form[str] = "", name_column: Form[str] = "", iban_column: Form[str] = "",
                     transaction_id_column: Form[str] = "", decimal_comma: Form[bool] = False,
                     date_format: Form[str] = "%Y-%m-%d", has_header: Form[bool] = True):
    require_permission(request, "finance.add_bankstatement")
    if payment_account_id is None:
        raise BusinessRuleError("required", _("Choose the bank account."), field="payment_account_id")
    account = _payment_account(payment_account_id, "payment_account_id")
    if file is None:
        raise BusinessRuleError("required", _("Attach a statement file."), field="file")
    content = file.read(parsers.MAX_FILE_BYTES + 1)
    mapping = {"date": date_column, "amount": amount_column, "reference": reference_column, "name": name_column,
               "iban": iban_column, "transaction_id": transaction_id_column}
    outcome = statements.import_statement(
        account, content, by=request.user, file_name=file.name or "", format=format,
        csv_options={"mapping": mapping, "decimal_comma": decimal_comma, "date_format": date_format,
                     "has_header": has_header, "currency": account.currency})
    body = {"statement": outcome.statement, "created": outcome.created, "skipped": outcome.skipped,
            "already_imported": outcome.already_imported, "message": outcome.message}
    return (201 if outcome.created else 200), body


@router.get("/statements/{statement_id}", response=StatementOut, summary="Get a bank statement")
def get_statement(request, statement_id: Id):
    require_permission(request, "finance.view_bankstatement")
    return _statement(statement_id)


@router.get("/statements/{statement_id}/lines", response=Page[StatementLineOut],
            summary="A statement's lines with their suggested invoices (best first)")
def list_statement_lines(request, statement_id: Id, filters: Query[StatementLineFilters],
                         pagination: Query[PageParams]):
    require_permission(request, "finance.view_bankstatement")
    return paginate(queries.statement_lines(_statement(statement_id), status=filters.status or ""), pagination)


@router.post("/statements/lines/{line_id}/confirm", response=StatementLineOut,
             summary="Confirm a line: register its payment allocated to the chosen (or best suggested) invoices")
def confirm_statement_line(request, line_id: Id, payload: ConfirmIn):
    require_permission(request, "finance.change_bankstatementline")
    line = _line(line_id)
    invoices = Invoice.objects.filter(company=line.payment_account.company)
    allocations = None
    if payload.allocations is not None:
        allocations = [(resolve_visible(invoices, a.invoice_id, f"allocations.{i}.invoice_id"), a.amount)
                       for i, a in enumerate(payload.allocations)]
    chosen = None
    if payload.invoice_ids is not None:
        chosen = [resolve_visible(invoices, pk, f"invoice_ids.{i}") for i, pk in enumerate(payload.invoice_ids)]
    client = resolve_visible(parties_queries.visible_clients(request.user), payload.client_id, "client_id")
    statements.confirm_line(line, by=request.user, allocations=allocations, invoices=chosen, client=client,
                            date=payload.date)
    return queries.statement_lines(line.statement).get(pk=line.pk)


@router.post("/statements/lines/{line_id}/ignore", response=StatementLineOut,
             summary="Ignore a line (no payment to register)")
def ignore_statement_line(request, line_id: Id):
    require_permission(request, "finance.change_bankstatementline")
    line = _line(line_id)
    statements.ignore_line(line, by=request.user)
    return queries.statement_lines(line.statement).get(pk=line.pk)
