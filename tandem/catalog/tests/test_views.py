"""The catalogue's pages: lists, forms, the product page with its panels and the explained price."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.catalog import panels
from tandem.catalog.models import Product
from tandem.catalog.tests.factories import (
    CategoryFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)


@pytest.fixture
def manager_client(client, sales_manager):
    client.force_login(sales_manager)
    return client


def test_create_product_through_the_form(manager_client, pc):
    response = manager_client.post(reverse("catalog:product-create"), {
        "sku": "NEW-1", "name": "New pump", "kind": "goods", "unit": pc.pk, "tracking": "none",
        "barcode": "4006381333931"})
    product = Product.objects.get(sku="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("catalog:product-detail",
                                                                            args=[product.pk])
    assert product.barcodes.get().code == "4006381333931"


def test_form_shows_refusal_on_the_field(manager_client, product, pc):
    response = manager_client.post(reverse("catalog:product-create"), {
        "sku": "PUMP-1", "name": "Again", "kind": "goods", "unit": pc.pk, "tracking": "none"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_stale_edit_form_is_refused(manager_client, product, sales_manager):
    from tandem.catalog import services

    services.update_product(product, by=sales_manager, name="Changed meanwhile")
    response = manager_client.post(reverse("catalog:product-edit", args=[product.pk]), {
        "sku": "PUMP-1", "name": "Mine", "kind": "goods", "unit": product.unit_id, "tracking": "none",
        "version": 1})
    assert response.status_code == 400 and "changed by someone else" in response.content.decode()


def test_product_page_shows_registered_panels_and_price(manager_client, product):
    panels.register("test-stock", "Stock per warehouse", lambda request, p: f"<p>12 {p.unit.code} in Main</p>",
                    order=1)
    try:
        PriceListItemFactory(price_list=PriceListFactory(name="Retail EUR", valid_from=None, valid_to=None),
                             product=product, unit_price=Decimal("10.5"))
        page = manager_client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
        assert "Stock per warehouse" in page and "12 pc in Main" in page and "Retail EUR" in page
        price = manager_client.get(reverse("catalog:product-price-detail", args=[product.pk]),
                                   {"quantity": "3", "currency": "EUR",
                                    "date": datetime.date.today().isoformat()}).content.decode()
        assert "list Retail EUR" in price and "10.50" in price
    finally:
        panels.unregister("test-stock")


def test_product_list_filters_and_reads_a_fixed_number_of_queries(manager_client, pc):
    pumps = CategoryFactory(name="Pumps")
    garden = CategoryFactory(name="Garden", parent=pumps)

    def add(n):
        for _ in range(n):
            product = ProductFactory(unit=pc, category=garden)
            product.barcodes.create(code=f"{4000000000000 + Product.objects.count() * 10:013d}"[:12] + "0")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("catalog:product-list"), {"category": pumps.pk})
        assert response.status_code == 200
        return len(queries)

    ProductFactory(unit=pc, sku="OTHER-1")
    add(2)
    count()  # the first request also loads the session and the user's permissions
    few = count()
    add(10)
    assert count() == few
    page = manager_client.get(reverse("catalog:product-list"), {"category": pumps.pk}).content.decode()
    assert "Pumps / Garden" in page and "OTHER-1" not in page


def test_product_picker_shows_sku_name_unit(manager_client, product):
    template = ProductFactory(sku="TEMPLATE-1", name="Garden pump family", unit=product.unit)
    ProductFactory(sku="TEMPLATE-1-RED", name="Garden pump red", unit=product.unit, template=template)
    page = manager_client.get(reverse("catalog:product-picker"), {"q": "garden"}).content.decode()
    assert "PUMP-1 Garden pump" in page and "pc" in page
    assert "TEMPLATE-1-RED" in page and "Garden pump family" not in page  # a template is not chosen


def test_price_list_pages(manager_client, product):
    price_list = PriceListFactory(name="Retail 2026")
    response = manager_client.post(reverse("catalog:pricelist-item-add", args=[price_list.pk]), {
        "product": product.pk, "unit_price": "12.5", "min_quantity": "0", "discount_percent": "0"})
    assert response.status_code == 302
    page = manager_client.get(reverse("catalog:pricelist-detail", args=[price_list.pk])).content.decode()
    assert "PUMP-1" in page and "12.5" in page
    assert manager_client.get(reverse("catalog:pricelist-list")).status_code == 200
    assert manager_client.get(reverse("catalog:category-settings")).status_code == 200
    assert manager_client.get(reverse("catalog:unit-settings")).status_code == 200


def test_readers_see_no_edit_buttons(client, sales_rep, product):
    client.force_login(sales_rep)
    page = client.get(reverse("catalog:product-detail", args=[product.pk])).content.decode()
    assert reverse("catalog:product-edit", args=[product.pk]) not in page
    assert client.get(reverse("catalog:product-edit", args=[product.pk])).status_code == 403


def test_tax_category_settings_add_rename_archive(manager_client, pc):
    from tandem.catalog.models import TaxCategory

    url = reverse("catalog:taxcategory-settings")
    added = manager_client.post(url, {"name": "Standard", "rate": "23"})
    tax = TaxCategory.objects.get(name="Standard")
    assert added.status_code == 302 and added["Location"] == f"{url}#row-{tax.pk}"
    page = manager_client.get(url).content.decode()
    assert "Standard" in page and "23 %" in page
    empty = manager_client.post(url, {"name": "", "rate": "8"})
    assert empty.status_code == 400 and 'id="id_name"' in empty.content.decode()
    assert empty.context["add_form"].errors["name"]
    duplicate = manager_client.post(url, {"name": "standard", "rate": "8"})
    assert duplicate.status_code == 400 and duplicate.context["add_form"].errors["name"]
    assert TaxCategory.objects.count() == 1
    renamed = manager_client.post(reverse("catalog:taxcategory-rename", args=[tax.pk]), {"name": "Normal"})
    assert renamed.status_code == 302 and TaxCategory.objects.get(pk=tax.pk).name == "Normal"
    TaxCategory.objects.create(name="Reduced", rate=8)
    refused = manager_client.post(reverse("catalog:taxcategory-rename", args=[tax.pk]), {"name": "reduced"})
    assert refused.status_code == 400 and refused.context["rename_errors"][tax.pk]

    form_url = reverse("catalog:product-create")
    assert "Normal" in manager_client.get(form_url).content.decode()
    manager_client.post(reverse("catalog:taxcategory-archive", args=[tax.pk]))
    assert TaxCategory.objects.get(pk=tax.pk).is_archived
    assert 'value="Normal"' not in manager_client.get(url).content.decode()
    assert 'value="Normal"' in manager_client.get(f"{url}?archived=all").content.decode()
    form_page = manager_client.get(form_url).content.decode()
    assert "Normal" not in form_page and "Reduced" in form_page  # an archived one is not offered
    manager_client.post(reverse("catalog:taxcategory-restore", args=[tax.pk]))
    assert not TaxCategory.objects.get(pk=tax.pk).is_archived


def test_price_group_settings_add_rename_archive(manager_client, client, sales_rep):
    from tandem.catalog.models import PriceGroup

    url = reverse("catalog:pricegroup-settings")
    assert manager_client.post(url, {"name": "Wholesale"}).status_code == 302
    group = PriceGroup.objects.get(name="Wholesale")
    assert manager_client.post(url, {"name": "WHOLESALE"}).status_code == 400
    assert manager_client.post(reverse("catalog:pricegroup-rename", args=[group.pk]),
                               {"name": "Trade"}).status_code == 302
    manager_client.post(reverse("catalog:pricegroup-archive", args=[group.pk]))
    assert PriceGroup.objects.get(pk=group.pk).is_archived
    assert 'value="Trade"' not in manager_client.get(url).content.decode()
    assert "Trade" not in manager_client.get(reverse("catalog:pricelist-create")).content.decode()
    manager_client.post(reverse("catalog:pricegroup-restore", args=[group.pk]))
    assert not PriceGroup.objects.get(pk=group.pk).is_archived
    client.force_login(sales_rep)
    assert client.get(url).status_code == 403
