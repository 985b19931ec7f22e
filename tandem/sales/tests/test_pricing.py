"""Lines are priced from the client's price lists; overriding the price or discount needs a sales manager."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.catalog.models import PriceGroup, PriceList, PriceListItem, TaxCategory, UnitConversion
from tandem.core.errors import BusinessRuleError
from tandem.sales.services import client_pricing, quotes

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(pump, piece):
    pump.tax_category = TaxCategory.objects.create(name="Standard 19 %", rate=D(19))
    pump.save()
    general = PriceList.objects.create(name="General EUR", currency="EUR")
    PriceListItem.objects.create(price_list=general, product=pump, unit_price=D("120"))
    PriceListItem.objects.create(price_list=general, product=pump, min_quantity=D(10), unit_price=D("110"),
                                 discount_percent=D(5))
    wholesale = PriceGroup.objects.create(name="Wholesale")
    group_list = PriceList.objects.create(name="Wholesale EUR", currency="EUR", price_group=wholesale,
                                          valid_from=datetime.date(2026, 1, 1))
    PriceListItem.objects.create(price_list=group_list, product=pump, unit_price=D("100"))
    return wholesale


def _quote(by, client, lines):
    return quotes.create_quote(by=by, client=client, quote_date=datetime.date(2026, 3, 2), lines=lines)


def test_a_representative_gets_the_list_price_with_breaks_and_tax(stocked, lists, sales_rep, client_of_rep, pump):
    quote = _quote(sales_rep, client_of_rep, [{"product": pump, "quantity": 2}, {"product": pump, "quantity": 10}])
    small, large = quote.lines.order_by("position")
    assert (small.unit_price, small.discount_percent, small.tax_rate) == (D("120"), D(0), D(19))
    assert small.price_explanation == "list General EUR" and not small.price_overridden
    # 10 × 110 − 5 % = 1045.00; tax 19 % = 198.55
    assert (large.unit_price, large.discount_percent, large.net_amount, large.tax_amount) == (
        D("110"), D(5), D("1045.00"), D("198.55"))
    assert (quote.net_total, quote.tax_total, quote.total) == (D("1285.00"), D("244.15"), D("1529.15"))


def test_the_clients_price_group_is_used(stocked, lists, sales_manager, sales_rep, client_of_rep, pump):
    client_pricing.set_client_price_group(client_of_rep, lists, by=sales_manager)
    line = _quote(sales_rep, client_of_rep, [{"product": pump, "quantity": 2}]).lines.get()
    assert line.unit_price == D("100") and line.price_explanation == "list Wholesale EUR"


def test_overrides_need_a_sales_manager(stocked, lists, sales_rep, sales_manager, client_of_rep, pump):
    for values in ({"unit_price": "99"}, {"discount_percent": "10"}):
        with pytest.raises(BusinessRuleError) as refused:
            _quote(sales_rep, client_of_rep, [{"product": pump, "quantity": 2, **values}])
        assert refused.value.code == "price_override_not_allowed"
    # Sending the list's own price is no override.
    assert _quote(sales_rep, client_of_rep, [{"product": pump, "quantity": 2, "unit_price": "120"}])
    line = _quote(sales_manager, client_of_rep, [{"product": pump, "quantity": 2, "unit_price": "99",
                                                  "discount_percent": "10"}]).lines.get()
    assert line.price_overridden and line.list_price == D("120") and line.net_amount == D("178.20")
    # The representative may still change the quantity of the manager's line; the agreed price stays.
    quote = line.quote
    line = quotes.update_quote_line(line, by=sales_rep, quantity=3)
    assert (line.unit_price, line.discount_percent, line.net_amount) == (D("99"), D(10), D("267.30"))
    assert quote.pk


def test_sold_in_boxes(stocked, lists, sales_rep, client_of_rep, pump, piece):
    from tandem.catalog.models import Unit

    box = Unit.objects.create(code="box", name="box")
    UnitConversion.objects.create(product=pump, from_unit=box, to_unit=piece, factor=D(12))
    line = _quote(sales_rep, client_of_rep, [{"product": pump, "quantity": 1, "unit": box}]).lines.get()
    # 12 pc reach the 10-piece break: 12 × 110 = 1320 a box, −5 %
    assert (line.unit, line.unit_price, line.net_amount) == (box, D("1320"), D("1254.00"))
