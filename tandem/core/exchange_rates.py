"""Exchange rates: entered one by one (settings page, API) or imported from CSV, and listed with filters.

A rate row says "on `date`, 1 `base_currency` = `rate` `quote_currency`" (the way central banks publish
them: 1 EUR = 1.0832 USD). core.money.convert reads them. One row per pair and day: entering a second rate
for the same pair and day is refused (409), so a correction is visible as a refusal, not a silent overwrite.

CSV import (all or nothing): a header line with the columns `date`, `currency` (or `quote`), `rate` and,
optionally, `base` (default: the company's base currency); comma or semicolon separated; dates as
YYYY-MM-DD; rates with a decimal point (or a decimal comma in semicolon files). Every bad row is reported
with its line number and column, and then nothing is saved. Rows already stored with the same rate are
left as they are, so importing the same file twice is harmless."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.core import audit, limits
from tandem.core.currencies import is_active_currency
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import ExchangeRate, User
from tandem.core.permissions import require_permission
from tandem.core.services import base_currency as company_base_currency

RATE_FIELDS = ("base_currency", "quote_currency", "date", "rate")
RATE_PLACES = limits.EXCHANGE_RATE_STEP
MAX_RATE = limits.MAX_EXCHANGE_RATE  # 15 significant digits: reads back identically on SQLite
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
COLUMN_ALIASES = {"date": "date", "day": "date", "currency": "currency", "quote": "currency",
                  "quote_currency": "currency", "rate": "rate", "base": "base", "base_currency": "base"}



# --- Reads ---------------------------------------------------------------------------------------------

def filter_exchange_rates(qs: QuerySet[ExchangeRate] | None = None, *, currency: str | None = None,
                          base_currency: str | None = None, quote_currency: str | None = None,
                          date_from: datetime.date | None = None,
                          date_to: datetime.date | None = None) -> QuerySet[ExchangeRate]:
    """Rates newest first; `currency` matches either side of the pair."""
    qs = ExchangeRate.objects.all() if qs is None else qs
    if currency:
        code = currency.strip().upper()
        qs = qs.filter(Q(base_currency=code) | Q(quote_currency=code))
    if base_currency:
        qs = qs.filter(base_currency=base_currency.strip().upper())
    if quote_currency:
        qs = qs.filter(quote_currency=quote_currency.strip().upper())
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "base_currency", "quote_currency", "-id")


# --- Checks (pure) ---------------------------------------------------------------------------------------

def parse_currency(value, *, field: str) -> str:
    code = (value or "").strip().upper() if isinstance(value, str) else ""
    if not is_active_currency(code):
        raise BusinessRuleError("invalid_currency", _("“%(value)s” is not an ISO 4217 currency code, e.g. EUR.")
                                % {"value": value or ""}, field=field)
    return code


def parse_rate(value, *, field: str = "rate", decimal_comma: bool = False) -> Decimal:
    """A positive Decimal rounded half up to 8 places; floats are refused."""
    if isinstance(value, float):
        raise BusinessRuleError("invalid", _("Send the rate as a string, e.g. \"1.0832\"."), field=field)
    text = str(value if value is not None else "").strip()
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise BusinessRuleError("invalid", _("“%(value)s” is not a number.") % {"value": text}, field=field)
    rate = rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP) if rate.as_tuple().exponent < -8 else rate
    if rate <= 0:
        raise BusinessRuleError("invalid_rate", _("A rate must be greater than zero."), field=field)
    if rate > MAX_RATE:
        raise BusinessRuleError("invalid_rate", _("The rate is too large."), field=field)
    return rate


def parse_date(value, *, field: str = "date") -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise BusinessRuleError("invalid_date", _("“%(value)s” is not a date like 2026-01-31.")
                                    % {"value": value or ""}, field=field) from None
    limits.check_date(day, field=field)
    return day


def _check_pair(base: str, quote: str) -> None:
    if base == quote:
        raise BusinessRuleError("same_currency", _("A rate needs two different currencies."), field="quote_currency")


# --- Writes ----------------------------------------------------------------------------------------------

def create_exchange_rate(*, by: User, date, rate, quote_currency: str, base_currency: str | None = None
                         ) -> ExchangeRate:
    """Record "on `date`, 1 base = `rate` quote" (base defaults to the company's base currency)."""
    require_permission(by, "core.add_exchangerate")
    base = parse_currency(base_currency or company_base_currency(), field="base_currency")
    quote = parse_currency(quote_currency, field="quote_currency")
    _check_pair(base, quote)
    day = parse_date(date)
    value = parse_rate(rate)
    try:
        with transaction.atomic():
            if ExchangeRate.objects.filter(base_currency=base, quote_currency=quote, date=day).exists():
                raise IntegrityError
            row = ExchangeRate.objects.create(base_currency=base, quote_currency=quote, date=day, rate=value,
                                              created_by=by)
            audit.record(row, "core.exchangerate.created", by=by, changes=audit.snapshot(row, RATE_FIELDS))
    except IntegrityError:
        raise ConflictError("duplicate_rate", _("There is already a %(base)s/%(quote)s rate for %(date)s.")
                            % {"base": base, "quote": quote, "date": day.isoformat()}, field="date") from None
    return row


@dataclass
class ImportResult:
    created: list[ExchangeRate]
    unchanged: int


def _read_csv(content: bytes | str) -> tuple[list[dict], str]:
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise BusinessRuleError("file_too_large", _("The file may be at most 2 MB."), field="file")
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BusinessRuleError("invalid_csv", _("The file is not UTF-8 text."), field="file") from None
    lines = content.splitlines()
    if not lines or not lines[0].strip():
        raise BusinessRuleError("invalid_csv", _("The file is empty."), field="file")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = [COLUMN_ALIASES.get(h.strip().lower().replace(" ", "_"), h.strip().lower()) for h in next(reader)]
    missing = [c for c in ("date", "currency", "rate") if c not in header]
    if missing:
        raise BusinessRuleError(
            "invalid_csv", _("The first line must name the columns date, currency and rate (missing: %(columns)s).")
            % {"columns": ", ".join(missing)}, field="file")
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append({"line": reader.line_num, **{name: (cells[i] if i < len(cells) else "")
                                                  for i, name in enumerate(header)}})
    if len(rows) > MAX_IMPORT_ROWS:
        raise BusinessRuleError("file_too_large", _("At most %(count)s rows per file.") % {"count": MAX_IMPORT_ROWS},
                                field="file")
    if not rows:
        raise BusinessRuleError("invalid_csv", _("The file has no rates below its header line."), field="file")
    return rows, delimiter


def import_exchange_rates(content: bytes | str, *, by: User) -> ImportResult:
    """Import rates from CSV, all or nothing. A refusal (code "invalid_rows") lists every bad row in
    `errors` as {line, field, message}."""
    require_permission(by, "core.add_exchangerate")
    rows, delimiter = _read_csv(content)
    default_base = company_base_currency()
    errors = []
    parsed: dict[tuple[str, str, datetime.date], tuple[int, Decimal]] = {}
    for row in rows:
        line = row["line"]
        try:
            base = parse_currency(row.get("base") or default_base, field="base")
            quote = parse_currency(row["currency"], field="currency")
            _check_pair(base, quote)
            day = parse_date(row["date"])
            rate = parse_rate(row["rate"], decimal_comma=delimiter == ";")
        except BusinessRuleError as exc:
            field = "currency" if exc.field == "quote_currency" else exc.field
            errors.append({"line": line, "field": field, "message": _("Line %(line)s: %(message)s")
                           % {"line": line, "message": exc.message}})
            continue
        key = (base, quote, day)
        if key in parsed:
            errors.append({"line": line, "field": "date", "message": _(
                "Line %(line)s: %(base)s/%(quote)s on %(date)s is already on line %(first)s.")
                % {"line": line, "base": base, "quote": quote, "date": day.isoformat(), "first": parsed[key][0]}})
            continue
        parsed[key] = (line, rate)
    with transaction.atomic():
        existing = {}
        if parsed:
            dates = {day for _b, _q, day in parsed}
            for stored in ExchangeRate.objects.select_for_update().filter(date__in=dates).order_by("pk"):
                existing[(stored.base_currency, stored.quote_currency, stored.date)] = stored.rate
        to_create = []
        unchanged = 0
        for (base, quote, day), (line, rate) in parsed.items():
            if (base, quote, day) in existing:
                if existing[(base, quote, day)] == rate:
                    unchanged += 1
                    continue
                errors.append({"line": line, "field": "rate", "message": _(
                    "Line %(line)s: %(base)s/%(quote)s on %(date)s is already recorded as %(rate)s.")
                    % {"line": line, "base": base, "quote": quote, "date": day.isoformat(),
                       "rate": f"{existing[(base, quote, day)].normalize():f}"}})
                continue
            to_create.append(ExchangeRate(base_currency=base, quote_currency=quote, date=day, rate=rate,
                                          created_by=by))
        if errors:
            errors.sort(key=lambda e: e["line"])
            message = ngettext("%(count)s row of the file has an error; nothing was imported.",
                               "%(count)s rows of the file have errors; nothing was imported.", len(errors))
            raise BusinessRuleError("invalid_rows", message % {"count": len(errors)}, field="file",
                                    extra={"errors": errors})
        created = []
        for rate in to_create:
            rate.save()
            audit.record(rate, "core.exchangerate.created", by=by, changes=audit.snapshot(rate, RATE_FIELDS))
            created.append(rate)
    return ImportResult(created=created, unchanged=unchanged)
