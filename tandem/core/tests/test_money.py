from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.money import Money, quantize


def test_quantize_rounds_half_up_to_the_currency_minor_unit():
    assert quantize(Decimal("2.345"), "EUR") == Decimal("2.35")
    assert quantize(Decimal("-2.345"), "EUR") == Decimal("-2.35")
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert quantize(Decimal("1.2345"), "KWD") == Decimal("1.235")


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        quantize(0.1, "EUR")
    with pytest.raises(TypeError):
        Money(0.1, "EUR")


def test_mixing_currencies_raises():
    with pytest.raises(ValueError, match="EUR with USD"):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "USD")


@given(
    st.lists(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False), min_size=1, max_size=20)
)
def test_sum_of_money_equals_money_of_sum(amounts):
    total = Money(Decimal(0), "EUR")
    for amount in amounts:
        total = total + Money(amount, "eur")
    assert total.amount == sum(amounts, Decimal(0))
    assert total.currency == "EUR"
    assert abs(total.quantized().amount - total.amount) <= Decimal("0.005")


def test_money_filter_rounds_and_groups_by_locale():
    from django.utils import translation

    from tandem.core.formats import country_for_request
    from tandem.core.templatetags.money import money

    with translation.override("en"), country_for_request(""):
        assert money(Decimal("18750.505"), "EUR") == "€18,750.51"
        assert money(Decimal("1234.5"), "JPY") == "¥1,235"
        assert money(None, "EUR") == "—"
    with translation.override("ru"), country_for_request(""):
        assert money(Decimal("18750.5"), "RUB") == "18\u00a0750,50\u00a0₽"


# --- Minor units from babel (CLDR / ISO 4217), one rounding rule ------------------------------------------

from tandem.core.currencies import active_currencies, is_active_currency, minor_unit  # noqa: E402

CURRENCIES = sorted(active_currencies())


def test_minor_units_come_from_iso_4217_data():
    for code in ("XOF", "XAF", "UGX", "PYG", "RWF", "KRW", "JPY"):
        assert minor_unit(code) == 0, code
    assert minor_unit("BHD") == minor_unit("KWD") == 3
    assert minor_unit("EUR") == minor_unit("USD") == minor_unit("RUB") == 2


def test_currency_list_is_babels_and_refuses_withdrawn_codes():
    assert len(CURRENCIES) > 140
    assert {"EUR", "USD", "RUB", "JPY", "KWD", "XOF"} <= active_currencies()
    for withdrawn in ("DEM", "FRF", "XXX", "XAU", "eur", "", None):
        assert not is_active_currency(withdrawn)


def test_written_amounts_are_rounded_half_up():
    assert quantize("10.005", "EUR") == Decimal("10.01")
    assert str(quantize("10.005", "EUR")) == "10.01"  # never 10.0050
    assert quantize("10.004", "EUR") == Decimal("10.00")
    assert quantize("0.5", "JPY") == Decimal("1") and quantize("-0.5", "JPY") == Decimal("-1")
    assert quantize("1.0005", "KWD") == Decimal("1.001")


amounts = st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False, allow_infinity=False)


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_quantize_is_idempotent(amount, currency):
    once = quantize(amount, currency)
    assert quantize(once, currency) == once
    assert -once.as_tuple().exponent == minor_unit(currency)


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_quantize_errs_by_at_most_half_a_minor_unit(amount, currency):
    half = Decimal(1).scaleb(-minor_unit(currency)) / 2
    assert abs(quantize(amount, currency) - amount) <= half


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_quantize_is_symmetric_in_sign(amount, currency):
    assert quantize(-amount, currency) == -quantize(amount, currency)


@given(amount=amounts, currency=st.sampled_from(CURRENCIES))
def test_halves_go_away_from_zero(amount, currency):
    unit = Decimal(1).scaleb(-minor_unit(currency))
    halfway = quantize(amount, currency) + unit / 2  # exactly between two minor units
    assert quantize(halfway, currency) == quantize(amount, currency) + (unit if halfway > 0 else 0)
