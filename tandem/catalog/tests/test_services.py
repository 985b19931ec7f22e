"""Rules and refusals of the catalogue's services."""

from decimal import Decimal

import pytest

from tandem.catalog import services
from tandem.catalog.models import Product
from tandem.catalog.tests.factories import ProductFactory, UnitConversionFactory, UnitFactory
from tandem.catalog.units import NoUnitConversion, convert_quantity, round_to_step
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry

EAN = "4006381333931"


def test_create_product_with_barcode_is_audited(sales_manager, pc):
    product = services.create_product(by=sales_manager, sku="TS-1", name="Łódź T-shirt", unit=pc, barcodes=[EAN])
    assert product.search_key == "ts-1 lodz t-shirt"
    assert list(product.barcodes.values_list("code", flat=True)) == [EAN]
    assert AuditEntry.objects.filter(action="catalog.product.created", object_id=product.pk).exists()


def test_duplicate_sku_and_barcode_are_refused(sales_manager, product, pc):
    with pytest.raises(ConflictError) as refused:
        services.create_product(by=sales_manager, sku="pump-1", name="Other", unit=pc)
    assert refused.value.field == "sku"
    services.add_barcode(product, by=sales_manager, code=EAN)
    with pytest.raises(ConflictError) as refused:
        services.create_product(by=sales_manager, sku="X-2", name="Other", unit=pc, barcodes=[EAN])
    assert refused.value.field == "barcode"
    assert not Product.objects.filter(sku="X-2").exists()


def test_invalid_barcode_is_refused(sales_manager, product):
    with pytest.raises(BusinessRuleError) as refused:
        services.add_barcode(product, by=sales_manager, code="4006381333932")
    assert refused.value.field == "barcode" and refused.value.code == "invalid"


def test_stale_edit_is_refused(sales_manager, product):
    services.update_product(product, by=sales_manager, expected_version=1, name="Pump 2")
    with pytest.raises(ConflictError) as refused:
        services.update_product(product, by=sales_manager, expected_version=1, name="Pump 3")
    assert refused.value.code == "stale"
    product.refresh_from_db()
    assert product.name == "Pump 2" and product.version == 2


def test_readers_cannot_edit(sales_rep, product):
    with pytest.raises(AccessDenied):
        services.update_product(product, by=sales_rep, name="Mine")


def test_service_cannot_be_tracked(sales_manager, pc):
    with pytest.raises(BusinessRuleError) as refused:
        services.create_product(by=sales_manager, sku="SRV", name="Install", unit=pc, kind="service",
                                tracking="lot")
    assert refused.value.field == "tracking"


def test_archive_template_archives_variants_and_restore(sales_manager, product):
    variant = ProductFactory(template=product)
    services.archive_product(product, by=sales_manager)
    variant.refresh_from_db()
    assert variant.is_archived and product.is_archived
    services.restore_product(product, by=sales_manager)
    assert not Product.objects.get(pk=product.pk).is_archived


def test_generate_variants_makes_each_combination_once(sales_manager, product):
    size = services.create_attribute(by=sales_manager, name="Size", values=["S", "M"])
    colour = services.create_attribute(by=sales_manager, name="Colour", values=["Red", "Navy blue"])
    values = [*size.values.all(), *colour.values.all()]
    created = services.generate_variants(product, by=sales_manager, attribute_values=values)
    assert sorted(p.sku for p in created) == ["PUMP-1-NAVY-BLUE-M", "PUMP-1-NAVY-BLUE-S", "PUMP-1-RED-M",
                                              "PUMP-1-RED-S"]
    assert all(p.template_id == product.pk and p.unit_id == product.unit_id for p in created)
    assert services.generate_variants(product, by=sales_manager, attribute_values=values) == []
    with pytest.raises(BusinessRuleError):
        services.generate_variants(created[0], by=sales_manager, attribute_values=values)


def test_category_cycle_is_refused(sales_manager):
    tools = services.create_category(by=sales_manager, name="Tools")
    pumps = services.create_category(by=sales_manager, name="Pumps", parent=tools)
    with pytest.raises(BusinessRuleError) as refused:
        services.update_category(tools, by=sales_manager, parent=pumps)
    assert refused.value.field == "parent"


def test_unit_conversions_product_specific_general_and_reverse(sales_manager, product, pc):
    box = UnitFactory(code="box")
    kg, g = UnitFactory(code="kg"), UnitFactory(code="g")
    UnitConversionFactory(product=product, from_unit=box, to_unit=pc, factor=Decimal(12))
    services.create_unit_conversion(by=sales_manager, from_unit=kg, to_unit=g, factor=Decimal(1000))
    assert convert_quantity(Decimal(2), box, pc, product) == 24
    assert convert_quantity(Decimal(30), pc, box, product) == Decimal(3)  # 2.5 boxes, rounded half up
    assert convert_quantity(Decimal(1234), g, kg) == Decimal("1.234")
    assert convert_quantity(Decimal("0.4"), g, kg) == Decimal("0.000")
    with pytest.raises(NoUnitConversion):
        convert_quantity(Decimal(1), box, pc)  # no general box conversion
    with pytest.raises(ConflictError):
        services.create_unit_conversion(by=sales_manager, from_unit=g, to_unit=kg, factor=Decimal("0.001"))


def test_round_to_step():
    assert round_to_step(Decimal("2.0005"), Decimal("0.001")) == Decimal("2.001")
    assert round_to_step(Decimal("2.5"), Decimal(1)) == Decimal(3)
    assert round_to_step(Decimal(7), Decimal(5)) == Decimal(5)


def test_price_list_item_refusals_leave_nothing(sales_manager, product):
    price_list = services.create_price_list(by=sales_manager, name="Retail", currency="eur")
    assert price_list.currency == "EUR"
    for field, values in [("discount_percent", {"discount_percent": Decimal(101)}),
                          ("unit_price", {"unit_price": Decimal(-1)}),
                          ("min_quantity", {"min_quantity": Decimal(-1)})]:
        with pytest.raises(BusinessRuleError) as refused:
            services.set_price_list_item(price_list, by=sales_manager, product=product,
                                         **{"unit_price": Decimal(1), **values})
        assert refused.value.field == field
    assert price_list.items.count() == 0
    item = services.set_price_list_item(price_list, by=sales_manager, product=product, unit_price=Decimal("9.5"))
    again = services.set_price_list_item(price_list, by=sales_manager, product=product, unit_price=Decimal("9.9"))
    assert item.pk == again.pk and again.unit_price == Decimal("9.9")
    with pytest.raises(BusinessRuleError) as refused:
        services.create_price_list(by=sales_manager, name="Bad", currency="XXY")
    assert refused.value.field == "currency"
