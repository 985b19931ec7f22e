"""Pure calculations of sales documents (no ORM). The totals of quotes and orders (line amounts, tax per line or
per document) are finance's (`tandem.finance.calculations`, shared with invoices) and imported from there, so
`from tandem.sales.calculations import document_totals` keeps working."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from tandem.finance.calculations import (  # noqa: F401  (re-exported: sales code and tests import them here)
    HUNDRED,
    LineAmounts,
    LineInput,
    Totals,
    document_totals,
    line_amounts,
    line_net,
    line_tax,
)


def round_to_step(quantity: Decimal, step: Decimal) -> Decimal:
    """A quantity rounded half up to a multiple of the unit's step (1 pc, 0.001 kg)."""
    quantity, step = Decimal(quantity), Decimal(step)
    if step <= 0:
        return quantity
    steps = (quantity / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * step).normalize() if steps else Decimal(0)


# --- Shipping: the order's status from its quantities (issue #13.5) ---------------------------------------------


def order_status_from_shipped(status: str, lines: Iterable[tuple[Decimal, Decimal]]) -> str:
    """The status a confirmed order has after shipping, from (ordered, shipped) per goods line in stock units:
    nothing shipped keeps the status, every line fully shipped is "shipped", anything between "partly_shipped".
    Closed and cancelled orders keep their status. Service lines are not passed (they never ship)."""
    if status not in ("confirmed", "partly_shipped", "shipped"):
        return status
    lines = list(lines)
    if not lines or all(shipped <= 0 for _ordered, shipped in lines):
        return status
    if all(shipped >= ordered for ordered, shipped in lines):
        return "shipped"
    return "partly_shipped"


def plain(quantity: Decimal) -> str:
    """A quantity without trailing zeros and never in exponent form (10, 2.5), for messages and API extras."""
    return format(quantity.normalize(), "f")
