"""API shapes of stock accounting (amounts are decimal strings in the legal entity's base currency)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from tandem.core import limits


class ReconciliationFilters(Schema):
    date: limits.Date | None = Field(None, description="End of this day; default: today.")


class LegalEntityRef(Schema):
    id: int
    name: str


class ReconciliationLineOut(Schema):
    legal_entity: LegalEntityRef
    currency: str
    stock_value: str = Field(description="Stock valuation of all the legal entity's warehouses at the end of the day.")
    inventory_balance: str = Field(description="Debit − credit of its inventory accounts, lines up to that day.")
    pending_amount: str = Field(description="Stock postings up to that day still waiting for the ledger.")
    pending_count: int
    difference: str = Field(description="stock_value − inventory_balance − pending_amount: zero when the books agree.")
    agrees: bool
    has_ledger: bool = Field(description="False while the stock journal or a stock account is missing.")


class ReconciliationOut(Schema):
    date: datetime.date
    items: list[ReconciliationLineOut]


class PostPendingOut(Schema):
    posted: int = Field(description="Stock postings now in the ledger.")
    pending: int = Field(description="Those still waiting (no open period on or after their date).")
