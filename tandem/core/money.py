"""Money: Decimal amounts with an ISO 4217 currency, rounded in one place, converted by dated rates.

Rounding rule (the only one in Tandem): `quantize(amount, currency)` rounds to the currency's minor unit
(ISO 4217 decimals from the CLDR data in babel: EUR 2, JPY 0, KWD 3) with ROUND_HALF_UP, i.e. halves go
away from zero: 10.005 EUR → 10.01, -10.005 EUR → -10.01, 0.5 JPY → 1. Services round every amount before
they store it, so stored values carry no more decimals than the currency has.

Conversion: `convert(amount, from_currency, to_currency, on=date)` uses the exchange rate of the pair valid
on that date, i.e. the latest core.ExchangeRate row dated on or before it. A row says "1 base = rate quote";
converting base → quote multiplies, quote → base divides (the reverse pair is used only when the pair itself
has no rate by that date). No rate: `NoExchangeRate` (code "no_exchange_rate").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.currencies import minor_unit
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ExchangeRate

__all__ = ["Money", "NoExchangeRate", "BaseTotal", "convert", "convert_totals", "exchange_rate", "minor_unit",
           "quantize"]


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """`amount` rounded to the minor unit of `currency`, ROUND_HALF_UP (10.005 EUR → 10.01, 2.5 JPY → 3).

    Floats are refused (TypeError): amounts come as Decimal, int or str."""
    if isinstance(amount, float):
        raise TypeError("Money amounts must not be float; pass Decimal, int or str.")
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def quantize_or_none(amount, currency: str) -> Decimal | None:
    return None if amount is None or amount == "" else quantize(amount, currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money amounts must not be float.")
        object.__setattr__(self, "amount", Decimal(self.amount))
        object.__setattr__(self, "currency", self.currency.upper())

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money.")
        if other.currency != self.currency:
            raise ValueError(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"


def parse_decimal(value) -> Decimal | None:
    """An amount as sent by a client or stored in JSON: a string (or an integer) -> Decimal; empty -> None.

    Floats and booleans are refused (a binary fraction is not the amount the user typed), as are
    non-numbers and infinities: ValueError, which schemas and services turn into their own refusal."""
    if value is None or value == "":
        return None
    if isinstance(value, float | bool) or not isinstance(value, int | str | Decimal):
        raise ValueError('Send amounts as strings, e.g. "1250.00".')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("Not a number.") from None
    if not amount.is_finite():
        raise ValueError("Not a number.")
    return amount


# --- Exchange rates -------------------------------------------------------------------------------------

class NoExchangeRate(BusinessRuleError):
    """No rate of a currency pair on or before a date."""

    def __init__(self, from_currency: str, to_currency: str, on: datetime.date):
        super().__init__(
            "no_exchange_rate",
            _("There is no exchange rate from %(from)s to %(to)s on or before %(date)s.")
            % {"from": from_currency, "to": to_currency, "date": on.isoformat()},
            extra={"from_currency": from_currency, "to_currency": to_currency, "date": on.isoformat()},
        )


def exchange_rate(from_currency: str, to_currency: str, on: datetime.date | None = None) -> Decimal:
    """How many `to_currency` one `from_currency` buys on `on` (default today): the latest rate of the pair
    dated on or before it, else the inverse of the latest rate of the reverse pair. Raises NoExchangeRate."""
    from_currency, to_currency = from_currency.upper(), to_currency.upper()
    on = on or timezone.localdate()
    if from_currency == to_currency:
        return Decimal(1)
    direct = Q(base_currency=from_currency, quote_currency=to_currency)
    reverse = Q(base_currency=to_currency, quote_currency=from_currency)
    # One query: the pair's own rows first, then the reverse pair's; newest first within each.
    row = (ExchangeRate.objects.filter(direct | reverse, date__lte=on)
           .annotate(is_reverse=Case(When(direct, then=Value(0)), default=Value(1), output_field=IntegerField()))
           .order_by("is_reverse", "-date").values_list("is_reverse", "rate").first())
    if row is not None:
        is_reverse, rate = row
        return Decimal(1) / rate if is_reverse else rate
    raise NoExchangeRate(from_currency, to_currency, on)


def convert(amount: Decimal | int | str, from_currency: str, to_currency: str, *,
            on: datetime.date | None = None, rates: dict | None = None) -> Decimal:
    """`amount` of `from_currency` in `to_currency` at the rate valid on `on` (default today), rounded to
    the target currency's minor unit. Raises NoExchangeRate when the pair has no rate by that date.

    `rates`: an optional dict the caller keeps across calls so each pair is looked up once per page."""
    if isinstance(amount, float):
        raise TypeError("Money amounts must not be float; pass Decimal, int or str.")
    on = on or timezone.localdate()
    if rates is None:
        rate = exchange_rate(from_currency, to_currency, on)
    else:
        key = (from_currency.upper(), to_currency.upper(), on)
        if key not in rates:
            try:
                rates[key] = exchange_rate(from_currency, to_currency, on)
            except NoExchangeRate as exc:
                rates[key] = exc
        if isinstance(rates[key], NoExchangeRate):
            raise rates[key]
        rate = rates[key]
    return quantize(Decimal(amount) * rate, to_currency)


@dataclass
class BaseTotal:
    """A sum of amounts in several currencies, expressed in one currency.

    `amount` adds every converted amount; `missing` lists the currencies that had no rate (their amounts are
    not in `amount`, and the page flags them); `by_currency` keeps the original per-currency amounts."""

    currency: str
    amount: Decimal
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    on: datetime.date | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def is_mixed(self) -> bool:
        """True when the total adds more than the target currency (a breakdown is worth showing)."""
        return any(code != self.currency for code in self.by_currency)


def convert_totals(amounts: Mapping[str, Decimal] | Iterable[tuple[str, Decimal]], to_currency: str, *,
                   on: datetime.date | None = None, rates: dict | None = None) -> BaseTotal:
    """Per-currency amounts ({"EUR": 10, "USD": 5} or [(currency, amount)]) converted and added in
    `to_currency` at the rates valid on `on` (default today). Each converted amount is rounded, then added.
    Currencies without a rate are listed in `missing` instead of being dropped silently. `rates` as in
    convert(): share one dict across the totals of a page."""
    on = on or timezone.localdate()
    to_currency = to_currency.upper()
    items = amounts.items() if isinstance(amounts, Mapping) else amounts
    by_currency: dict[str, Decimal] = {}
    for currency, amount in items:
        if amount is None:
            continue
        by_currency[currency] = by_currency.get(currency, Decimal(0)) + Decimal(amount)
    # The base currency first, then the others alphabetically (however the database returned them).
    by_currency = dict(sorted(by_currency.items(), key=lambda item: (item[0] != to_currency, item[0])))
    total = Decimal(0)
    missing = []
    for currency, amount in by_currency.items():
        try:
            total += convert(amount, currency, to_currency, on=on, rates=rates)
        except NoExchangeRate:
            missing.append(currency)
    return BaseTotal(currency=to_currency, amount=quantize(total, to_currency), by_currency=by_currency,
                     missing=missing, on=on)
