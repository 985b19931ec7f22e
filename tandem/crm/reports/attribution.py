"""The attribution report: per source, campaign or marketing event, how many leads and deals it brought,
how many deals were won and for how much, what it cost, and the cost per lead and per won deal.

Counting rules (one place, shared by the page and the API):
- leads and deals are counted by the day they were created (a cohort), within the date range;
- won deals and the won amount are those of the counted deals that are won now;
- a campaign's cost is its own cost plus the cost of its events; a source's cost is the cost of the
  campaigns and of the events attributed to that source; a campaign or event counts when it starts in the
  range (or has no start date);
- every sum is per currency, rounded with core.money.quantize, and also added up in the company's base
  currency at the rates of the range's last day (today for an open range); currencies without a rate are
  named (`missing`), never dropped silently.

Counts and sums are aggregated in SQL (GROUP BY); the page and API only add labels."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tandem.core.money import BaseTotal, convert_totals, quantize
from tandem.core.services import base_currency
from tandem.crm.models import Campaign, Deal, Lead, MarketingEvent
from tandem.parties.models import Source

GROUPS = ("source", "campaign", "event")


@dataclass
class AttributionRow:
    key: int | None  # the source / campaign / event id; None: leads and deals without one
    name: str
    leads: int = 0
    deals: int = 0
    won_deals: int = 0
    won_amounts: dict[str, Decimal] = field(default_factory=dict)
    costs: dict[str, Decimal] = field(default_factory=dict)
    won_base: BaseTotal | None = None  # won_amounts in the base currency
    costs_base: BaseTotal | None = None  # costs in the base currency

    @property
    def cost_per_lead(self) -> dict[str, Decimal | None]:
        return {cur: quantize(cost / self.leads, cur) if self.leads else None for cur, cost in self.costs.items()}

    @property
    def cost_per_won_deal(self) -> dict[str, Decimal | None]:
        return {cur: quantize(cost / self.won_deals, cur) if self.won_deals else None
                for cur, cost in self.costs.items()}

    @property
    def conversion_percent(self) -> Decimal | None:
        """Won deals per lead, in percent (one decimal)."""
        if not self.leads:
            return None
        return (Decimal(self.won_deals) * 100 / self.leads).quantize(Decimal("0.1"))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _created_in(date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    cond = Q()
    if date_from:
        cond &= Q(created_at__gte=_day_start(date_from))
    if date_to:
        cond &= Q(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return cond


def _starts_in(date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    cond = Q()
    if date_from:
        cond &= Q(starts_on__gte=date_from)
    if date_to:
        cond &= Q(starts_on__lte=date_to)
    return cond | Q(starts_on__isnull=True) if (date_from or date_to) else cond


def _costs(group: str, date_from, date_to) -> list[tuple[int, str, Decimal]]:
    """(group key, currency, summed cost) rows, summed in SQL."""
    campaigns = Campaign.objects.filter(_starts_in(date_from, date_to))
    events = MarketingEvent.objects.filter(_starts_in(date_from, date_to))
    if group == "event":
        parts = [(events, "id")]
    elif group == "campaign":
        parts = [(campaigns, "id"), (events.filter(campaign__isnull=False), "campaign_id")]
    else:
        parts = [(campaigns.filter(source__isnull=False), "source_id"),
                 (events.filter(source__isnull=False), "source_id")]
    rows = []
    for qs, key_field in parts:
        rows += list(qs.order_by().values(key_field, "currency").annotate(total=Sum("cost"))
                     .values_list(key_field, "currency", "total"))
    return rows


def _labels(group: str, keys) -> dict[int, str]:
    model = {"source": Source, "campaign": Campaign, "event": MarketingEvent}[group]
    return {pk: name for pk, name in model.objects.filter(pk__in=keys).values_list("pk", "name")}


def attribution_report(
    group: str = "source",
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    leads: QuerySet[Lead] | None = None,
    deals: QuerySet[Deal] | None = None,
    unattributed_label: str = "—",
) -> list[AttributionRow]:
    """Rows of the report grouped by `group` ("source", "campaign" or "event"), largest first.

    `leads` / `deals` narrow what is counted (e.g. to what a user may see); default: all."""
    if group not in GROUPS:
        raise ValueError(f"Unknown attribution group {group!r}.")
    key = f"{group}_id"
    created = _created_in(date_from, date_to)
    leads = (Lead.objects.all() if leads is None else leads).filter(created).order_by()
    deals = (Deal.objects.all() if deals is None else deals).filter(created).order_by()
    won = Q(status=Deal.Status.WON)

    rows: dict[int | None, AttributionRow] = {}

    def row(pk) -> AttributionRow:
        if pk not in rows:
            rows[pk] = AttributionRow(key=pk, name="")
        return rows[pk]

    for pk, count in leads.values(key).annotate(n=Count("pk")).values_list(key, "n"):
        row(pk).leads = count
    for pk, count, won_count in (deals.values(key).annotate(n=Count("pk"), won=Count("pk", filter=won))
                                 .values_list(key, "n", "won")):
        row(pk).deals, row(pk).won_deals = count, won_count
    for pk, currency, total in (deals.filter(won).values(key, "currency").annotate(total=Sum("amount"))
                                .values_list(key, "currency", "total")):
        if total is not None:
            amounts = row(pk).won_amounts
            amounts[currency] = quantize(amounts.get(currency, Decimal(0)) + total, currency)
    totals: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pk, currency, total in _costs(group, date_from, date_to):
        totals[pk][currency] = totals[pk].get(currency, Decimal(0)) + (total or Decimal(0))
    for pk, by_currency in totals.items():
        costs = {cur: quantize(amount, cur) for cur, amount in by_currency.items() if amount}
        if costs:
            row(pk).costs = costs

    labels = _labels(group, [pk for pk in rows if pk is not None])
    today = timezone.localdate()
    on, base, rates = min(date_to, today) if date_to else today, base_currency(), {}
    for pk, r in rows.items():
        r.name = labels.get(pk, "") if pk is not None else str(unattributed_label)
        r.won_base = convert_totals(r.won_amounts, base, on=on, rates=rates)
        r.costs_base = convert_totals(r.costs, base, on=on, rates=rates)
    return sorted(rows.values(), key=lambda r: (r.key is None, -r.leads, -r.deals, r.name.lower()))
