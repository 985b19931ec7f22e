"""Segment criteria: their schema, their validation and their evaluation over clients.

A rule segment stores its criteria as JSON; `validate_criteria` refuses unknown keys and bad values
(naming the key as ``criteria.<key>``) and returns them normalised. `segment_clients` evaluates a segment
live as ONE queryset over parties.Client, always intersected with the clients the user may see.

Criteria (every key optional, all given keys must hold):

- ``status``: list of client statuses (any of them); ``kind``: client type (``b2b`` / ``b2c``)
- ``owner_id``: the owner's user id; ``source_id``: the source of first contact
- ``tags``: list of tag names, the client has at least one of them
- ``name_contains``: text in the client's name (case-insensitive)
- ``last_interaction_after`` / ``last_interaction_before``: dates (YYYY-MM-DD). "After D" means the latest
  interaction happened on D or later; "before D" means the latest one happened before D, or there was none
  (not contacted since D)
- ``won_deals_min`` / ``won_deals_max``: number of won deals (all currencies)
- ``won_amount_min`` / ``won_amount_max``: sum of the amounts of won deals in ``currency`` (a decimal string)
- ``currency``: ISO 4217 code the won amount is summed in (default: the company's base currency)

Relative criteria are stored as numbers and measured back from the moment the segment is used, so a
segment stays true as time passes ("not contacted for 90 days" is 90 days before today, every day):

- ``no_interaction_days``: N (1..36500): no interaction in the last N days (or none at all)
- ``created_within_days``: N (1..36500): the client was created in the last N days
- ``won_within_months``: N (1..1200): the client won a deal in the last N months
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tandem.core import formats, limits
from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.money import parse_decimal
from tandem.core.search_keys import fold
from tandem.core.services import get_company
from tandem.crm.models import Deal, Interaction, Segment
from tandem.parties.models import Client, Source, Tag
from tandem.parties.queries import visible_clients

AMOUNT_FIELD = DecimalField(max_digits=18, decimal_places=4)

CRITERIA_KEYS = (
    "status", "kind", "owner_id", "source_id", "tags", "name_contains",
    "last_interaction_after", "last_interaction_before",
    "won_deals_min", "won_deals_max", "won_amount_min", "won_amount_max", "currency",
    "no_interaction_days", "created_within_days", "won_within_months",
)  # fmt: skip

# Relative criteria and their bounds: days up to a hundred years, months likewise.
RELATIVE_BOUNDS = {"no_interaction_days": 36500, "created_within_days": 36500, "won_within_months": 1200}


def _refuse(key: str, message: str):
    raise BusinessRuleError("invalid_criteria", message, field=f"criteria.{key}")


def _as_int(key: str, value, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        _refuse(key, _("Enter a whole number."))
    try:
        number = int(str(value).strip())
    except ValueError:
        _refuse(key, _("Enter a whole number."))
    if maximum is not None and not minimum <= number <= maximum:
        _refuse(key, _("Enter a number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum})
    if number < minimum:
        _refuse(key, _("Enter a number of at least %(minimum)s.") % {"minimum": minimum})
    if number > limits.MAX_ID:
        _refuse(key, limits.integer_message())
    return number


def _as_date(key: str, value) -> str:
    if not isinstance(value, str):
        _refuse(key, _("Enter a date as YYYY-MM-DD."))
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        _refuse(key, _("Enter a date as YYYY-MM-DD."))
    problem = limits.date_problem(day)
    if problem:
        _refuse(key, problem)
    return day.isoformat()


def _as_amount(key: str, value) -> str:
    try:
        amount = parse_decimal(value)
    except ValueError:
        amount = None
    if amount is None:
        _refuse(key, _("Enter an amount as a decimal string, e.g. \"1500.00\"."))
    if amount < 0:
        _refuse(key, _("Enter an amount of zero or more."))
    problem = limits.amount_problem(amount)
    if problem:
        _refuse(key, problem)
    return str(amount)


def _as_choices(key: str, value, choices) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        _refuse(key, _("Enter a list of values."))
    allowed = {c for c, _label in choices}
    for v in values:
        if v not in allowed:
            _refuse(key, _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": v, "allowed": ", ".join(sorted(allowed))})
    return sorted(set(values))


def validate_criteria(raw) -> dict:
    """Criteria in their stored form, or BusinessRuleError(field="criteria.<key>") on the first problem."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BusinessRuleError("invalid_criteria", _("Criteria must be an object."), field="criteria")
    for key in raw:
        if key not in CRITERIA_KEYS:
            _refuse(key, _("Unknown criterion “%(key)s”.") % {"key": key})
    out: dict = {}
    for key, value in raw.items():
        if value is None or value == "" or value == []:
            continue
        if key == "status":
            out[key] = _as_choices(key, value, Client.Status.choices)
        elif key == "kind":
            if value not in Client.Kind.values:
                _refuse(key, _("“%(value)s” is not one of: %(allowed)s.")
                        % {"value": value, "allowed": ", ".join(Client.Kind.values)})
            out[key] = value
        elif key == "owner_id":
            out[key] = _as_int(key, value, minimum=1)
            if not User.objects.filter(pk=out[key]).exists():
                _refuse(key, _("There is no user #%(id)s.") % {"id": out[key]})
        elif key == "source_id":
            out[key] = _as_int(key, value, minimum=1)
            if not Source.objects.filter(pk=out[key]).exists():
                _refuse(key, _("There is no source #%(id)s.") % {"id": out[key]})
        elif key == "tags":
            tags = [value] if isinstance(value, str) else value
            if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
                _refuse(key, _("Enter a list of tag names."))
            names = sorted({t.strip() for t in tags})
            known = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
            for name in names:
                if name not in known:
                    _refuse(key, _("There is no tag “%(name)s”.") % {"name": name})
            out[key] = names
        elif key == "name_contains":
            if not isinstance(value, str):
                _refuse(key, _("Enter text."))
            out[key] = value.strip()
        elif key in ("last_interaction_after", "last_interaction_before"):
            out[key] = _as_date(key, value)
        elif key in ("won_deals_min", "won_deals_max"):
            out[key] = _as_int(key, value)
        elif key in RELATIVE_BOUNDS:
            out[key] = _as_int(key, value, minimum=1, maximum=RELATIVE_BOUNDS[key])
        elif key in ("won_amount_min", "won_amount_max"):
            out[key] = _as_amount(key, value)
        elif key == "currency":
            if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
                _refuse(key, _("Enter a three-letter currency code."))
            out[key] = value.strip().upper()
    for low, high in (("won_deals_min", "won_deals_max"), ("won_amount_min", "won_amount_max"),
                      ("last_interaction_after", "last_interaction_before")):
        if low in out and high in out:
            lo, hi = out[low], out[high]
            if low.startswith("won_amount"):
                lo, hi = Decimal(lo), Decimal(hi)
            if (lo > hi) if not low.startswith("last_") else (lo >= hi):
                _refuse(high, _("This must be greater than %(other)s.") % {"other": low})
    return out


