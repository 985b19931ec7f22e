"""{{ amount|money:currency }}: rounded to the currency's minor unit, grouped and punctuated by locale.
{{ rate|rate }}: an exchange rate with the decimals it has (up to 8), punctuated by locale."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from tandem.core.money import minor_unit, quantize

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    places = minor_unit(currency) if currency else 2
    value = quantize(value, currency) if currency else value.quantize(Decimal(1).scaleb(-places))
    text = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}" if currency else text


@register.filter
def rate(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    places = max(0, -number.as_tuple().exponent)
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
