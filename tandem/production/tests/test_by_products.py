"""By-products of a production order: recorded through the API (the field of a refusal named by its row) and on
the order page's output form (rows with a product picker, quantity, unit cost and a new lot when tracked)."""

import datetime
import json
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.production import services
from tandem.production.tests.conftest import buy
from tandem.stock.models import Lot, StockLevel, WarehouseStock

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 7)


def _post(http, url, body=None):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def working(producer, table, leg, top, table_bom, shelf, piece):
    """Two tables in progress with their components consumed (8.4211 legs at 2.50, 2 tops at 40: 101.05)."""
    buy(leg, 20, "2.50", shelf)
    buy(top, 2, "40", shelf)
    order = services.create_production_order(product=table, quantity=2, by=producer, planned_start=DAY)
    order = services.confirm_production_order(order, by=producer)
    order = services.start_production_order(order, by=producer)
    legs, tops = order.components.order_by("position")
    return services.consume_components(order, by=producer, lines=[
        services.Consumption(legs, Decimal("8.4211")), services.Consumption(tops, Decimal(2))])


@pytest.fixture
def offcut(piece):
    return Product.objects.create(sku="OFFCUT", name="Oak offcut", unit=piece)


@pytest.fixture
def shavings(piece):
    return Product.objects.create(sku="SHAV", name="Shavings (bag)", unit=piece, tracking="lot")


def test_the_api_records_by_products_into_stock_and_names_the_row_it_refuses(api, producer, working, offcut,
                                                                              shavings):
    http = api(producer)
    url = f"/api/v1/production/orders/{working.pk}/produce"
    negative = _post(http, url, {"quantity": "1", "by_products": [
        {"product_id": offcut.pk, "quantity": "2"}, {"product_id": shavings.pk, "quantity": "-1"}]})
    assert negative.status_code in (400, 422) and negative.json()["field"] == "by_products.1.quantity"
    unknown = _post(http, url, {"quantity": "1", "by_products": [{"product_id": 10**9, "quantity": "1"}]})
    assert unknown.status_code == 400 and unknown.json()["field"] == "by_products.0.product_id"
    Lot.objects.create(product=shavings, code="SH-1")
    taken = _post(http, url, {"quantity": "1", "by_products": [{"product_id": shavings.pk, "quantity": "1",
                                                                "lot_code": "SH-1"}]})
    assert taken.status_code == 409 and taken.json()["field"] == "by_products.0.lot_code"
    untracked = _post(http, url, {"quantity": "1", "by_products": [{"product_id": offcut.pk, "quantity": "1",
                                                                    "lot_code": "X"}]})
    assert untracked.status_code == 400 and untracked.json()["field"] == "by_products.0.lot_code"
    assert not WarehouseStock.objects.filter(product__in=[offcut, shavings]).exists()  # nothing half-written
    done = _post(http, url, {"quantity": "1", "by_products": [
        {"product_id": offcut.pk, "quantity": "4", "unit_cost": "1.25"},
        {"product_id": shavings.pk, "quantity": "2", "lot_code": "SH-2"}]})
    assert done.status_code == 200, done.content
    outputs = done.json()["outputs"]
    assert [(o["kind"], o["quantity"]) for o in outputs] == [("by_product", "4"), ("by_product", "2"),
                                                             ("finished", "1")]
    assert WarehouseStock.objects.get(product=offcut).on_hand == 4
    assert StockLevel.objects.get(product=shavings).lot.code == "SH-2"
    # 101.05 of materials: the offcuts take 5.00, the first table half of the rest
    working.refresh_from_db()
    assert working.outputs.get(kind="finished").value == Decimal("48.03")


def test_the_order_page_records_by_products_on_its_rows(client, producer, working, offcut, shavings):
    client.force_login(producer)
    url = f"/production/orders/{working.pk}/"
    page = client.get(url).content.decode()
    assert 'data-testid="by-products"' in page and 'name="by_product_2_quantity"' in page
    no_product = client.post(f"{url}produce/", {"version": working.version, "quantity": "1",
                                                "by_product_1_quantity": "3"})
    assert no_product.status_code == 400 and "Choose the by-product." in no_product.content.decode()
    no_quantity = client.post(f"{url}produce/", {"version": working.version, "quantity": "1",
                                                 "by_product_2": offcut.pk})
    assert no_quantity.status_code == 400 and 'id="id_by_product_2_quantity_error"' in no_quantity.content.decode()
    negative = client.post(f"{url}produce/", {"version": working.version, "quantity": "1",
                                              "by_product_1": offcut.pk, "by_product_1_quantity": "-2"})
    assert negative.status_code == 400 and 'id="id_by_product_1_quantity_error"' in negative.content.decode()
    Lot.objects.create(product=shavings, code="SH-1")
    taken = client.post(f"{url}produce/", {"version": working.version, "quantity": "1", "by_product_2": shavings.pk,
                                           "by_product_2_quantity": "1", "by_product_2_lot_code": "SH-1"})
    html = taken.content.decode()
    assert taken.status_code == 409 and 'id="id_by_product_2_lot_code_error"' in html and "exists already" in html
    assert not WarehouseStock.objects.filter(product__in=[offcut, shavings]).exists()
    done = client.post(f"{url}produce/", {"version": working.version, "quantity": "1",
                                          "by_product_1": offcut.pk, "by_product_1_quantity": "4",
                                          "by_product_1_unit_cost": "1.25", "by_product_2": shavings.pk,
                                          "by_product_2_quantity": "2"})
    assert done.status_code == 302
    assert WarehouseStock.objects.get(product=offcut).on_hand == 4
    assert StockLevel.objects.get(product=shavings).lot.code == f"{working.number}-1"
    page = client.get(url).content.decode()
    assert page.count("By-product") >= 2 and "OFFCUT" in page and "SHAV" in page
