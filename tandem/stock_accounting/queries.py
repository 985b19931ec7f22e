"""Reads shared by the reconciliation page and API: per legal entity, the inventory accounts' balance next to
the stock value (stock valuation at that date) and what still waits to be posted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from tandem.core.models import LegalEntity
from tandem.core.money import quantize
from tandem.finance.models import Account, EntryLine
from tandem.stock.models import Warehouse
from tandem.stock.valuation.queries import warehouse_value
from tandem.stock_accounting.models import StockPosting
from tandem.stock_accounting.services import ledger_for

ZERO = Decimal(0)


@dataclass(frozen=True)
class Reconciliation:
    company: LegalEntity
    date: datetime.date
    currency: str
    stock_value: Decimal          # stock valuation: every warehouse of the entity at the end of `date`
    inventory_balance: Decimal    # debit − credit of the inventory accounts, lines dated up to `date`
    pending_amount: Decimal       # stock postings dated up to `date` still waiting for the ledger
    pending_count: int
    has_ledger: bool

    @property
    def difference(self) -> Decimal:
        """What neither the ledger nor the pending postings explain (zero when the books agree)."""
        return self.stock_value - self.inventory_balance - self.pending_amount

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def stock_value(company, on_date: datetime.date) -> Decimal:
    total = ZERO
    for warehouse in Warehouse.objects.filter(company=company).order_by("pk"):
        total += sum((row.value for row in warehouse_value(warehouse, on_date)), ZERO)
    return quantize(total, company.base_currency)


def inventory_balance(company, on_date: datetime.date) -> Decimal:
    sums = EntryLine.objects.filter(company=company, account__subtype=Account.Subtype.INVENTORY,
                                    date__lte=on_date).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return quantize((sums["debit"] or ZERO) - (sums["credit"] or ZERO), company.base_currency)


def reconciliation(company, on_date: datetime.date) -> Reconciliation:
    pending = (StockPosting.objects.filter(company=company, status=StockPosting.Status.PENDING,
                                           stock_date__lte=on_date)
               .aggregate(amount=Sum("amount"), count=Count("id")))
    return Reconciliation(
        company=company, date=on_date, currency=company.base_currency, stock_value=stock_value(company, on_date),
        inventory_balance=inventory_balance(company, on_date),
        pending_amount=quantize(pending["amount"] or ZERO, company.base_currency), pending_count=pending["count"],
        has_ledger=ledger_for(company) is not None)


def reconciliations(on_date: datetime.date) -> list[Reconciliation]:
    """Every legal entity that keeps stock or has stock postings."""
    with_stock = set(Warehouse.objects.values_list("company_id", flat=True)) | set(
        StockPosting.objects.values_list("company_id", flat=True).distinct())
    return [reconciliation(company, on_date) for company in LegalEntity.objects.filter(pk__in=with_stock)]


def pending_postings(company=None):
    qs = (StockPosting.objects.filter(status=StockPosting.Status.PENDING)
          .select_related("company", "move__product", "revaluation").order_by("stock_date", "id"))
    return qs.filter(company=company) if company is not None else qs
