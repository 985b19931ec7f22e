"""The finance part of the demo: the generic chart and journals for the demo legal entity, this year's fiscal
year, and a few manual entries (capital paid in, monthly rent, a sale on credit and its payment, a sale in US
dollars, office supplies). Deterministic; idempotent (nothing happens once the entity has entries)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tandem.core.models import User
from tandem.core.services import default_legal_entity
from tandem.finance import services
from tandem.finance.models import Account, Entry, FiscalYear, Journal


def build_finance_demo(*, seed: int = 0, today: datetime.date | None = None) -> list[str]:
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return []
    company = default_legal_entity()
    if Entry.objects.filter(company=company).exists():
        return []
    today = today or timezone.localdate()
    services.install_chart_template(company, by=admin)
    start = datetime.date(today.year, 1, 1)
    if not FiscalYear.objects.filter(company=company, start_date=start).exists():
        services.create_fiscal_year(company, start_date=start, by=admin)
    account = {a.code: a for a in Account.objects.filter(company=company)}
    journal = {j.code: j for j in Journal.objects.filter(company=company)}
    count = 0

    def post(code, day, memo, *lines, **currency):
        nonlocal count
        services.post_entry(company=company, journal=journal[code], date=day, memo=memo, by=admin, lines=[
            {"account": account[a], "debit": Decimal(d), "credit": Decimal(c), **currency} for a, d, c in lines])
        count += 1

    post("GEN", start, "Share capital paid in", ("1010", "50000.00", "0"), ("3000", "0", "50000.00"))
    for month in range(1, today.month + 1):
        first = datetime.date(today.year, month, 1)
        post("BNK", first, f"Office rent {first:%m/%Y}", ("6100", "1800.00", "0"), ("1010", "0", "1800.00"))
    day = min(today, start + datetime.timedelta(days=40 + seed % 7))
    post("SAL", day, "Invoice: consulting", ("1100", "2380.00", "0"), ("4100", "0", "2000.00"),
         ("2100", "0", "380.00"))
    post("BNK", day, "Payment received: consulting", ("1010", "2380.00", "0"), ("1100", "0", "2380.00"))
    services.post_entry(company=company, journal=journal["SAL"], date=day, memo="Invoice in US dollars", by=admin,
                        lines=[{"account": account["1100"], "debit": Decimal("920.00"), "currency": "USD",
                                "amount_currency": Decimal("1000.00")},
                               {"account": account["4000"], "credit": Decimal("920.00"), "currency": "USD",
                                "amount_currency": Decimal("1000.00")}])
    count += 1
    post("PUR", day, "Office supplies", ("6200", "150.00", "0"), ("1150", "28.50", "0"), ("2000", "0", "178.50"))
    return [f"Finance: the generic chart, fiscal year {start.year} and {count} journal entries."]
