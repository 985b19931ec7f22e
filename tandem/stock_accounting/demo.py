"""The stock accounting part of the demo: stock's demo moves were recorded before finance's demo set up the
ledger, so they wait as pending postings; post them (moves dated before this year's fiscal year go to its
first period). Idempotent: nothing happens when nothing is pending."""

from __future__ import annotations

from tandem.core.models import User
from tandem.core.services import default_legal_entity
from tandem.stock_accounting import services
from tandem.stock_accounting.models import StockPosting


def build_stock_accounting_demo() -> list[str]:
    admin = User.objects.filter(username="admin").first()
    company = default_legal_entity()
    if admin is None or services.ledger_for(company) is None or not StockPosting.objects.filter(
            company=company, status=StockPosting.Status.PENDING).exists():
        return []
    posted, pending = services.post_pending(company, by=admin)
    return [f"Stock accounting: {posted} stock postings in the ledger, {pending} still pending."]
