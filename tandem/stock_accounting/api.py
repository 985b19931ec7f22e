"""REST endpoints of stock accounting under /api/v1/stock-accounting/ (thin: check the permission, read or call
one service, shape)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from tandem.core.models import LegalEntity
from tandem.core.openapi import declares
from tandem.core.permissions import require_permission
from tandem.core.schemas import Id, money_text
from tandem.stock_accounting import queries, services
from tandem.stock_accounting.schemas import PostPendingOut, ReconciliationFilters, ReconciliationOut

router = Router(tags=["stock accounting"])


def _line(state: queries.Reconciliation) -> dict:
    currency = state.currency
    return {"legal_entity": {"id": state.company.pk, "name": state.company.name}, "currency": currency,
            "stock_value": money_text(state.stock_value, currency),
            "inventory_balance": money_text(state.inventory_balance, currency),
            "pending_amount": money_text(state.pending_amount, currency), "pending_count": state.pending_count,
            "difference": money_text(state.difference, currency), "agrees": state.agrees,
            "has_ledger": state.has_ledger}


@router.get("/reconciliation", response=ReconciliationOut,
            summary="Inventory accounts against the stock value, per legal entity",
            description="Per legal entity with stock: the stock value at the end of `date`, the balance of its "
                        "inventory accounts, the postings still pending and the difference none of them explains.")
def stock_reconciliation(request, filters: Query[ReconciliationFilters]):
    require_permission(request, "stock.view_valuation")
    require_permission(request, "finance.view_account")
    day = filters.date or timezone.localdate()
    return {"date": day, "items": [_line(state) for state in queries.reconciliations(day)]}


@router.post("/legal-entities/{entity_id}/post-pending", response=PostPendingOut,
             summary="Post the stock postings waiting for the ledger",
             description="Accountants (finance.add_entry). Each waits no longer once the stock journal, the stock "
                         "accounts and an open period on or after its date exist; a date before the first fiscal "
                         "year goes to its first open period. 400 `no_ledger` while the ledger is not set up.")
@declares(404)
def post_pending_postings(request, entity_id: Id):
    require_permission(request, "finance.add_entry")
    company = get_object_or_404(LegalEntity, pk=entity_id)
    posted, pending = services.post_pending(company, by=request.user)
    return {"posted": posted, "pending": pending}
