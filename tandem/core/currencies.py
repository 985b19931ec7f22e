"""Currency codes and minor units, from the Unicode CLDR data shipped with babel (no hand-kept table).

- `ACTIVE_CURRENCIES`: the ISO 4217 codes that are legal tender in some territory today (CLDR's territory
  currencies). Withdrawn codes (DEM, BGN after the euro, ZWL...) and funds/metals (XAU, XDR) are refused
  on new input.
- `minor_unit(code)`: the number of decimals of the currency (babel.numbers.get_currency_precision):
  JPY, KRW, XOF, XAF, UGX, PYG, RWF → 0; BHD, KWD, OMR, TND → 3; most others → 2. Where CLDR and the ISO
  table differ (CLDR gives HUF, COP, IDR no decimals because they are not used in practice), CLDR wins.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision, get_territory_currencies


@lru_cache(maxsize=1)
def _active_currencies(year: int) -> frozenset[str]:
    today = datetime.date(year, 1, 1)
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(codes)


def active_currencies() -> frozenset[str]:
    """ISO 4217 codes in use as legal tender somewhere (as of the start of this year)."""
    return _active_currencies(datetime.date.today().year)


def is_active_currency(code: str) -> bool:
    return isinstance(code, str) and code in active_currencies()


def minor_unit(code: str) -> int:
    """Decimals of the currency's minor unit (ISO 4217 / CLDR via babel)."""
    return get_currency_precision((code or "").upper())


def currency_name(code: str, language: str = "en") -> str:
    return get_currency_name(code, locale=language)


def currency_choices(language: str = "en") -> list[tuple[str, str]]:
    return [(code, f"{code} — {currency_name(code, language)}") for code in sorted(active_currencies())]
