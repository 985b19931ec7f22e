"""Core's part of the demo data: the demo company's legal entity (with a bank account) and a few months of
exchange rates, so the deal board and the reports can add up the demo's EUR and RUB deals.

Run by `tandem demo` after the parties step; safe to run again (it fills in only what is missing)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.core import exchange_rates, legal_entities
from tandem.core.models import ExchangeRate, User
from tandem.core.services import default_legal_entity

LEGAL_ENTITY = {
    "name": "Nordlicht Handel GmbH",
    "tax_id": "DE136695976",
    "registration_number": "HRB 123456 B",
    "registered_address": "Friedrichstraße 68\n10117 Berlin\nGermany",
    "postal_address": "Postfach 12 34 56\n10001 Berlin\nGermany",
    "country": "DE",
    "base_currency": "EUR",
}
BANK_ACCOUNT = {"bank_name": "Commerzbank Berlin", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
                "currency": "EUR"}
# (quote currency, starting rate of 1 EUR, daily drift range) for the last RATE_DAYS days.
RATES = [("RUB", Decimal("95.0000"), Decimal("0.6")), ("USD", Decimal("1.0800"), Decimal("0.004"))]
RATE_DAYS = 400


def load_demo_data(*, by: User, seed: int = 20240917) -> list[str]:
    """Make the default legal entity the demo company's and record demo exchange rates; report what changed."""
    lines = []
    with transaction.atomic():
        entity = default_legal_entity()
        if not entity.tax_id:
            legal_entities.update_legal_entity(entity, by=by, **LEGAL_ENTITY)
            lines.append(f"Legal entity: {LEGAL_ENTITY['name']} (default).")
        if not entity.bank_accounts.exists():
            legal_entities.add_bank_account(entity, by=by, **BANK_ACCOUNT)
        if not ExchangeRate.objects.exists():
            rows = _rate_rows(random.Random(seed), timezone.localdate())
            result = exchange_rates.import_exchange_rates("date,currency,rate\n" + "\n".join(rows), by=by)
            lines.append(f"Exchange rates: {len(result.created)} EUR rates (RUB, USD).")
    return lines


def _rate_rows(rng: random.Random, today: datetime.date) -> list[str]:
    rows = []
    for currency, rate, drift in RATES:
        for days_ago in range(RATE_DAYS, -1, -1):
            day = today - datetime.timedelta(days=days_ago)
            if day.weekday() >= 5:  # central banks publish on working days
                continue
            rate = max(rate + Decimal(rng.uniform(-1, 1)).quantize(Decimal("0.0001")) * drift, drift)
            rows.append(f"{day.isoformat()},{currency},{rate.quantize(Decimal('0.0001'))}")
    return rows
