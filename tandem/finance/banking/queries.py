"""Reads of payments and bank statements, with the record rule: a user without team visibility (a sales
representative) sees the payments of the clients they own only."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tandem.finance.models import BankStatement, BankStatementLine, Invoice, Payment, PaymentAccount
from tandem.parties.queries import can_see_all_clients


def visible_payments(user) -> QuerySet[Payment]:
    if not user.is_authenticated or not user.has_perm("finance.view_payment"):
        return Payment.objects.none()
    qs = Payment.objects.select_related("payment_account", "client", "counterparty", "entry")
    if not can_see_all_clients(user):
        qs = qs.filter(client__owner=user)
    return qs


def payments(user, *, company=None, client_id=None, direction: str = "", status: str = "", date_from=None,
             date_to=None, unallocated: bool = False, payment_account_id=None) -> QuerySet[Payment]:
    qs = visible_payments(user)
    if company is not None:
        qs = qs.filter(company=company)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if unallocated:
        qs = qs.filter(unallocated_amount__gt=0, status=Payment.Status.POSTED)
    if payment_account_id:
        qs = qs.filter(payment_account_id=payment_account_id)
    return qs.order_by("-date", "-id")


def payment_accounts(company, *, archived: str = "false") -> QuerySet[PaymentAccount]:
    qs = PaymentAccount.objects.filter(company=company).select_related("account", "journal")
    if archived == "true":
        qs = qs.filter(is_archived=True)
    elif archived != "all":
        qs = qs.filter(is_archived=False)
    return qs.order_by("name", "id")


def open_invoices(company, *, client=None, direction: str = Payment.Direction.INCOMING, currency: str = ""
                  ) -> QuerySet[Invoice]:
    from tandem.finance.banking.services import INCOMING_KINDS, OUTGOING_KINDS

    kinds = INCOMING_KINDS if direction == Payment.Direction.INCOMING else OUTGOING_KINDS
    qs = Invoice.objects.filter(company=company, status__in=Invoice.OPEN_STATUSES, kind__in=kinds)
    if client is not None:
        qs = qs.filter(client=client)
    if currency:
        qs = qs.filter(currency=currency)
    return qs.select_related("client").order_by("due_date", "id")


def statements(company, *, payment_account_id=None) -> QuerySet[BankStatement]:
    qs = BankStatement.objects.filter(payment_account__company=company).select_related("payment_account")
    if payment_account_id:
        qs = qs.filter(payment_account_id=payment_account_id)
    open_statuses = list(BankStatementLine.OPEN_STATUSES)
    return qs.annotate(open_lines=Count("lines", filter=Q(lines__status__in=open_statuses))).order_by("-date_to",
                                                                                                       "-id")


def statement_lines(statement, *, status: str = "") -> QuerySet[BankStatementLine]:
    qs = statement.lines.select_related("payment").prefetch_related("suggestions__invoice__client")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("date", "id")
