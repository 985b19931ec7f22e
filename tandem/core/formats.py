"""Numbers, amounts and dates as the user reads them: in the user's language and by the conventions of our
default legal entity's country (grouping, decimal sign, currency placement, date order), from the Unicode
CLDR data in babel.

The formatting locale is `<language>_<country>` when CLDR knows it (English with a German company: en_DE,
"12 Dec 2026"; Polish: pl_PL, "49 815,00 €"), else English outside the US reads dates the international way
(en_001, "12/12/2026"), else the language alone (en: "Dec 12, 2026", "€49,815.00"). Numbers and amounts
follow the reader: English readers always get English grouping and decimal sign ("€49,815.00" with a German
company too; a German-style "49.815,00" would be misread as 49.815 by them), other languages their country's
variant where CLDR has one.

One helper for every page, filter and the audit renderer:
- `format_money(amount, currency)`: rounded to the currency's minor unit, with the currency sign where the
  locale puts it; `format_number(value, places)`; `format_rate(value)`;
- `format_date(value, style)` / `format_datetime(value, style)` ("short" or "medium"), datetimes in the
  active (company) time zone;
- Django's own date filter and number localisation follow the same locale: `django_format_getattr(language)`
  answers for the format modules under tandem/core/locale_formats (settings.FORMAT_MODULE_PATH), so
  `{{ day|date:"SHORT_DATE_FORMAT" }}` prints 12/12/2026 for English with a German company.

The country comes from core.services.default_country() (cached); core.middleware reads it once per request
(`country_for_request`)."""

from __future__ import annotations

import datetime
import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import import_module

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.localedata import exists as babel_locale_exists
from django.conf import settings
from django.db import DatabaseError
from django.utils import formats as django_formats
from django.utils import timezone, translation

from tandem.core.money import quantize
from tandem.core.services import default_country

EMPTY = "—"

_country: ContextVar[str | None] = ContextVar("tandem_format_country", default=None)


@contextmanager
def country_for_request(country: str):
    """Use `country` (the default legal entity's, read once) while a request runs."""
    outer = _country.get()
    token = _country.set(country or "")
    _follow_country(country or "")
    try:
        yield
    finally:
        _country.reset(token)
        if outer != (country or ""):
            _follow_country(outer)


def current_country() -> str:
    country = _country.get()
    if country is None:
        try:
            country = default_country()
        except (DatabaseError, RuntimeError):
            # No database to ask (before `migrate`, or code that runs without one, like a unit test that
            # refuses database access): the language's own conventions.
            country = ""
        _follow_country(country or "")
    return country or ""


@lru_cache(maxsize=256)
def locale_for(language: str, country: str = "") -> Locale:
    """The CLDR locale for a language (a Django code: "en", "ru", "pt-br") in a country ("DE")."""
    language = translation.to_locale(language or "en")  # "pt-br" → "pt_BR"
    base = language.split("_")[0]
    candidates = []
    if "_" in language:
        candidates.append(language)
    if country:
        candidates.append(f"{base}_{country.upper()}")
        if base == "en" and country.upper() != "US":
            candidates.append("en_001")
    candidates.append(base)
    for code in candidates:
        if babel_locale_exists(code):
            try:
                return Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse("en")


def current_locale() -> Locale:
    return locale_for(translation.get_language() or "en", current_country())


def _numbers_follow_country(language: str) -> bool:
    return translation.to_locale(language or "en").split("_")[0] != "en"


def number_locale() -> Locale:
    """The locale for numbers and amounts (see the module's docstring: English readers keep English ones)."""
    language = translation.get_language() or "en"
    return locale_for(language, current_country() if _numbers_follow_country(language) else "")


# --- Numbers and amounts -------------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _places(number: Decimal) -> int:
    text = format(number, "f")
    return len(text.split(".", 1)[1].rstrip("0")) if "." in text else 0


def format_number(value, places: int | None = None, *, minimum_places: int = 0, maximum_places: int = 8) -> str:
    """A number with the locale's grouping and decimal sign: exactly `places` decimals when given, else the
    decimals it has (at least `minimum_places`, at most `maximum_places`). Not a number: the text as it is."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    if places is None:
        places = min(maximum_places, max(minimum_places, _places(number)))
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel_numbers.format_decimal(number, format=pattern, locale=number_locale(), decimal_quantization=True)


def format_money(amount, currency: str = "") -> str:
    """An amount rounded to its currency's minor unit, grouped, with the currency sign placed by the locale
    ("49 815,00 €" in Polish, "€49,815.00" in English, with a German company too).
    Without a currency: the number with two decimals. Empty: "—"."""
    number = _decimal(amount)
    if number is None:
        return EMPTY if amount is None or amount == "" else str(amount)
    currency = (currency or "").upper()
    if not currency:
        return format_number(number, 2)
    return babel_numbers.format_currency(quantize(number, currency), currency, locale=number_locale())


def format_rate(value) -> str:
    """An exchange rate (or any ratio) with the decimals it has, up to 8."""
    return format_number(value)


def format_percent(value) -> str:
    """A percentage given in percent (25 → "25 %" / "25%" as the locale writes it)."""
    number = _decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    return babel_numbers.format_percent(number / 100, locale=number_locale())


# --- Dates and times ----------------------------------------------------------------------------------

def _as_date(value):
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _as_local_datetime(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value


def format_date(value, style: str = "medium") -> str:
    """A date ("12 Dec 2026", "Dec 12, 2026", "12 дек. 2026 г."); short style always has four-digit years."""
    if value is None or value == "":
        return EMPTY
    try:
        day = _as_date(value)
    except ValueError:
        return str(value)
    locale = current_locale()
    pattern = _date_pattern(locale, style)
    return babel_dates.format_date(day, pattern, locale=locale)


def format_time(value, style: str = "short") -> str:
    if value is None or value == "":
        return EMPTY
    moment = _as_local_datetime(value)
    locale = current_locale()
    return babel_dates.format_time(moment, locale.time_formats[style].pattern, locale=locale)


def format_datetime(value, style: str = "medium") -> str:
    """A moment in the company's time zone: the date (in `style`) and the time in hours and minutes."""
    if value is None or value == "":
        return EMPTY
    try:
        moment = _as_local_datetime(value)
    except ValueError:
        return str(value)
    if not isinstance(moment, datetime.datetime):
        return format_date(moment, style)
    locale = current_locale()
    date_text = babel_dates.format_date(moment.date(), _date_pattern(locale, style), locale=locale)
    time_text = babel_dates.format_time(moment.time(), locale.time_formats["short"].pattern, locale=locale)
    return str(locale.datetime_formats[style]).replace("{1}", date_text).replace("{0}", time_text)


