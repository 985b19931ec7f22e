import datetime
from decimal import Decimal

import factory

from tandem.catalog.models import (
    Category,
    PriceGroup,
    PriceList,
    PriceListItem,
    Product,
    TaxCategory,
    Unit,
    UnitConversion,
)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "pc"
    name = factory.LazyAttribute(
        lambda o: {"pc": "piece", "kg": "kilogram", "box": "box", "g": "gram"}.get(o.code, o.code))
    step = factory.LazyAttribute(lambda o: Decimal("0.001") if o.code in ("kg", "l") else Decimal(1))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class TaxCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxCategory
        django_get_or_create = ("name",)

    name = "Standard"
    rate = Decimal(23)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Pump model {n}")
    unit = factory.SubFactory(UnitFactory)
    kind = Product.Kind.GOODS


class PriceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceGroup
        django_get_or_create = ("name",)

    name = "Wholesale"


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"List {n}")
    currency = "EUR"
    valid_from = datetime.date(2026, 1, 1)
    valid_to = datetime.date(2026, 12, 31)


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    min_quantity = Decimal(0)
    unit_price = Decimal("10.00")


class UnitConversionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitConversion

    from_unit = factory.SubFactory(UnitFactory, code="box")
    to_unit = factory.SubFactory(UnitFactory, code="pc")
    factor = Decimal(12)
