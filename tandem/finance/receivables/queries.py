"""Reads of receivables (and payables): aging, the overdue list, payment history, a client's exposure.

Aging is one grouped SQL statement over the open invoices (index company + status + due date): each bucket is
a SUM of CASE WHEN on the due date, per client (or counterparty) and currency, with the base-currency value
(amount due × the invoice's stored rate) next to it. Python only folds the grouped rows (clients × currencies),
never the invoices. Credit notes count negative."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from tandem.core import money
from tandem.core.models import AMOUNT
from tandem.core.prepared import prepared
from tandem.core.services import default_legal_entity
from tandem.finance.models import CreditLimit, CreditPolicy, DunningLevel, DunningReminder, Invoice, Payment
from tandem.parties.models import Client, Counterparty
from tandem.parties.queries import can_see_all_clients, visible_clients

ZERO = Decimal(0)
# (key, label, lowest days overdue, highest days overdue); None: open-ended. Day 0 (due today) is not due.
BUCKETS = (
    ("not_due", _("Not due"), None, 0),
    ("days_1_30", _("1–30 days"), 1, 30),
    ("days_31_60", _("31–60 days"), 31, 60),
    ("days_61_90", _("61–90 days"), 61, 90),
    ("over_90", _("Over 90 days"), 91, None),
)
BUCKET_KEYS = tuple(key for key, *_rest in BUCKETS)
SIDES = {"receivable": Invoice.CUSTOMER_KINDS,
         "payable": (Invoice.Kind.SUPPLIER_BILL, Invoice.Kind.SUPPLIER_CREDIT_NOTE)}
GROUPS = ("client", "counterparty")
_DECIMAL = DecimalField(**AMOUNT)
_BASE = DecimalField(max_digits=30, decimal_places=10)


def visible_invoices(user) -> QuerySet[Invoice]:
    """Invoices of the clients `user` sees (a representative: own clients), for users who read receivables."""
    if not user.is_authenticated or not user.has_perm("finance.view_receivables"):
        return Invoice.objects.none()
    qs = Invoice.objects.all()
    if not can_see_all_clients(user):
        qs = qs.filter(client__in=visible_clients(user))
    return qs


def open_invoices(company, *, side: str = "receivable", user=None) -> QuerySet[Invoice]:
    qs = visible_invoices(user) if user is not None else Invoice.objects.all()
    return qs.filter(company=company, status__in=Invoice.OPEN_STATUSES, kind__in=SIDES[side])


def _signed(expression):
    """Credit notes lower what is owed."""
    return Case(When(kind__in=Invoice.CREDIT_KINDS, then=-expression), default=expression)


@dataclass
class AgingRow:
    key: int | None
    name: str
    buckets: dict[str, Decimal]  # base currency
    total: Decimal
    by_currency: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # currency -> bucket -> amount
    count: int = 0


@dataclass
class Aging:
    company: object
    on: datetime.date
    side: str
    group: str
    currency: str  # the base currency
    rows: list[AgingRow]
    totals: dict[str, Decimal]
    total: Decimal
    totals_by_currency: dict[str, dict[str, Decimal]]

    @property
    def buckets(self):
        return BUCKETS


def _in_bucket(number: int, on: datetime.date) -> Q:
    """The due dates of bucket `number` at `on` (days overdue = on − due date; due today is not due)."""
    _key, _label, low, high = BUCKETS[number]
    condition = Q()
    if low is not None:
        condition &= Q(due_date__lte=on - datetime.timedelta(days=low))
    if high is not None:
        condition &= Q(due_date__gte=on - datetime.timedelta(days=high))
    return condition


def aging(company, on: datetime.date, *, side: str = "receivable", group: str = "client", user=None,
          client_id: int | None = None, currency: str = "") -> Aging:
    """Open invoices of `side` bucketed by days overdue at `on`, per client or counterparty, in the base currency
    and per invoice currency. `user` applies the record rule (a representative sees own clients only).

    One statement grouped by (client or counterparty, currency): per bucket a SUM(CASE WHEN due date in the
    bucket) of the amount due and of its base value (× the invoice's rate), credit notes negative. Python adds
    up those groups (clients × currencies rows), never the invoices."""
    if side not in SIDES:
        side = "receivable"
    key_field = "counterparty_id" if group == "counterparty" else "client_id"
    qs = open_invoices(company, side=side, user=user)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if currency:
        qs = qs.filter(currency=currency)
    amount, base_value = _signed(F("amount_due")), _signed(ExpressionWrapper(F("amount_due") * F("rate"),
                                                                              output_field=_BASE))
    # The amounts of the five buckets, then their base values, in this order (read by position below).
    sums = {key: Sum(Case(When(_in_bucket(number, on), then=amount), default=Value(ZERO), output_field=_DECIMAL),
                     output_field=_DECIMAL) for number, key in enumerate(BUCKET_KEYS)}
    sums.update({f"base_{key}": Sum(Case(When(_in_bucket(number, on), then=base_value), default=Value(ZERO),
                                         output_field=_BASE), output_field=_BASE)
                 for number, key in enumerate(BUCKET_KEYS)})
    rows = _fetch(qs.order_by().values_list(key_field, "currency").annotate(count=Count("id"), **sums))
    base = company.base_currency
    grouped: dict[int | None, AgingRow] = {}
    base_sums: dict[int | None, list[Decimal]] = {}
    totals_by_currency: dict[str, dict[str, Decimal]] = {}
    width = len(BUCKET_KEYS)
    exponents: dict[str, Decimal] = {}
    for key, code, count, *values in rows:
        exponent = exponents.get(code)
        if exponent is None:
            exponent = exponents[code] = Decimal(1).scaleb(-money.minor_unit(code))
        # Stored amounts are rounded to their currency, so their sums are too (SQLite sums in floating point:
        # rounding removes its noise, whatever order the rows were added in).
        amounts = [value.quantize(exponent, rounding=ROUND_HALF_UP) if value else ZERO for value in values[:width]]
        item = grouped.get(key)
        if item is None:
            item = grouped[key] = AgingRow(key=key, name="", buckets={}, total=ZERO)
            base_sums[key] = [ZERO] * width
        item.count += count
        item.by_currency[code] = dict(zip(BUCKET_KEYS, amounts, strict=True))
        overall = totals_by_currency.setdefault(code, dict.fromkeys(BUCKET_KEYS, ZERO))
        for index, bucket in enumerate(BUCKET_KEYS):
            overall[bucket] += amounts[index]
        row_base = base_sums[key]
        for index, value in enumerate(values[width:]):
            if value:
                row_base[index] += value
    names = _names(group, [key for key in grouped if key is not None])
    base_exponent = Decimal(1).scaleb(-money.minor_unit(base))  # money.quantize's rounding, without its look-ups
    for key, item in grouped.items():
        item.name = names.get(key, "") if key is not None else str(_("No counterparty"))
        # The base value of each bucket rounded once, from the exact sum of amount × rate.
        item.buckets = {k: v.quantize(base_exponent, rounding=ROUND_HALF_UP) if v else ZERO
                        for k, v in zip(BUCKET_KEYS, base_sums[key], strict=True)}
        item.total = sum(item.buckets.values(), ZERO)
        item.by_currency = dict(sorted(item.by_currency.items()))
        for per_currency in item.by_currency.values():
            per_currency["total"] = sum((per_currency[k] for k in BUCKET_KEYS), ZERO)
    for code, per_currency in totals_by_currency.items():
        _round_buckets(per_currency, code)
    ordered = sorted(grouped.values(), key=lambda r: (-r.total, r.name))
    totals = {k: sum((r.buckets[k] for r in ordered), ZERO) for k in BUCKET_KEYS}
    return Aging(company=company, on=on, side=side, group=group, currency=base, rows=ordered, totals=totals,
                 total=sum(totals.values(), ZERO), totals_by_currency=dict(sorted(totals_by_currency.items())))


# What Django's SQLite backend does to a Decimal aggregate read as a float (15 significant digits), done in one
# loop instead of a converter call per value: ~60,000 values at 2,000 clients × 3 currencies.
_from_float = decimal.Context(prec=15).create_decimal_from_float


def _fetch(grouped_rows) -> list[tuple]:
    """The grouped rows read with the cursor: (key, currency, count, sums...). SQLite answers the sums as floats
    (converted like Django's converter would), PostgreSQL as Decimals."""
    sql, params = grouped_rows.query.get_compiler(using=grouped_rows.db).as_sql()
    with connections[grouped_rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if connections[grouped_rows.db].vendor != "sqlite":
        return fetched
    return [(key, code, count, *[_from_float(v) if v.__class__ is float else (v if v is None else Decimal(v))
                                 for v in values])
            for key, code, count, *values in fetched]


def _round_buckets(amounts: dict, currency: str) -> None:
    """Round each bucket to the currency (SQLite sums in floating point) and add the total."""
    for key in BUCKET_KEYS:
        if amounts[key]:  # most buckets are empty: zero needs no rounding
            amounts[key] = money.quantize(amounts[key], currency)
    amounts["total"] = sum((amounts[k] for k in BUCKET_KEYS), ZERO)


def _names(group: str, keys: list[int]) -> dict[int, str]:
    if group == "counterparty":
        return dict(Counterparty.objects.filter(pk__in=keys).values_list("pk", "legal_name"))
    return dict(Client.objects.filter(pk__in=keys).values_list("pk", "name"))


# --- The overdue list ---------------------------------------------------------------------------------------

def overdue_invoices(company, on: datetime.date, *, user, client_id: int | None = None, owner_id: int | None = None,
                     min_days: int = 1, side: str = "receivable") -> QuerySet[Invoice]:
    """Open invoices at least `min_days` past their due date at `on`, oldest due first. The owner is the
    invoice's, else its client's."""
    qs = open_invoices(company, side=side, user=user).filter(
        due_date__lte=on - datetime.timedelta(days=max(1, min_days)), kind__in=(Invoice.Kind.CUSTOMER_INVOICE,
                                                                            Invoice.Kind.SUPPLIER_BILL))
    if client_id:
        qs = qs.filter(client_id=client_id)
    if owner_id:
        qs = qs.filter(Q(owner_id=owner_id) | Q(owner__isnull=True, client__owner_id=owner_id))
    return qs.select_related("client", "counterparty", "owner", "client__owner").order_by("due_date", "id")


def days_overdue(invoice: Invoice, on: datetime.date) -> int:
    return max(0, (on - invoice.due_date).days)


def with_days_overdue(invoices, on: datetime.date) -> list[Invoice]:
    """The invoices of one page with `days_overdue` and their last reminder level set (one query)."""
    invoices = list(invoices)
    last = {}
    for invoice_id, level_name in (DunningReminder.objects.filter(invoice__in=invoices)
                                   .order_by("invoice_id", "level__days_overdue")
                                   .values_list("invoice_id", "level__name")):
        last[invoice_id] = level_name
    for invoice in invoices:
        invoice.days_overdue = days_overdue(invoice, on)
        invoice.last_reminder = last.get(invoice.pk, "")
    return invoices


# --- Payment history ------------------------------------------------------------------------------------------

def payment_history(company, *, user, client_id: int | None = None, date_from: datetime.date | None = None,
                    date_to: datetime.date | None = None) -> list[dict]:
    """Posted payments by month, bank or cash account, direction and currency: [{month, account, direction,
    currency, amount, count}], newest month first."""
    qs = Payment.objects.filter(company=company, status=Payment.Status.POSTED)
    if not can_see_all_clients(user):
        qs = qs.filter(client__in=visible_clients(user))
    if client_id:
        qs = qs.filter(client_id=client_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    rows = (qs.annotate(month=TruncMonth("date")).order_by()
            .values("month", "payment_account_id", "payment_account__name", "direction", "currency")
            .annotate(amount=Sum("amount"), count=Count("id"))
            .order_by("-month", "payment_account__name", "direction", "currency"))
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        result.append({"month": month, "account_id": row["payment_account_id"],
                       "account": row["payment_account__name"], "direction": row["direction"],
                       "currency": row["currency"], "amount": money.quantize(row["amount"] or ZERO, row["currency"]),
                       "count": row["count"]})
    return result


# --- A client's exposure ----------------------------------------------------------------------------------------

@dataclass
class Exposure:
    """What a client owes us and how that compares with its credit limit, in `currency` (the limit's, else our
    base currency). `balance` = open invoices' amount due − unallocated incoming payments."""

    client: Client
    currency: str
    on: datetime.date
    open_amount: Decimal
    unallocated: Decimal
    balance: Decimal
    overdue: Decimal
    max_days_overdue: int
    limit: CreditLimit | None
    by_currency: dict[str, Decimal]

    @property
    def limit_amount(self) -> Decimal | None:
        return self.limit.amount if self.limit else None

    @property
    def available(self) -> Decimal | None:
        return self.limit.amount - self.balance if self.limit else None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.balance > self.limit.amount

    @property
    def overdue_exceeded(self) -> bool:
        if self.limit is None:
            return False
        if self.limit.max_overdue is not None and self.overdue > self.limit.max_overdue:
            return True
        return self.limit.max_days_overdue is not None and self.max_days_overdue > self.limit.max_days_overdue


_CREDIT_LIMIT = prepared(lambda client_id: CreditLimit.objects.filter(client_id=client_id).order_by("pk")[:1])


def credit_limit_of(client) -> CreditLimit | None:
    return _CREDIT_LIMIT.first(client.pk)


def credit_policy(company) -> str:
    row = CreditPolicy.objects.filter(company=company).first()
    return row.mode if row else CreditPolicy.Mode.REFUSE


def client_exposure(client, *, on: datetime.date | None = None, company=None) -> Exposure:
    """The client's balance, overdue amount and limit. Amounts in another currency are valued at the rate stored
    on their invoice or payment (base currency), then, when the limit is in another currency, converted at the
    day's rate (core.money; NoExchangeRate when there is none). Three aggregate queries."""
    on = on or datetime.date.today()
    company = company or default_legal_entity()
    base = company.base_currency
    limit = credit_limit_of(client)
    currency = limit.currency if limit else base
    base_value = ExpressionWrapper(F("amount_due") * F("rate"), output_field=_BASE)
    invoices = Invoice.objects.filter(client=client, company=company, status__in=Invoice.OPEN_STATUSES,
                                      kind__in=Invoice.CUSTOMER_KINDS)
    overdue_filter = Q(due_date__lt=on, kind=Invoice.Kind.CUSTOMER_INVOICE)
    sums = invoices.aggregate(
        open=Sum(_signed(base_value), output_field=_BASE),
        overdue=Sum(Case(When(overdue_filter, then=base_value), default=Value(ZERO), output_field=_BASE),
                    output_field=_BASE),
        oldest=Min("due_date", filter=overdue_filter))
    by_currency = dict(invoices.order_by().values("currency").annotate(s=Sum(_signed(F("amount_due")),
                                                                            output_field=_DECIMAL))
                       .values_list("currency", "s"))
    unallocated = (Payment.objects.filter(client=client, company=company, status=Payment.Status.POSTED,
                                          direction=Payment.Direction.INCOMING, unallocated_amount__gt=0)
                   .aggregate(s=Sum(ExpressionWrapper(F("unallocated_amount") * F("rate"), output_field=_BASE)))["s"])

    def value(amount) -> Decimal:
        amount = money.quantize(amount or ZERO, base)
        return amount if currency == base else money.convert(amount, base, currency, on=on)

    open_amount, unallocated_value, overdue = value(sums["open"]), value(unallocated), value(sums["overdue"])
    oldest = sums["oldest"]
    return Exposure(client=client, currency=currency, on=on, open_amount=open_amount, unallocated=unallocated_value,
                    balance=open_amount - unallocated_value, overdue=overdue,
                    max_days_overdue=(on - oldest).days if oldest else 0, limit=limit,
                    by_currency={code: money.quantize(amount or ZERO, code) for code, amount in by_currency.items()})


def exposure_for(user, client, **kwargs) -> Exposure | None:
    """The exposure when `user` may read it (receivables readers, on clients they see), else None."""
    if not user.has_perm("finance.view_receivables"):
        return None
    if not can_see_all_clients(user) and client.owner_id != user.pk:
        return None
    return client_exposure(client, **kwargs)


# --- Dunning -------------------------------------------------------------------------------------------------

def dunning_levels(company) -> QuerySet[DunningLevel]:
    return DunningLevel.objects.filter(company=company).order_by("days_overdue")


def reminders(company, *, user, client_id: int | None = None, status: str = "",
              run_date: datetime.date | None = None) -> QuerySet[DunningReminder]:
    qs = DunningReminder.objects.filter(company=company)
    if not can_see_all_clients(user):
        qs = qs.filter(client__in=visible_clients(user))
    if client_id:
        qs = qs.filter(client_id=client_id)
    if status:
        qs = qs.filter(status=status)
    if run_date:
        qs = qs.filter(run_date=run_date)
    return qs.select_related("invoice", "level", "client", "sent_by").order_by("-run_date", "-id")


def last_run_date(company) -> datetime.date | None:
    return DunningReminder.objects.filter(company=company).aggregate(d=Max("run_date"))["d"]
