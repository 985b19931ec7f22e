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

    from tandem.core.templatetags.money import money

    with translation.override("en"):
        assert money(Decimal("18750.505"), "EUR") == "18,750.51\u00a0EUR"
        assert money(Decimal("1234.5"), "JPY") == "1,235\u00a0JPY"
        assert money(None, "EUR") == "—"
    with translation.override("ru"):
        assert money(Decimal("18750.5"), "RUB") == "18\u00a0750,50\u00a0RUB"
