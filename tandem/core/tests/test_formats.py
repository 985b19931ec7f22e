"""Numbers, amounts and dates follow the user's language and our default legal entity's country."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats as django_formats
from django.utils import timezone, translation

from tandem.core import formats, legal_entities
from tandem.core.formats import country_for_request, format_date, format_datetime, format_money, format_number

DAY = datetime.date(2026, 12, 12)
MOMENT = datetime.datetime(2026, 12, 12, 13, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("language", "country", "money", "date", "short_date"), [
    ("en", "", "€49,815.00", "Dec 12, 2026", "12/12/2026"),
    ("en", "US", "€49,815.00", "Dec 12, 2026", "12/12/2026"),
    ("en", "GB", "€49,815.00", "12 Dec 2026", "12/12/2026"),
    # English with a German company: day before month, but English grouping and decimal sign (an English
    # reader takes "49.815,00" for forty-nine).
    ("en", "DE", "€49,815.00", "12 Dec 2026", "12/12/2026"),
    # A country CLDR has no English for still reads dates day first.
    ("en", "RU", "€49,815.00", "12 Dec 2026", "12/12/2026"),
    ("pl", "PL", "49\xa0815,00\xa0€", "12 gru 2026", "12.12.2026"),
    ("ru", "DE", "49\xa0815,00\xa0€", "12 дек. 2026\u202fг.", "12.12.2026"),
])
def test_locale_of_language_and_country(language, country, money, date, short_date):
    with translation.override(language), country_for_request(country):
        assert format_money(Decimal("49815"), "EUR") == money
        assert format_date(DAY) == date
        assert format_date("2026-12-12", "short") == short_date


def test_amounts_round_to_the_currency_and_empty_reads_as_a_dash():
    with translation.override("en"), country_for_request(""):
        assert format_money("1234.5", "JPY") == "¥1,235"
        assert format_money(Decimal("10.005"), "EUR") == "€10.01"
        assert format_money(None, "EUR") == "—" and format_money("", "EUR") == "—"
        assert format_money("12", "") == "12.00"
        assert format_number(Decimal("1234.5000")) == "1,234.5"
        assert format_number("1234.5", 2) == "1,234.50"
    with translation.override("ru"), country_for_request(""):
        assert format_money(Decimal("18750.5"), "RUB") == "18\xa0750,50\xa0₽"


def test_datetimes_show_in_the_company_time_zone():
    with translation.override("en"), country_for_request("DE"), timezone.override(
            datetime.timezone(datetime.timedelta(hours=1))):
        assert format_datetime(MOMENT) == "12 Dec 2026, 14:05"
        assert format_datetime(MOMENT.isoformat()) == "12 Dec 2026, 14:05"
    with translation.override("en"), country_for_request("US"), timezone.override(datetime.UTC):
        assert format_datetime(MOMENT) == "Dec 12, 2026, 1:05\u202fPM"


def test_cldr_patterns_become_django_formats():
    assert formats.cldr_to_django("dd/MM/y") == "d/m/Y"
    assert formats.cldr_to_django("d MMM y, HH:mm") == "j M Y, H:i"
    assert formats.cldr_to_django("d MMMM y 'г'.") == "j F Y \\г."
    assert formats.cldr_to_django("h:mm a") == "g:i A"


def test_django_date_filter_follows_the_entity_country_numbers_the_reader():
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }} | {{ day|date }} | '
                        '{{ moment|date:"SHORT_DATETIME_FORMAT" }} | {{ amount }}')
    context = Context({"day": DAY, "moment": datetime.datetime(2026, 12, 3, 14, 5), "amount": Decimal("1.5")})
    with translation.override("en"), country_for_request("DE"):
        assert template.render(context) == "12/12/2026 | 12 Dec 2026 | 03/12/2026, 14:05 | 1.5"
    with translation.override("en"), country_for_request("US"):
        assert template.render(context) == "12/12/2026 | Dec. 12, 2026 | 12/03/2026 2:05 p.m. | 1.5"
    # Russian in Russia keeps Django's Russian formats.
    with translation.override("ru"), country_for_request("RU"):
        assert django_formats.date_format(DAY) == "12 декабря 2026 г."
        assert template.render(context).startswith("12.12.2026 | 12 декабря 2026 г. | 03.12.2026 14:05")


def test_the_money_filter_uses_the_same_helper():
    template = Template("{% load money %}{{ amount|money:'EUR' }} {{ amount|number:2 }} {{ rate|rate }} "
                        "{{ p|percent }}")
    context = Context({"amount": Decimal("49815"), "rate": Decimal("1.07650000"), "p": 25})
    with translation.override("pl"), country_for_request("PL"):
        assert template.render(context) == "49\xa0815,00\xa0€ 49\xa0815,00 1,0765 25%"
    with translation.override("en"), country_for_request("DE"):
        assert template.render(context) == "€49,815.00 49,815.00 1.0765 25%"
    with translation.override("en"), country_for_request(""):
        assert template.render(context) == "€49,815.00 49,815.00 1.0765 25%"


def test_the_country_comes_from_the_default_legal_entity(admin_user):
    legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Handel GmbH", country="DE",
                                       base_currency="EUR")
    with translation.override("en"):
        assert str(formats.current_locale()) == "en_DE"
        assert format_money(Decimal("49815"), "EUR") == "€49,815.00"
        assert django_formats.date_format(DAY, "SHORT_DATE_FORMAT") == "12/12/2026"


def test_every_language_has_a_format_module():
    from importlib import import_module

    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        module = import_module(f"tandem.core.locale_formats.{translation.to_locale(code)}.formats")
        assert hasattr(module, "SHORT_DATE_FORMAT"), code


def test_the_javascript_catalogue_gets_plain_formats():
    """Django's JavaScript catalogue (the admin loads it on every page) serialises the formats as JSON."""
    import json

    from django.views.i18n import get_formats

    with translation.override("en"), country_for_request("DE"):
        assert json.loads(json.dumps(get_formats()))["SHORT_DATE_FORMAT"] == "d/m/Y"
    with translation.override("en"), country_for_request("US"):
        assert json.loads(json.dumps(get_formats()))["SHORT_DATE_FORMAT"] == "m/d/Y"
