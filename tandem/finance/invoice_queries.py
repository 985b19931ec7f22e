"""Reads of invoices and tax rates shared by pages and API: the record rule (who sees which invoices), the
filtered list, one invoice with its lines."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.core.references import resolve_visible
from tandem.finance.models import Invoice, InvoiceLine, TaxRate
from tandem.parties.queries import can_see_all_clients


def visible_invoices(user) -> QuerySet[Invoice]:
    """Like other client records: everyone with finance.view_invoice sees the invoices of the clients they
    may see (a representative: own clients only)."""
    if not user.is_authenticated or not user.has_perm("finance.view_invoice"):
        return Invoice.objects.none()
    qs = Invoice.objects.all()
    if not (user.has_perm("parties.view_client") and can_see_all_clients(user)):
        qs = qs.filter(client__owner=user)
    return qs


def get_visible_invoice(user, pk) -> Invoice:
    return resolve_visible(visible_invoices(user).select_related(
        "company", "client", "counterparty", "owner", "entry", "credited_invoice", "issued_by"), pk)


def filter_invoices(qs: QuerySet[Invoice], *, client: int | None = None, status: str = "", kind: str = "",
                    overdue: bool = False, date_from: datetime.date | None = None,
                    date_to: datetime.date | None = None, q: str = "",
                    today: datetime.date | None = None) -> QuerySet[Invoice]:
    if client:
        qs = qs.filter(client_id=client)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(status__in=Invoice.OPEN_STATUSES, due_date__lt=today or timezone.localdate())
    if date_from:
        qs = qs.filter(invoice_date__gte=date_from)
    if date_to:
        qs = qs.filter(invoice_date__lte=date_to)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(client__name__icontains=q))
    return qs.select_related("client", "company").order_by("-invoice_date", "-id")


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(invoice.lines.select_related("product", "unit", "tax_rate", "account"))


def is_overdue(invoice: Invoice, today: datetime.date | None = None) -> bool:
    return invoice.status in Invoice.OPEN_STATUSES and invoice.due_date < (today or timezone.localdate())


def invoices_of_origin(model_instance, user) -> QuerySet[Invoice]:
    """The invoices (and credit notes) made from an upper app's document, visible to `user`."""
    from django.contrib.contenttypes.models import ContentType

    return (visible_invoices(user).filter(origin_type=ContentType.objects.get_for_model(model_instance),
                                          origin_id=model_instance.pk)
            .exclude(status=Invoice.Status.CANCELLED).order_by("invoice_date", "id"))


def tax_rates(*, country: str = "", archived: str | None = None, on: datetime.date | None = None) -> QuerySet[TaxRate]:
    qs = TaxRate.objects.in_archive_state(archived).select_related("tax_category")
    if country:
        qs = qs.filter(country=country.upper())
    if on:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return qs.order_by("country", "code", "valid_from")


def credit_targets(credit_note: Invoice) -> QuerySet[Invoice]:
    """What a credit note's remaining credit may settle: the client's open invoices (bills for a supplier credit
    note) in its currency, oldest due first."""
    kind = (Invoice.Kind.CUSTOMER_INVOICE if credit_note.kind == Invoice.Kind.CUSTOMER_CREDIT_NOTE
            else Invoice.Kind.SUPPLIER_BILL)
    return (Invoice.objects.filter(company_id=credit_note.company_id, client_id=credit_note.client_id, kind=kind,
                                   currency=credit_note.currency, status__in=Invoice.OPEN_STATUSES, amount_due__gt=0)
            .order_by("due_date", "pk"))
