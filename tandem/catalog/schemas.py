"""API shapes of the assortment. Amounts and quantities travel as decimal strings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from tandem.catalog.models import Product
from tandem.core import limits
from tandem.core.schemas import ArchivedFilter, ArchiveOut, DecimalString, Id, InputSchema


class UnitOut(ArchiveOut):
    id: int
    code: str
    name: str
    step: str

    @staticmethod
    def resolve_step(obj) -> str:
        return f"{obj.step.normalize():f}"


class UnitIn(InputSchema):
    code: str = Field(max_length=16)
    name: str = Field(max_length=100)
    step: DecimalString = Field(Decimal(1), description="The smallest quantity: 1 for pieces, 0.001 for kilograms.")


class UnitPatch(InputSchema):
    code: str | None = Field(None, max_length=16)
    name: str | None = Field(None, max_length=100)
    step: DecimalString = None


class UnitConversionOut(Schema):
    id: int
    product_id: int | None
    from_unit: str = Field(description="Unit code.")
    to_unit: str
    factor: str = Field(description="1 from_unit = factor to_unit.")

    @staticmethod
    def resolve_from_unit(obj) -> str:
        return obj.from_unit.code

    @staticmethod
    def resolve_to_unit(obj) -> str:
        return obj.to_unit.code

    @staticmethod
    def resolve_factor(obj) -> str:
        return f"{obj.factor.normalize():f}"


class UnitConversionIn(InputSchema):
    product_id: Id | None = Field(None, description="Empty: a general conversion (kg ↔ g).")
    from_unit_id: Id
    to_unit_id: Id
    factor: DecimalString


class CategoryOut(ArchiveOut):
    id: int
    name: str
    parent_id: int | None


class CategoryIn(InputSchema):
    name: str = Field(max_length=200)
    parent_id: Id | None = None


class CategoryPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    parent_id: Id | None = None


class TaxCategoryOut(ArchiveOut):
    id: int
    name: str
    rate: str = Field(description="Percent, a decimal string.")

    @staticmethod
    def resolve_rate(obj) -> str:
        return f"{obj.rate.normalize():f}"


class AttributeValueOut(Schema):
    id: int
    attribute: str
    value: str

    @staticmethod
    def resolve_attribute(obj) -> str:
        return obj.attribute.name


class TaxCategoryIn(InputSchema):
    name: str = Field(max_length=100)
    rate: DecimalString = Field(description="Percent, 0 to 100.")


class TaxCategoryPatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    rate: DecimalString = Field(None, description="Percent, 0 to 100.")


class AttributeOut(ArchiveOut):
    id: int
    name: str
    values: list[AttributeValueOut]

    @staticmethod
    def resolve_values(obj) -> list:
        return list(obj.values.all())


class AttributeIn(InputSchema):
    name: str = Field(max_length=100)
    values: list[str] = Field(default_factory=list, max_length=100, description='In order, e.g. ["S", "M", "L"].')


class AttributeValueIn(InputSchema):
    value: str = Field(max_length=100)


class BarcodeOut(Schema):
    id: int
    code: str
    unit_id: int | None


class BarcodeIn(InputSchema):
    code: str = Field(max_length=32, description="EAN-8, EAN-13, UPC-A or GTIN-14 with a correct check digit.")
    unit_id: Id | None = None


class ProductOut(ArchiveOut):
    id: int
    sku: str
    name: str
    kind: str
    category_id: int | None
    unit_id: int
    unit: str = Field(description="Stock unit code.")
    sale_unit_id: int | None
    purchase_unit_id: int | None
    tax_category_id: int | None
    tracking: str
    template_id: int | None
    description: str
    weight: str | None = Field(None, description="Kilograms per stock unit (landed costs by weight need it).")
    version: int
    barcodes: list[BarcodeOut]
    attribute_values: list[AttributeValueOut]

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_weight(obj) -> str | None:
        return None if obj.weight is None else str(obj.weight)

    @staticmethod
    def resolve_barcodes(obj) -> list:
        return list(obj.barcodes.all())

    @staticmethod
    def resolve_attribute_values(obj) -> list:
        return list(obj.attribute_values.all())


class ProductIn(InputSchema):
    sku: str = Field(max_length=64)
    name: str = Field(max_length=300)
    kind: Product.Kind = Product.Kind.GOODS
    category_id: Id | None = None
    unit_id: Id
    sale_unit_id: Id | None = None
    purchase_unit_id: Id | None = None
    tax_category_id: Id | None = None
    tracking: Product.Tracking = Product.Tracking.NONE
    template_id: Id | None = None
    description: str = Field("", max_length=5000)
    weight: DecimalString | None = Field(None, description="Kilograms per stock unit.")
    barcodes: list[str] = Field(default_factory=list, max_length=20)


class ProductPatch(InputSchema):
    sku: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=300)
    kind: Product.Kind | None = None
    category_id: Id | None = None
    unit_id: Id | None = None
    sale_unit_id: Id | None = None
    purchase_unit_id: Id | None = None
    tax_category_id: Id | None = None
    tracking: Product.Tracking | None = None
    template_id: Id | None = None
    description: str | None = Field(None, max_length=5000)
    weight: DecimalString | None = Field(None, description="Kilograms per stock unit.")
    version: int | None = Field(None, description="The version you saw (or send If-Match).")


class ProductFilters(Schema):
    q: str = Field("", max_length=200, description="Part of the SKU or name (ignoring case and accents), or a "
                                                   "barcode.")
    category_id: Id | None = Field(None, description="This category and those below it.")
    kind: Product.Kind | None = None
    tracking: Product.Tracking | None = None
    template_id: Id | None = Field(None, description="The variants of this template.")
    archived: ArchivedFilter = "false"
    sort: Literal["sku", "name", "-created"] = "sku"


class VariantsIn(InputSchema):
    attribute_value_ids: list[Id] = Field(min_length=1, max_length=100)


class PriceGroupOut(ArchiveOut):
    id: int
    name: str


class PriceGroupIn(InputSchema):
    name: str = Field(max_length=100)


class PriceGroupPatch(InputSchema):
    name: str | None = Field(None, max_length=100)


class PriceListItemOut(Schema):
    id: int
    product_id: int
    sku: str
    min_quantity: str
    unit_price: str = Field(description="Per stock unit, 6 decimal places.")
    discount_percent: str

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_min_quantity(obj) -> str:
        return f"{obj.min_quantity.normalize():f}"

    @staticmethod
    def resolve_unit_price(obj) -> str:
        return str(obj.unit_price)

    @staticmethod
    def resolve_discount_percent(obj) -> str:
        return f"{obj.discount_percent.normalize():f}"


class PriceListItemIn(InputSchema):
    product_id: Id
    min_quantity: DecimalString = Decimal(0)
    unit_price: DecimalString
    discount_percent: DecimalString = Decimal(0)


class PriceListOut(ArchiveOut):
    id: int
    name: str
    currency: str
    price_group_id: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    version: int


class PriceListDetailOut(PriceListOut):
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class PriceListIn(InputSchema):
    name: str = Field(max_length=200)
    currency: str = Field(min_length=3, max_length=3)
    price_group_id: Id | None = None
    valid_from: limits.Date | None = None
    valid_to: limits.Date | None = None
    items: list[PriceListItemIn] = Field(default_factory=list, max_length=1000)


class PriceListPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    currency: str | None = Field(None, min_length=3, max_length=3)
    price_group_id: Id | None = None
    valid_from: limits.Date | None = None
    valid_to: limits.Date | None = None
    version: int | None = None


class PriceListFilters(Schema):
    currency: str | None = Field(None, max_length=3)
    price_group_id: Id | None = None
    archived: ArchivedFilter = "false"


class PriceQuery(Schema):
    quantity: DecimalString = Field(Decimal(1), description="In `unit_id` (default: the stock unit).")
    date: limits.Date | None = Field(None, description="Default: today.")
    currency: str = Field(min_length=3, max_length=3)
    price_group: list[Id] = Field(default_factory=list, description="The client's price groups (ids), first "
                                                                   "wins.")
    unit_id: Id | None = None


class PriceOut(Schema):
    unit_price: str = Field(description="List price per unit asked, 6 decimal places.")
    discount_percent: str
    net_unit_price: str
    currency: str
    price_list_id: int
    price_list: str
    item_id: int
    explanation: str
