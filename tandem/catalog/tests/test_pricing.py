"""The price a client gets on a date: one function, explained in words."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.catalog.pricing import price_for
from tandem.catalog.tests.factories import (
    PriceGroupFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    UnitConversionFactory,
    UnitFactory,
)
from tandem.catalog.units import NoUnitConversion

DAY = datetime.date(2026, 6, 1)


@pytest.fixture
def product(db):
    return ProductFactory(sku="PUMP-1", name="Pump")


def test_no_list_no_price(product):
    assert price_for(product, quantity=Decimal(1), on_date=DAY, currency="EUR") is None


def test_group_list_beats_general_list_and_is_explained(product):
    wholesale = PriceGroupFactory(name="Wholesale")
    general = PriceListFactory(name="Retail EUR 2026")
    PriceListItemFactory(price_list=general, product=product, unit_price=Decimal("12.50"))
    group_list = PriceListFactory(name="Wholesale PLN 2026", currency="PLN", price_group=wholesale)
    PriceListItemFactory(price_list=group_list, product=product, unit_price=Decimal("40"))
    PriceListItemFactory(price_list=group_list, product=product, min_quantity=Decimal(100),
                         unit_price=Decimal("38.123456"), discount_percent=Decimal(5))

    retail = price_for(product, quantity=Decimal(150), on_date=DAY, currency="EUR", price_groups=[wholesale])
    assert retail.unit_price == Decimal("12.500000") and retail.price_list == general
    assert retail.explanation == "list Retail EUR 2026"

    result = price_for(product, quantity=Decimal(150), on_date=DAY, currency="pln", price_groups=[wholesale])
    assert result.price_list == group_list
    assert result.unit_price == Decimal("38.123456")
    assert result.discount_percent == Decimal(5)
    assert result.net_unit_price == Decimal("36.217283")
    assert result.explanation == "list Wholesale PLN 2026, break ≥ 100 pc, −5 %"

    # Without the group the client gets nothing in PLN; below the break the base item.
    assert price_for(product, quantity=Decimal(150), on_date=DAY, currency="PLN") is None
    assert price_for(product, quantity=Decimal(99), on_date=DAY, currency="PLN",
                     price_groups=[wholesale.pk]).unit_price == Decimal(40)


def test_group_list_over_general_in_same_currency(product):
    wholesale = PriceGroupFactory(name="Wholesale")
    PriceListItemFactory(price_list=PriceListFactory(name="General"), product=product, unit_price=Decimal(10))
    PriceListItemFactory(price_list=PriceListFactory(name="Wholesale", price_group=wholesale), product=product,
                         unit_price=Decimal(8))
    assert price_for(product, quantity=1, on_date=DAY, currency="EUR", price_groups=[wholesale]).unit_price == 8
    assert price_for(product, quantity=1, on_date=DAY, currency="EUR").unit_price == 10


def test_validity_dates_and_archive(product):
    old = PriceListFactory(name="2025", valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2025, 12, 31))
    PriceListItemFactory(price_list=old, product=product, unit_price=Decimal(9))
    new = PriceListFactory(name="2026", valid_from=datetime.date(2026, 1, 1), valid_to=None)
    PriceListItemFactory(price_list=new, product=product, unit_price=Decimal(11))
    assert price_for(product, quantity=1, on_date=datetime.date(2025, 12, 31), currency="EUR").unit_price == 9
    assert price_for(product, quantity=1, on_date=datetime.date(2030, 1, 1), currency="EUR").unit_price == 11
    assert price_for(product, quantity=1, on_date=datetime.date(2024, 1, 1), currency="EUR") is None
    new.is_archived = True
    new.save()
    assert price_for(product, quantity=1, on_date=datetime.date(2030, 1, 1), currency="EUR") is None


def test_later_list_wins_when_two_overlap(product):
    PriceListItemFactory(price_list=PriceListFactory(name="Year", valid_from=datetime.date(2026, 1, 1)),
                         product=product, unit_price=Decimal(10))
    PriceListItemFactory(price_list=PriceListFactory(name="Summer", valid_from=datetime.date(2026, 5, 1),
                                                     valid_to=datetime.date(2026, 8, 31)),
                         product=product, unit_price=Decimal(7))
    assert price_for(product, quantity=1, on_date=DAY, currency="EUR").price_list.name == "Summer"


def test_variant_inherits_template_price_and_own_price_wins(product):
    variant = ProductFactory(sku="PUMP-1-RED", template=product)
    price_list = PriceListFactory(name="Retail")
    PriceListItemFactory(price_list=price_list, product=product, unit_price=Decimal(10))
    result = price_for(variant, quantity=1, on_date=DAY, currency="EUR")
    assert result.unit_price == 10 and result.explanation == "list Retail, price of the template PUMP-1"
    PriceListItemFactory(price_list=price_list, product=variant, unit_price=Decimal(11))
    assert price_for(variant, quantity=1, on_date=DAY, currency="EUR").unit_price == 11


def test_price_in_another_unit(product):
    box = UnitFactory(code="box")
    UnitConversionFactory(product=product, from_unit=box, to_unit=product.unit, factor=Decimal(12))
    price_list = PriceListFactory(name="Retail")
    PriceListItemFactory(price_list=price_list, product=product, unit_price=Decimal("1.10"))
    PriceListItemFactory(price_list=price_list, product=product, min_quantity=Decimal(24), unit_price=Decimal("1.00"))
    # 2 boxes = 24 pieces reach the break; one box costs 12 pieces' price.
    result = price_for(product, quantity=Decimal(2), on_date=DAY, currency="EUR", unit=box)
    assert result.unit_price == Decimal("12.000000")
    assert "break ≥ 24 pc" in result.explanation
    kg = UnitFactory(code="kg")
    with pytest.raises(NoUnitConversion) as refused:
        price_for(product, quantity=Decimal(1), on_date=DAY, currency="EUR", unit=kg)
    assert refused.value.field == "unit"


def test_highest_applicable_break_wins(product):
    """Property: whatever the breaks, the chosen item is the highest break not above the quantity."""
    price_list = PriceListFactory(name="Breaks")

    @given(breaks=st.sets(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=8),
           quantity=st.decimals(min_value=0, max_value=1200, places=3))
    @settings(max_examples=60)
    def check(breaks, quantity):
        savepoint = transaction.savepoint_create()
        try:
            for position, minimum in enumerate(sorted(breaks)):
                PriceListItemFactory(price_list=price_list, product=product, min_quantity=minimum,
                                     unit_price=Decimal(100 - position))
            applicable = [minimum for minimum in breaks if minimum <= quantity]
            result = price_for(product, quantity=quantity, on_date=DAY, currency="EUR")
            if not applicable:
                assert result is None
            else:
                assert result.item.min_quantity == max(applicable)
        finally:
            transaction.savepoint_rollback(savepoint)

    check()