def _date_pattern(locale: Locale, style: str) -> str:
    pattern = locale.date_formats[style].pattern
    if style == "short":
        pattern = re.sub(r"(?<!y)y{1,2}(?!y)", "y", pattern)  # 12/12/2026, not 12/12/26
    return pattern


# --- Django's format modules ----------------------------------------------------------------------------

# CLDR pattern letters → Django's date format characters.
_CLDR_TO_DJANGO = {
    "d": "j", "dd": "d", "M": "n", "MM": "m", "MMM": "M", "MMMM": "F", "L": "n", "LL": "m", "LLL": "M",
    "LLLL": "F", "y": "Y", "yy": "y", "yyyy": "Y", "H": "G", "HH": "H", "h": "g", "hh": "h", "mm": "i",
    "m": "i", "ss": "s", "s": "s", "a": "A", "EEE": "D", "EEEE": "l", "E": "D",
}
_CLDR_TOKEN = re.compile(r"'([^']*)'|([A-Za-z])\2*|([^A-Za-z']+)")


def cldr_to_django(pattern: str) -> str:
    """A CLDR date/time pattern ("dd/MM/y, HH:mm") as a Django date format string ("d/m/Y, H:i")."""
    out = []
    for match in _CLDR_TOKEN.finditer(pattern):
        literal, letter, other = match.group(1), match.group(2), match.group(3)
        if literal is not None:
            out.append("'" if literal == "" else "".join("\\" + c if c.isalpha() else c for c in literal))
        elif letter is not None:
            out.append(_CLDR_TO_DJANGO.get(match.group(0), ""))
        else:
            out.append(other.replace("\\", "\\\\"))
    return "".join(out).strip()


def _django_values(locale: Locale) -> dict[str, str]:
    short_date = cldr_to_django(_date_pattern(locale, "short"))
    medium_date = cldr_to_django(_date_pattern(locale, "medium"))
    short_time = cldr_to_django(locale.time_formats["short"].pattern)
    join = str(locale.datetime_formats["short"])
    symbols = locale.number_symbols.get("latn", {})
    return {
        "DATE_FORMAT": medium_date,
        "SHORT_DATE_FORMAT": short_date,
        "TIME_FORMAT": short_time,
        "DATETIME_FORMAT": join.replace("{1}", medium_date).replace("{0}", short_time),
        "SHORT_DATETIME_FORMAT": join.replace("{1}", short_date).replace("{0}", short_time),
        "DECIMAL_SEPARATOR": symbols.get("decimal", "."),
        "THOUSAND_SEPARATOR": symbols.get("group", ","),
    }


@lru_cache(maxsize=256)
def _overrides(language: str, country: str) -> dict[str, str]:
    """The values where the country's conventions differ from the language's own (en_DE vs en); none when
    they agree, so Django's hand-made formats for the language stay (ru in Russia: "12 декабря 2026 г.")."""
    locale = locale_for(language, country)
    own = locale_for(language, "")
    if str(locale) == str(own):
        return {}
    mine, theirs = _django_values(locale), _django_values(own)
    dates = ("DATE_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")
    numbers = ("DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR")
    changed = {}
    if any(mine[name] != theirs[name] for name in dates):
        changed.update({name: mine[name] for name in dates})
    if _numbers_follow_country(language) and any(mine[name] != theirs[name] for name in numbers):
        changed.update({name: mine[name] for name in numbers})
    return changed


FORMAT_NAMES = ("DATE_FORMAT", "SHORT_DATE_FORMAT", "TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT",
                "DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR")


def _django_module(language: str):
    try:
        return import_module(f"django.conf.locale.{translation.to_locale(language)}.formats")
    except ImportError:
        return import_module("django.conf.locale.en.formats")


def django_format_getattr(language: str):
    """The `__getattr__` of a Django format module for `language` (PEP 562): each format name gives the
    value for the country of the default legal entity, else Django's format for the language, else the
    project-wide setting (the order Django itself looks them up). Django caches what it read per language;
    `_follow_country` empties that cache when the country changes."""
    django_module = _django_module(language)

    def __getattr__(name: str):
        if name not in FORMAT_NAMES:
            raise AttributeError(name)
        default = getattr(django_module, name, None) or getattr(settings, name)
        return _overrides(language, current_country()).get(name, default)

    return __getattr__


_filled_for: list = [None]  # the country Django's format cache (django.utils.formats) was filled for


def _follow_country(country: str | None) -> None:
    if _filled_for[0] != country:
        django_formats.reset_format_cache()
        _filled_for[0] = country
