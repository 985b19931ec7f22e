"""Totals of commercial documents (quotes, orders, invoices, credit notes) as pure functions (no ORM): exact
Decimal, rounded per ARCHITECTURE.md 5. Finance owns them because invoices post what they compute; sales
imports them from here.

- Prices without tax (the default): each line's net (quantity × price less the discount) is rounded to the
  currency first; tax is rounded per line (`tax_rounding="line"`) or once per tax rate on the sum of that
  rate's nets (`"document"`); totals add rounded values.
- Prices including tax (`prices_include_tax=True`): each line's gross is rounded first and the tax is taken
  out of it (gross × rate / (100 + rate)), per line or once per rate on the sum of the grosses; the net is
  what remains, so the total is always the sum of the grosses the customer was shown.
- An exempt or reverse-charge line (`tax_kind`) carries no tax amount whatever its rate; it is grouped apart
  from zero-rated lines in `tax_groups` because the invoice names its legal reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from tandem.core.money import quantize

HUNDRED = Decimal(100)
ZERO = Decimal(0)
# Tax kinds whose lines carry no tax amount (the tax is due by nobody, or by the buyer).
NO_TAX_KINDS = ("exempt", "reverse_charge")


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    tax_kind: str = "standard"

    @property
    def effective_rate(self) -> Decimal:
        """The rate the tax is computed with: none for exempt and reverse-charge lines."""
        return ZERO if self.tax_kind in NO_TAX_KINDS else Decimal(self.tax_rate)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True)
class TaxGroup:
    kind: str
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    tax_by_rate: dict[Decimal, Decimal]
    tax_groups: tuple[TaxGroup, ...] = ()


def line_net(line: LineInput, currency: str) -> Decimal:
    """Quantity × unit price less the discount, rounded to the currency (the gross when prices include tax)."""
    gross_price = Decimal(line.quantity) * Decimal(line.unit_price)
    return quantize(gross_price * (HUNDRED - Decimal(line.discount_percent)) / HUNDRED, currency)


def line_tax(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    return quantize(Decimal(net) * Decimal(rate) / HUNDRED, currency)


def included_tax(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """The tax contained in a gross amount at `rate` %: gross × rate / (100 + rate), rounded."""
    rate = Decimal(rate)
    return quantize(Decimal(gross) * rate / (HUNDRED + rate), currency)


def line_amounts(line: LineInput, currency: str, prices_include_tax: bool = False) -> LineAmounts:
    amount = line_net(line, currency)
    rate = line.effective_rate
    if prices_include_tax:
        tax = included_tax(amount, rate, currency)
        return LineAmounts(net=amount - tax, tax=tax, gross=amount)
    tax = line_tax(amount, rate, currency)
    return LineAmounts(net=amount, tax=tax, gross=amount + tax)


def document_totals(lines: Iterable[LineInput], currency: str, tax_rounding: str = "line",
                    prices_include_tax: bool = False) -> Totals:
    """Per-line amounts and the document's totals. With "document" rounding the tax of each rate is computed
    on the sum of that rate's amounts and rounded once; lines still show their own rounded tax."""
    lines = tuple(lines)
    amounts = tuple(line_amounts(line, currency, prices_include_tax) for line in lines)
    groups: dict[tuple[str, Decimal], list[Decimal]] = {}  # (kind, rate) → [net, tax, gross]
    for line, amount in zip(lines, amounts, strict=True):
        kind = line.tax_kind if line.tax_kind in NO_TAX_KINDS else "taxed"
        group = groups.setdefault((kind, Decimal(line.tax_rate).normalize()), [ZERO, ZERO, ZERO])
        group[0] += amount.net
        group[1] += amount.tax
        group[2] += amount.gross
    if tax_rounding == "document":
        for (kind, rate), group in groups.items():
            if kind in NO_TAX_KINDS:
                continue
            if prices_include_tax:
                group[1] = included_tax(group[2], rate, currency)
                group[0] = group[2] - group[1]
            else:
                group[1] = line_tax(group[0], rate, currency)
                group[2] = group[0] + group[1]
    tax_groups = tuple(TaxGroup(kind=kind, rate=rate, net=net, tax=tax)
                       for (kind, rate), (net, tax, _gross) in groups.items())
    net_total = sum((g.net for g in tax_groups), ZERO)
    tax_total = sum((g.tax for g in tax_groups), ZERO)
    by_rate: dict[Decimal, Decimal] = {}
    for group in tax_groups:
        by_rate[group.rate] = by_rate.get(group.rate, ZERO) + group.tax
    return Totals(lines=amounts, net=net_total, tax=tax_total, total=net_total + tax_total, tax_by_rate=by_rate,
                  tax_groups=tax_groups)