def criteria_currency(criteria: dict) -> str:
    if criteria.get("currency"):
        return criteria["currency"]
    return get_company().base_currency


def _start_of(day: str) -> datetime.datetime:
    """Midnight of an ISO date in the current time zone. A date stored before core.limits held the window
    (say 0001-01-01) is brought into it, so the segment still evaluates instead of breaking its pages."""
    try:
        date = datetime.date.fromisoformat(day)
    except (TypeError, ValueError):
        date = limits.MIN_DATE
    date = min(max(date, limits.MIN_DATE), limits.MAX_DATE)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def annotate_clients(qs: QuerySet[Client], currency: str) -> QuerySet[Client]:
    """Add last_interaction_at, won_deals and won_amount (won deals in `currency`) as SQL subqueries
    (subqueries, not joins: joining interactions and deals together would multiply the sums)."""
    last = (Interaction.objects.filter(client=OuterRef("pk")).order_by().values("client")
            .annotate(last=Max("occurred_at")).values("last"))
    won = Deal.objects.filter(client=OuterRef("pk"), status=Deal.Status.WON).order_by().values("client")
    # COUNT(*), not COUNT(id): PostgreSQL then counts from the (client, status, …) index alone.
    won_count = won.annotate(n=Count("*")).values("n")
    won_sum = won.filter(currency=currency).annotate(total=Sum("amount")).values("total")
    return qs.annotate(
        last_interaction_at=Subquery(last),
        won_deals=Coalesce(Subquery(won_count, output_field=IntegerField()), Value(0)),
        won_amount=Coalesce(Subquery(won_sum, output_field=AMOUNT_FIELD), Value(Decimal("0")),
                            output_field=AMOUNT_FIELD),
    )


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, days_in_month))


