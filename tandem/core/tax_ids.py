"""Tax IDs: checked with python-stdnum, stored compact, compared by a key without the country prefix.

One helper for our legal entities (core.legal_entities) and for clients' counterparties (parties):
- the country is the one the number starts with (PL5252812349, DE136695976), else the given country (the
  record's, or the default legal entity's);
- a country stdnum knows (Poland NIP, Indonesia NPWP, Korea BRN with the check digit stdnum skips,
  Bulgaria EIK/VAT, Portugal NIF, Brazil CNPJ/CPF, Germany VAT, Russia INN, every EU VAT number, ...)
  refuses a wrong number (length, checksum) with a message naming the field; a country it does not know
  keeps the number as typed;
- the key ("5252812349" for "PL 525-281-23-49", "525-281-23-49" and "5252812349") is what duplicates and
  search compare."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

from tandem.core.errors import BusinessRuleError

_SEPARATORS = re.compile(r"[\s.\-/_,]")
# Countries whose tax numbers come in several formats stdnum checks with separate modules (first match wins).
_EXTRA_MODULES = {
    "br": ("cnpj", "cpf"),
    "bg": ("vat", "egn", "pnf"),
    "id": ("npwp", "nik"),
    "kr": ("brn",),
    "ru": ("inn",),
    "pt": ("nif",),
    "pl": ("nip", "regon", "pesel"),
}
# The prefix of Greek VAT numbers is EL, not the ISO code GR.
_PREFIX_COUNTRY = {"EL": "GR"}


@dataclass(frozen=True)
class TaxId:
    value: str  # compact, as stored: with the country prefix when it was typed with one
    key: str  # compact, without the country prefix: what duplicates and search compare
    country: str  # ISO 3166 alpha-2 the number was checked for ("" when none)


def compact(value: str | None) -> str:
    return _SEPARATORS.sub("", (value or "").strip()).upper()


def split_prefix(number: str) -> tuple[str, str]:
    """('PL', '5252812345') for 'PL5252812345'; ('', number) when it does not start with a country code."""
    from tandem.core.models import validate_country

    if len(number) > 4 and number[:2].isalpha() and number[2].isdigit():
        prefix = number[:2]
        code = _PREFIX_COUNTRY.get(prefix, prefix)
        try:
            validate_country(code)
        except Exception:  # noqa: BLE001 - not a country code: part of the number
            return "", number
        return code, number[2:]
    return "", number


def tax_id_key(value: str | None) -> str:
    """The comparison key of a stored or typed tax ID: compact, without a country prefix."""
    return split_prefix(compact(value))[1]


def _modules(country: str) -> list[ModuleType]:
    cc = country.lower()
    names = _EXTRA_MODULES.get(cc, ("vat", "tin"))
    found = []
    for name in names:
        try:
            module = get_cc_module(cc, name)
        except Exception:  # noqa: BLE001 - stdnum knows no such module for the country
            module = None
        if module is not None and module not in found:
            found.append(module)
    return found


def _korean_brn_check_digit_ok(number: str) -> bool:
    """stdnum.kr.brn checks length and format only; the business registration number's own check digit:
    weights 1,3,7,1,3,7,1,3,5 on the first nine digits, plus the tens of the ninth digit times 5."""
    digits = [int(d) for d in number]
    total = sum(d * w for d, w in zip(digits[:9], (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + digits[8] * 5 // 10
    return (10 - total % 10) % 10 == digits[9]


# Checks stdnum leaves out, per module name, run after its validate().
_EXTRA_CHECKS = {"stdnum.kr.brn": _korean_brn_check_digit_ok}


def validate_tax_id(value: str | None, country: str = "", *, field: str = "tax_id") -> TaxId:
    """The checked tax ID; refused (BusinessRuleError "invalid_tax_id" on `field`) when wrong for its country."""
    number = compact(value)
    if not number:
        return TaxId("", "", "")
    prefix, rest = split_prefix(number)
    checked_country = (prefix or country or "").upper()
    modules = _modules(checked_country) if checked_country else []
    if not modules:
        return TaxId((value or "").strip(), rest, checked_country)
    for module in modules:
        try:
            valid = module.validate(rest)
        except StdnumError:
            continue
        valid = compact(valid)
        extra_check = _EXTRA_CHECKS.get(module.__name__)
        if extra_check is not None and not extra_check(valid):
            continue
        return TaxId(f"{number[:2]}{valid}" if prefix else valid, valid, checked_country)
    raise BusinessRuleError(
        "invalid_tax_id",
        _("“%(value)s” is not a valid tax ID for %(country)s (check the digits).")
        % {"value": (value or "").strip(), "country": checked_country},
        field=field,
    )
