"""Money: Decimal amounts with an ISO 4217 currency, rounded in one place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor units that differ from 2; every other ISO 4217 code has two decimals.
CURRENCY_MINOR_UNITS = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}  # fmt: skip


def minor_unit(currency: str) -> int:
    return CURRENCY_MINOR_UNITS.get(currency.upper(), 2)


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (the commercial rule)."""
    if isinstance(amount, float):
        raise TypeError("Money amounts must not be float; pass Decimal, int or str.")
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


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
