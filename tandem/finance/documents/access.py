"""Who may download an invoice's documents: its readers. The record rule of invoices: the permission to view
invoices, and the client among those the user sees (a representative: their own clients)."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.core.references import resolve_visible
from tandem.finance.models import Invoice
from tandem.parties.queries import can_see_all_clients, visible_clients


def visible_invoices(user) -> QuerySet[Invoice]:
    if not user.is_authenticated or not user.has_perm("finance.view_invoice"):
        return Invoice.objects.none()
    qs = Invoice.objects.all()
    if not can_see_all_clients(user):
        qs = qs.filter(client__in=visible_clients(user).values("pk"))
    return qs


def get_printable_invoice(user, pk) -> Invoice:
    """An issued (or paid, partly paid) invoice the user may read, with what its documents print; 404 for one they
    may not see; a draft has no number yet and is refused by the document makers (409)."""
    qs = visible_invoices(user).select_related("company", "client", "counterparty", "credited_invoice")
    return resolve_visible(qs, pk)
