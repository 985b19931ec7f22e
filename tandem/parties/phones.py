"""Phone numbers: parsed and stored in E.164 so duplicates and search match however they were typed."""

import phonenumbers
from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError
from tandem.core.services import default_country


def normalize_phone(raw: str, *, field: str, region: str | None = None) -> str:
    """'+49 (30) 123-4567' -> '+49301234567'. Empty stays empty; an invalid number is refused.

    A number without a country code is read as a number of `region`, by default the default legal
    entity's country (core.services.default_country); with no country set it must be international."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = region or default_country() or None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise BusinessRuleError(
            "invalid_phone",
            _("“%(value)s” is not a phone number. Use the international format, e.g. +49 30 1234567.") % {"value": raw},
            field=field,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise BusinessRuleError(
            "invalid_phone", _("“%(value)s” is not a valid phone number.") % {"value": raw}, field=field
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def phone_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