def apply_criteria(qs: QuerySet[Client], criteria: dict, now: datetime.datetime | None = None) -> QuerySet[Client]:
    """Filter annotated clients by validated criteria; relative ones count back from `now` (default: now)."""
    c = criteria
    now = now or timezone.now()
    if c.get("status"):
        qs = qs.filter(status__in=c["status"])
    if c.get("kind"):
        qs = qs.filter(kind=c["kind"])
    if c.get("owner_id"):
        qs = qs.filter(owner_id=c["owner_id"])
    if c.get("source_id"):
        qs = qs.filter(first_source_id=c["source_id"])
    if c.get("tags"):
        qs = qs.filter(Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"), tag__name__in=c["tags"])))
    if c.get("name_contains"):
        qs = qs.filter(search_name__contains=fold(c["name_contains"]))
    if c.get("last_interaction_after"):
        qs = qs.filter(last_interaction_at__gte=_start_of(c["last_interaction_after"]))
    if c.get("last_interaction_before"):
        qs = qs.filter(Q(last_interaction_at__isnull=True)
                       | Q(last_interaction_at__lt=_start_of(c["last_interaction_before"])))
    if "won_deals_min" in c:
        qs = qs.filter(won_deals__gte=c["won_deals_min"])
    if "won_deals_max" in c:
        qs = qs.filter(won_deals__lte=c["won_deals_max"])
    if "won_amount_min" in c:
        qs = qs.filter(won_amount__gte=Decimal(c["won_amount_min"]))
    if "won_amount_max" in c:
        qs = qs.filter(won_amount__lte=Decimal(c["won_amount_max"]))
    if c.get("no_interaction_days"):
        since = now - datetime.timedelta(days=c["no_interaction_days"])
        qs = qs.filter(Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=since))
    if c.get("created_within_days"):
        qs = qs.filter(created_at__gte=now - datetime.timedelta(days=c["created_within_days"]))
    if c.get("won_within_months"):
        since = months_before(now, c["won_within_months"])
        qs = qs.filter(Exists(Deal.objects.filter(client=OuterRef("pk"), status=Deal.Status.WON,
                                                  closed_at__gte=since)))
    return qs


def segment_clients(segment: Segment, user) -> QuerySet[Client]:
    """The segment's members the user may see, annotated, ordered by name: one query."""
    criteria = segment.criteria if segment.kind == Segment.Kind.RULE else {}
    qs = annotate_clients(visible_clients(user), criteria_currency(criteria))
    if segment.kind == Segment.Kind.STATIC:
        qs = qs.filter(Exists(Segment.members.through.objects.filter(segment_id=segment.pk,
                                                                     client_id=OuterRef("pk"))))
    else:
        qs = apply_criteria(qs, criteria)
    return qs.order_by("search_name", "id")


def describe_criteria(criteria: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for showing a rule segment's criteria to people: choices by their labels, owner
    and source by name, dates and amounts formatted for the user (core.formats), relative ones in words
    ("No interaction in the last", "90 days")."""
    labels = criteria_labels()
    names = {"status": dict(Client.Status.choices), "kind": dict(Client.Kind.choices)}
    rows = []
    for key, value in criteria.items():
        values = value if isinstance(value, list) else [value]
        if key in ("no_interaction_days", "created_within_days"):
            texts = [ngettext("%(count)s day", "%(count)s days", value) % {"count": value}]
        elif key == "won_within_months":
            texts = [ngettext("%(count)s month", "%(count)s months", value) % {"count": value}]
        elif key in names:
            texts = [str(names[key].get(v, v)) for v in values]
        elif key == "owner_id":
            owners = {u.pk: u.display_name for u in User.objects.filter(pk__in=[v for v in values if str(v).isdigit()])}
            texts = [owners.get(int(v), str(v)) if str(v).isdigit() else str(v) for v in values]
        elif key == "source_id":
            sources = dict(Source.objects.filter(pk__in=[v for v in values if str(v).isdigit()])
                           .values_list("pk", "name"))
            texts = [sources.get(int(v), str(v)) if str(v).isdigit() else str(v) for v in values]
        elif key.startswith("last_interaction_"):
            texts = [formats.format_date(v) for v in values]
        elif key.startswith("won_amount_"):
            texts = [formats.format_money(v, criteria.get("currency", "")) for v in values]
        elif key.startswith("won_deals_"):
            texts = [formats.format_number(v) for v in values]
        else:
            texts = [str(v) for v in values]
        rows.append((str(labels.get(key, key)), ", ".join(texts)))
    return rows


def criteria_labels() -> dict:
    return {
        "status": gettext_lazy("Client status"), "kind": gettext_lazy("Client type"),
        "owner_id": gettext_lazy("Owner"), "source_id": gettext_lazy("Source"), "tags": gettext_lazy("Tags"),
        "name_contains": gettext_lazy("Name contains"),
        "last_interaction_after": gettext_lazy("Last interaction on or after"),
        "last_interaction_before": gettext_lazy("No interaction since"),
        "won_deals_min": gettext_lazy("Won deals, at least"), "won_deals_max": gettext_lazy("Won deals, at most"),
        "won_amount_min": gettext_lazy("Won amount, at least"), "won_amount_max": gettext_lazy("Won amount, at most"),
        "currency": gettext_lazy("Currency of won amount"),
        "no_interaction_days": gettext_lazy("No interaction in the last"),
        "created_within_days": gettext_lazy("Created in the last"),
        "won_within_months": gettext_lazy("Won a deal in the last"),
    }  # fmt: skip
