"""Numbers in templates, all through core.formats (the user's language, our default legal entity's country):
{{ amount|money:currency }}: rounded to the currency's minor unit, grouped, with the currency sign where the
locale puts it ("49 815,00 €", "€49,815.00"); without a currency, two decimals.
{{ rate|rate }}: an exchange rate with the decimals it has (up to 8).
{{ value|number }} / {{ value|number:2 }}: a number, grouped, with the decimals it has or exactly that many.
{{ value|percent }}: a value in percent ("25 %")."""

from django import template

from tandem.core import formats

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    return formats.format_money(amount, currency)


@register.filter
def rate(value) -> str:
    return formats.format_rate(value)


@register.filter
def number(value, places=None) -> str:
    return formats.format_number(value, None if places in (None, "") else int(places))


@register.filter
def percent(value) -> str:
    return formats.format_percent(value)
