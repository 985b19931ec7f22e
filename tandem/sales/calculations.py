"""Totals of quotes and orders as pure functions (no ORM): exact Decimal, rounded per ARCHITECTURE.md 5.

Each line's net amount is rounded to the currency first; tax is rounded per line (the default) or once per tax
rate on the whole document (`tax_rounding="document"`); totals add rounded values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tandem.core.money import quantize

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    tax_by_rate: dict[Decimal, Decimal]


def round_to_step(quantity: Decimal, step: Decimal) -> Decimal:
    """A quantity rounded half up to a multiple of the unit's step (1 pc, 0.001 kg)."""
    quantity, step = Decimal(quantity), Decimal(step)
    if step <= 0:
        return quantity
    steps = (quantity / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * step).normalize() if steps else Decimal(0)


def line_net(line: LineInput, currency: str) -> Decimal:
    """Quantity × unit price less the discount, rounded to the currency."""
    gross_price = Decimal(line.quantity) * Decimal(line.unit_price)
    return quantize(gross_price * (HUNDRED - Decimal(line.discount_percent)) / HUNDRED, currency)


def line_tax(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    return quantize(Decimal(net) * Decimal(rate) / HUNDRED, currency)


def line_amounts(line: LineInput, currency: str) -> LineAmounts:
    net = line_net(line, currency)
    tax = line_tax(net, line.tax_rate, currency)
    return LineAmounts(net=net, tax=tax, gross=net + tax)


def document_totals(lines: Iterable[LineInput], currency: str, tax_rounding: str = "line") -> Totals:
    """Per-line amounts and the document's totals. With "document" rounding the tax of each rate is computed
    on the sum of that rate's net amounts and rounded once; lines still show their own rounded tax."""
    lines = tuple(lines)
    amounts = tuple(line_amounts(line, currency) for line in lines)
    return _totals(amounts, [Decimal(line.tax_rate) for line in lines], currency, tax_rounding)


def _totals(amounts, rates, currency, tax_rounding) -> Totals:
    net_total = sum((a.net for a in amounts), Decimal(0))
    by_rate_net: dict[Decimal, Decimal] = {}
    by_rate_tax: dict[Decimal, Decimal] = {}
    for amount, rate in zip(amounts, rates, strict=True):
        key = rate.normalize()
        by_rate_net[key] = by_rate_net.get(key, Decimal(0)) + amount.net
        by_rate_tax[key] = by_rate_tax.get(key, Decimal(0)) + amount.tax
    if tax_rounding == "document":
        by_rate_tax = {rate: line_tax(net, rate, currency) for rate, net in by_rate_net.items()}
    tax_total = sum(by_rate_tax.values(), Decimal(0))
    return Totals(lines=amounts, net=net_total, tax=tax_total, total=net_total + tax_total, tax_by_rate=by_rate_tax)
