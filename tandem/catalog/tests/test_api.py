"""The catalogue's REST API: status codes, refusals naming the field, nothing half-written, the price."""

import json
from decimal import Decimal

import pytest

from tandem.catalog.models import PriceList, Product
from tandem.catalog.tests.factories import (
    CategoryFactory,
    PriceGroupFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    UnitFactory,
)

API = "/api/v1/catalog"
EAN = "4006381333931"


def send(http, method, url, data=None, **headers):
    return getattr(http, method)(url, json.dumps(data) if data is not None else None,
                                 content_type="application/json", headers=headers)


def test_create_read_update_product(manager_api, pc):
    http = manager_api
    category = CategoryFactory(name="Pumps")
    created = send(http, "post", f"{API}/products", {"sku": "P-1", "name": "Pump", "unit_id": pc.pk,
                                                      "category_id": category.pk, "barcodes": [EAN]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["unit"] == "pc" and body["barcodes"][0]["code"] == EAN and body["version"] == 1
    got = http.get(f"{API}/products/{body['id']}")
    assert got["ETag"] == '"1"'
    changed = send(http, "patch", f"{API}/products/{body['id']}", {"name": "Pump 2"}, **{"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = send(http, "patch", f"{API}/products/{body['id']}", {"name": "Pump 3"}, **{"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"


@pytest.mark.parametrize("payload, field, status", [
    ({"sku": "PUMP-1", "name": "Again"}, "sku", 409),
    ({"sku": "P-2", "name": "Bad code", "barcodes": ["4006381333932"]}, "barcode", 400),
    ({"sku": "P-3", "name": "Bad unit", "unit_id": 999999}, "unit_id", 400),
    ({"sku": "P-4", "name": "Bad kind", "kind": "magic"}, "kind", 400),
    ({"sku": "", "name": "No SKU"}, "sku", 400),
])
def test_bad_product_input_names_the_field(manager_api, product, payload, field, status):
    before = Product.objects.count()
    response = send(manager_api, "post", f"{API}/products", {"unit_id": product.unit_id, **payload})
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Product.objects.count() == before


def test_search_by_sku_name_and_barcode(manager_api, pc):
    ProductFactory(sku="ABC-1", name="Wąż ogrodowy", unit=pc).barcodes.create(code=EAN)
    ProductFactory(sku="XYZ-2", name="Pump", unit=pc)
    for text in ("abc", "waz", EAN):
        items = manager_api.get(f"{API}/products", {"q": text}).json()["items"]
        assert [p["sku"] for p in items] == ["ABC-1"], text


def test_archive_filter(manager_api, product):
    assert manager_api.post(f"{API}/products/{product.pk}/archive").json()["is_archived"] is True
    assert manager_api.get(f"{API}/products").json()["count"] == 0
    assert manager_api.get(f"{API}/products", {"archived": "true"}).json()["count"] == 1


def test_price_endpoint_explains(manager_api, product):
    group = PriceGroupFactory(name="Wholesale")
    price_list = PriceListFactory(name="Wholesale PLN 2026", currency="PLN", price_group=group)
    PriceListItemFactory(price_list=price_list, product=product, min_quantity=Decimal(100),
                         unit_price=Decimal("38.5"), discount_percent=Decimal(5))
    response = manager_api.get(f"{API}/products/{product.pk}/price",
                               {"quantity": "150", "date": "2026-06-01", "currency": "PLN",
                                "price_group": group.pk})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "unit_price": "38.500000", "discount_percent": "5", "net_unit_price": "36.575000", "currency": "PLN",
        "price_list_id": price_list.pk, "price_list": "Wholesale PLN 2026",
        "item_id": price_list.items.get().pk,
        "explanation": "list Wholesale PLN 2026, break ≥ 100 pc, −5 %"}
    missing = manager_api.get(f"{API}/products/{product.pk}/price",
                              {"quantity": "1", "date": "2026-06-01", "currency": "PLN"})
    assert missing.status_code == 404 and missing.json()["code"] == "no_price"
    bad = manager_api.get(f"{API}/products/{product.pk}/price", {"quantity": "x", "currency": "PLN"})
    assert bad.status_code == 400 and bad.json()["field"] == "quantity"


def test_price_list_with_items_is_all_or_nothing(manager_api, product):
    good = {"product_id": product.pk, "unit_price": "10.00"}
    bad = {"product_id": product.pk, "unit_price": "9", "min_quantity": "10", "discount_percent": "120"}
    response = send(manager_api, "post", f"{API}/price-lists",
                    {"name": "Retail", "currency": "EUR", "items": [good, bad]})
    assert response.status_code == 400 and response.json()["field"] == "items.1.discount_percent"
    assert not PriceList.objects.exists()
    response = send(manager_api, "post", f"{API}/price-lists",
                    {"name": "Retail", "currency": "EUR", "valid_from": "2026-01-01", "items": [good]})
    assert response.status_code == 201, response.content
    detail = manager_api.get(f"{API}/price-lists/{response.json()['id']}").json()
    assert detail["items"][0]["unit_price"] == "10.000000"
    dates = send(manager_api, "patch", f"{API}/price-lists/{detail['id']}", {"valid_to": "2025-01-01"})
    assert dates.status_code == 400 and dates.json()["field"] == "valid_to"


def test_units_conversions_and_variants(manager_api, product, pc):
    box = send(manager_api, "post", f"{API}/units", {"code": "box", "name": "box"}).json()
    conversion = send(manager_api, "post", f"{API}/unit-conversions",
                      {"product_id": product.pk, "from_unit_id": box["id"], "to_unit_id": pc.pk, "factor": "12"})
    assert conversion.status_code == 201 and conversion.json()["factor"] == "12"
    same = send(manager_api, "post", f"{API}/unit-conversions",
                {"from_unit_id": pc.pk, "to_unit_id": pc.pk, "factor": "2"})
    assert same.status_code == 400 and same.json()["field"] == "to_unit"
    size = send(manager_api, "post", f"{API}/attributes", {"name": "Size", "values": ["S"]}).json()
    more = send(manager_api, "post", f"{API}/attributes/{size['id']}/values", {"value": "M"})
    assert more.status_code == 201 and more.json()["attribute"] == "Size"
    again = send(manager_api, "post", f"{API}/attributes/{size['id']}/values", {"value": "m"})
    assert again.status_code == 409 and again.json()["field"] == "value"
    ids = [size["values"][0]["id"], more.json()["id"]]
    made = send(manager_api, "post", f"{API}/products/{product.pk}/variants", {"attribute_value_ids": ids})
    assert made.status_code == 201 and [v["sku"] for v in made.json()] == ["PUMP-1-M", "PUMP-1-S"]
    tax = send(manager_api, "post", f"{API}/tax-categories", {"name": "Reduced", "rate": "120"})
    assert tax.status_code == 400 and tax.json()["field"] == "rate"


def test_readers_read_but_do_not_write(api, sales_rep, product):
    http = api(sales_rep)
    assert http.get(f"{API}/products/{product.pk}").status_code == 200
    response = send(http, "patch", f"{API}/products/{product.pk}", {"name": "Mine"})
    assert response.status_code == 403


def test_deleting_a_priced_product_is_refused(manager_api, product):
    PriceListItemFactory(product=product)
    response = manager_api.delete(f"{API}/products/{product.pk}")
    assert response.status_code == 409 and response.json()["code"] == "referenced"
    lone = ProductFactory(unit=UnitFactory(code="kg"))
    assert manager_api.delete(f"{API}/products/{lone.pk}").status_code == 204


def test_tax_categories_and_price_groups_are_changed_archived_and_restored(manager_api, api, sales_rep):
    tax = send(manager_api, "post", f"{API}/tax-categories", {"name": "Standard", "rate": "23"}).json()
    send(manager_api, "post", f"{API}/tax-categories", {"name": "Reduced", "rate": "8"})
    changed = send(manager_api, "patch", f"{API}/tax-categories/{tax['id']}", {"name": " Normal ", "rate": "21"})
    assert changed.status_code == 200 and changed.json()["name"] == "Normal" and changed.json()["rate"] == "21"
    empty = send(manager_api, "patch", f"{API}/tax-categories/{tax['id']}", {"name": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "name"
    taken = send(manager_api, "patch", f"{API}/tax-categories/{tax['id']}", {"name": "reduced"})
    assert taken.status_code == 409 and taken.json()["code"] == "duplicate" and taken.json()["field"] == "name"
    rate = send(manager_api, "patch", f"{API}/tax-categories/{tax['id']}", {"rate": "101"})
    assert rate.status_code == 400 and rate.json()["field"] == "rate"
    archived = manager_api.post(f"{API}/tax-categories/{tax['id']}/archive")
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    names = [t["name"] for t in manager_api.get(f"{API}/tax-categories").json()]
    assert names == ["Reduced"]
    assert [t["name"] for t in manager_api.get(f"{API}/tax-categories?archived=true").json()] == ["Normal"]
    restored = manager_api.post(f"{API}/tax-categories/{tax['id']}/restore")
    assert restored.status_code == 200 and restored.json()["is_archived"] is False

    group = send(manager_api, "post", f"{API}/price-groups", {"name": "Wholesale"}).json()
    send(manager_api, "post", f"{API}/price-groups", {"name": "Retail"})
    renamed = send(manager_api, "patch", f"{API}/price-groups/{group['id']}", {"name": "Trade"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Trade"
    taken = send(manager_api, "patch", f"{API}/price-groups/{group['id']}", {"name": "RETAIL"})
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    empty = send(manager_api, "patch", f"{API}/price-groups/{group['id']}", {"name": " "})
    assert empty.status_code == 400 and empty.json()["field"] == "name"
    assert manager_api.post(f"{API}/price-groups/{group['id']}/archive").json()["is_archived"] is True
    assert [g["name"] for g in manager_api.get(f"{API}/price-groups").json()] == ["Retail"]
    archived_list = send(manager_api, "post", f"{API}/price-lists",
                         {"name": "Trade list", "currency": "EUR", "price_group_id": group["id"]})
    assert archived_list.status_code == 400 and archived_list.json()["field"] == "price_group"
    assert manager_api.post(f"{API}/price-groups/{group['id']}/restore").json()["is_archived"] is False

    reader = api(sales_rep)
    assert send(reader, "patch", f"{API}/tax-categories/{tax['id']}", {"name": "Mine"}).status_code == 403
    assert reader.post(f"{API}/price-groups/{group['id']}/archive").status_code == 403
    assert manager_api.post(f"{API}/tax-categories/999999/archive").status_code == 404
