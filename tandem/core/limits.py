"""The ranges every accepted value must fit, in one place.

A value outside them is refused on input (API schemas, forms, query filters) with 400 naming the field,
and the database holds the numeric ones with CheckConstraints, so nothing accepted can break a page later.

- Amounts and quantities: ``DecimalField(max_digits=18, decimal_places=4)`` columns, but SQLite keeps
  decimals as 15-significant-digit floats, so the range keeps 15 digits (11 before the point, 4 after):
  anything inside it reads back identically on SQLite and PostgreSQL.
- Dates and times: years 1900 to 2200. Far from Python's limits (years 1 and 9999), so converting any
  accepted moment into any time zone, or adding a week to it, stays valid.
- Durations: at most a week, in minutes.
- Ids and integer filters: 64-bit signed (the database's bigint).
- Text: no NUL character (PostgreSQL refuses it) and no lone surrogate (not encodable as UTF-8).
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from pydantic import AfterValidator, Field

from tandem.core.errors import BusinessRuleError

MAX_AMOUNT = Decimal("99999999999.9999")
AMOUNT_STEP = Decimal("0.0001")
MIN_AMOUNT = Decimal(0)
MAX_QUANTITY = MAX_AMOUNT
# Unit prices and rates: 6 decimal places, still 15 significant digits.
MAX_RATE = Decimal("999999999.999999")
# Exchange rates (core.ExchangeRate): 8 decimal places, so at most 7 digits before the point.
EXCHANGE_RATE_STEP = Decimal("0.00000001")
MAX_EXCHANGE_RATE = Decimal("9999999.99999999")

MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2200, 12, 31)

MAX_DURATION_MINUTES = 7 * 24 * 60

MAX_ID = 2**63 - 1

# --- Messages (one wording wherever a value is refused) --------------------------------------------------


def amount_message() -> str:
    return gettext("Enter an amount between %(low)s and %(high)s.") % {"low": MIN_AMOUNT, "high": MAX_AMOUNT}


def date_message() -> str:
    return gettext("Enter a date between %(low)s and %(high)s.") % {"low": MIN_DATE.isoformat(),
                                                                    "high": MAX_DATE.isoformat()}


def duration_message() -> str:
    return gettext("Enter a duration between 0 and %(high)s minutes (one week).") % {"high": MAX_DURATION_MINUTES}


def integer_message() -> str:
    return gettext("This number is too large.")


# --- Checks (pure; None when the value is fine, else the message) -------------------------------------------


def amount_problem(amount: Decimal, *, low: Decimal = MIN_AMOUNT, high: Decimal = MAX_AMOUNT) -> str | None:
    return None if amount.is_finite() and low <= amount <= high else amount_message()


def date_problem(value: datetime.date | datetime.datetime) -> str | None:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        value = value.date()
    return None if MIN_DATE <= value <= MAX_DATE else date_message()


def text_problem(value: str) -> str | None:
    """NUL cannot be stored by PostgreSQL; a lone surrogate cannot be encoded as UTF-8 at all."""
    if "\x00" in value:
        return gettext("Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("Text must be valid Unicode (no lone surrogates).")
    return None


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def integer_text_problem(value: str) -> str | None:
    """A whole number written as text (a query parameter, a form's choice, a path id) beyond 64 bits."""
    for part in value.split(","):
        if len(part) > 18 and _INTEGER.fullmatch(part) and not -MAX_ID - 1 <= int(part) <= MAX_ID:
            return integer_message()
    return None


def is_id(value) -> bool:
    """True for a record id written as text that can be looked up: ASCII digits, 1 to 64 bits."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


def find_problem(data: Any, path: tuple = ()) -> tuple[tuple, str] | None:
    """The first bad text or out-of-range integer in parsed JSON, as (path, message)."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (path, problem) if problem else None
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return None if -MAX_ID - 1 <= data <= MAX_ID else (path, integer_message())
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        problem = (isinstance(key, str) and text_problem(key)) or None
        if problem:
            return (*path, key), problem
        found = find_problem(value, (*path, key))
        if found:
            return found
    return None


# --- Django validators (forms; model fields) -----------------------------------------------------------------


def validate_amount(value) -> None:
    if value is not None and amount_problem(Decimal(value)):
        raise ValidationError(amount_message(), code="out_of_range")


def validate_date(value) -> None:
    if value is not None and date_problem(value):
        raise ValidationError(date_message(), code="out_of_range")


def validate_duration_minutes(value) -> None:
    if value is not None and not 0 <= value <= MAX_DURATION_MINUTES:
        raise ValidationError(duration_message(), code="out_of_range")


def check_amount(value, *, field: str, low: Decimal = MIN_AMOUNT, high: Decimal = MAX_AMOUNT) -> None:
    """For services: refuse an amount outside the range with a BusinessRuleError naming the field."""
    if value is None or value == "":
        return
    try:
        parse_amount(str(value), low=low, high=high)
    except ValueError as exc:
        raise BusinessRuleError("out_of_range", str(exc), field=field) from None


def check_date(value, *, field: str) -> None:
    """For services: refuse a date or moment outside the window with a BusinessRuleError naming the field."""
    if value is not None and date_problem(value):
        raise BusinessRuleError("out_of_range", date_message(), field=field)


# --- Pydantic types (API schemas) ------------------------------------------------------------------------------


def parse_amount(value, *, low: Decimal = MIN_AMOUNT, high: Decimal = MAX_AMOUNT) -> str | None:
    """An amount sent as text (or a whole number) -> its canonical decimal text; None for null or ""."""
    if value is None or value == "":
        return None
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError(gettext("Send amounts as strings, e.g. \"1250.00\"."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(gettext("Not a number.")) from None
    problem = amount_problem(amount, low=low, high=high)
    if not problem:
        # Stored with 4 decimal places: the rounded value must fit too.
        amount = amount.quantize(AMOUNT_STEP, rounding=ROUND_HALF_UP)
        problem = amount_problem(amount, low=low, high=high)
    if problem:
        raise ValueError(problem)
    return str(amount)


def amount_in_range(value: Decimal | None) -> Decimal | None:
    """After core.money.parse_decimal: the amount rounded to the column's 4 places, inside the range."""
    if value is not None:
        parse_amount(value)  # refuses what is (or rounds) outside the range
    return value


def _date_in_window(value):
    problem = date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Date = Annotated[datetime.date, AfterValidator(_date_in_window)]
DateTime = Annotated[datetime.datetime, AfterValidator(_date_in_window)]
DurationMinutes = Annotated[int, Field(ge=0, le=MAX_DURATION_MINUTES)]
