"""Segment comparison report: chosen segments side by side.

Per segment, over its members the user may see and the deals of those clients the user may see
(crm.queries.visibility.visible_deals):

- clients: members; deals: all deals; won deals and lost deals (counts)
- won amount per currency: sum of the amounts of won deals, rounded to the currency's minor unit, and
  their sum in the company's base currency at today's rates (`won_base`; currencies without a rate are
  named in its `missing`, not dropped)
- average won deal per currency: won amount / number of won deals with an amount in that currency,
  rounded half up to the minor unit (won deals without an amount are counted as won, not averaged)
- conversion rate: won / closed deals, closed = won + lost (open deals are not decided yet), in percent
  with two decimals; None while the segment has no closed deal.

Every number is an SQL aggregate: two queries per segment (members, deals by currency) whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from tandem.core.money import BaseTotal, convert_totals, quantize
from tandem.core.services import base_currency
from tandem.crm.models import Deal, Segment
from tandem.crm.queries.visibility import visible_deals
from tandem.crm.segments import segment_clients

HUNDRED = Decimal(100)


@dataclass
class CurrencyTotals:
    currency: str
    won_deals: int
    won_amount: Decimal
    average_won_deal: Decimal | None


@dataclass
class SegmentRow:
    segment: Segment
    clients: int
    deals: int
    won_deals: int
    lost_deals: int
    conversion_rate: Decimal | None
    by_currency: list[CurrencyTotals] = field(default_factory=list)
    won_base: BaseTotal | None = None


def conversion_rate(won: int, lost: int) -> Decimal | None:
    closed = won + lost
    if not closed:
        return None
    return (Decimal(won) * HUNDRED / Decimal(closed)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def compare_segments(segments: list[Segment], user) -> list[SegmentRow]:
    rows = []
    on, base, rates = timezone.localdate(), base_currency(), {}
    for segment in segments:
        members = segment_clients(segment, user)
        deals = visible_deals(user).filter(client__in=members.values("pk"))
        # One pass over the segment's deals: counts of all, won and lost, and the won amounts, per currency.
        won = Q(status=Deal.Status.WON)
        per_currency = list(
            deals.order_by().values("currency")
            .annotate(deals=Count("pk"), n=Count("pk", filter=won), lost=Count("pk", filter=Q(status=Deal.Status.LOST)),
                      with_amount=Count("amount", filter=won), total=Sum("amount", filter=won))
            .order_by("currency")
        )
        totals = {key: sum(row[key] for row in per_currency) for key in ("deals", "n", "lost")}
        totals["won"] = totals.pop("n")
        by_currency = []
        for row in per_currency:
            if not row["n"]:
                continue
            total = row["total"] or Decimal(0)
            average = (quantize(total / row["with_amount"], row["currency"]) if row["with_amount"] else None)
            by_currency.append(CurrencyTotals(row["currency"], row["n"], quantize(total, row["currency"]), average))
        rows.append(SegmentRow(
            segment=segment, clients=members.count(), deals=totals["deals"], won_deals=totals["won"],
            lost_deals=totals["lost"], conversion_rate=conversion_rate(totals["won"], totals["lost"]),
            by_currency=by_currency,
            won_base=convert_totals([(t.currency, t.won_amount) for t in by_currency], base, on=on, rates=rates),
        ))
    return rows
