"""The catalogue's demo data: products with variants, lots and services, price lists with breaks."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.catalog.demo import build_catalog_demo
from tandem.catalog.models import PriceGroup, PriceList, Product
from tandem.catalog.pricing import price_for
from tandem.core import roles

pytestmark = pytest.mark.django_db


def test_demo_catalogue_is_built_once_and_explains_prices(make_user):
    make_user(roles.ADMINISTRATOR, username="admin")
    lines = build_catalog_demo(seed=1)
    assert lines and "products" in lines[0]
    assert build_catalog_demo(seed=1) == []
    assert Product.objects.count() >= 30
    template = Product.objects.get(sku="TSHIRT")
    assert template.variants.count() == 8
    assert Product.objects.filter(tracking="lot").exists() and Product.objects.filter(kind="service").exists()
    assert PriceList.objects.filter(currency="PLN").count() == 2
    variant = template.variants.first()
    result = price_for(variant, quantity=Decimal(100), on_date=timezone.localdate(), currency="PLN",
                       price_groups=[PriceGroup.objects.get(name="Wholesale")])
    year = timezone.localdate().year
    assert result.explanation.startswith(f"list Wholesale PLN {year}")
    assert result.explanation.endswith("break ≥ 100 pc, −5 %")
    assert price_for(variant, quantity=Decimal(1), on_date=datetime.date(year, 6, 1), currency="EUR") is not None
