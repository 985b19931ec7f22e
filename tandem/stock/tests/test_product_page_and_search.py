"""Stock on the catalog's product page (through its panel registry) and "stock of item X" from the global search
(page and API): found by SKU, by a name typed without accents, by barcode; available per warehouse in one step."""

from decimal import Decimal

from django.urls import reverse

from tandem.catalog.models import ProductBarcode
from tandem.core import roles
from tandem.stock import services


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_product_page_shows_stock_per_warehouse_and_moves(client, make_user, room):
    services.receive_stock(product=room.bolt, quantity=Decimal(7), location=room.bin_a, unit_cost=Decimal("2.50"),
                           by=None)
    services.receive_stock(product=room.bolt, quantity=Decimal(2), location=room.second_stock, by=None)
    services.reserve_stock(product=room.bolt, warehouse=room.main, quantity=Decimal(3), origin=room.main, by=None)
    page = _page(client, make_user(roles.VIEWER, username="viewer"),
                 reverse("catalog:product-detail", args=[room.bolt.pk]))
    assert 'id="panel-stock-per-warehouse"' in page and 'id="panel-moves-history"' in page
    assert '<tr data-warehouse="MAIN"><td>Main</td><td class="number" data-col="on_hand">7</td>' \
           '<td class="number" data-col="reserved">3</td><td class="number" data-col="available">4</td>' in page
    assert 'data-warehouse="SECOND"' in page
    assert f'{reverse("stock:move-list")}?product={room.bolt.pk}' in page
    assert "2.50" not in page and "2.5" not in page  # a viewer sees no costs
    assert reverse("stock_valuation:valuation-list") not in page


def test_moves_history_shows_the_last_twenty(client, make_user, room):
    for day in range(1, 26):
        services.receive_stock(product=room.bolt, quantity=Decimal(day), location=room.bin_a, by=None)
    page = _page(client, make_user(roles.WAREHOUSE, username="keeper"),
                 reverse("catalog:product-detail", args=[room.bolt.pk]))
    moves_panel = page.split('id="panel-moves-history"')[1].split("</details>")[0]
    assert moves_panel.count("<tr>") == 21  # header + 20 moves


def test_no_stock_panels_without_stock_rights_or_for_services(client, make_user, room):
    from tandem.catalog.models import Product

    consulting = Product.objects.create(sku="CONS", name="Consulting", unit=room.bolt.unit, kind=Product.Kind.SERVICE)
    page = _page(client, make_user(roles.VIEWER, username="viewer"),
                 reverse("catalog:product-detail", args=[consulting.pk]))
    assert "panel-stock-per-warehouse" not in page


def test_global_search_finds_stock_by_sku_folded_name_and_barcode(client, make_user, room):
    room.bolt.name = "Śruba M8"
    room.bolt.save()
    ProductBarcode.objects.create(product=room.bolt, code="4006381333931")
    services.receive_stock(product=room.bolt, quantity=Decimal(7), location=room.bin_a, by=None)
    user = make_user(roles.SALES_REPRESENTATIVE, username="rep")
    product_url = reverse("catalog:product-detail", args=[room.bolt.pk])
    for text in ("BOLT-8", "bolt", "sruba", "4006381333931"):
        page = _page(client, user, reverse("parties:search") + f"?q={text}")
        assert "MAIN: 7 available" in page and product_url in page, text


def test_stock_search_api_by_barcode(client, make_user, room):
    ProductBarcode.objects.create(product=room.bolt, code="4006381333931")
    services.receive_stock(product=room.bolt, quantity=Decimal(5), location=room.bin_a, by=None)
    client.force_login(make_user(roles.VIEWER, username="viewer"))
    hits = client.get("/api/v1/stock/search?q=4006381333931").json()
    assert [hit["sku"] for hit in hits] == ["BOLT-8"]
    assert Decimal(hits[0]["available"][0]["available"]) == 5


def test_product_page_shows_reserved_and_available_per_lot(client, make_user, room):
    import datetime

    early = services.get_or_create_lot(product=room.milk, code="M-EARLY", expiry_date=datetime.date(2027, 1, 10),
                                       by=None)
    late = services.get_or_create_lot(product=room.milk, code="M-LATE", expiry_date=datetime.date(2027, 3, 10),
                                      by=None)
    services.receive_stock(product=room.milk, quantity=Decimal(5), location=room.bin_b, lot=early, by=None)
    services.receive_stock(product=room.milk, quantity=Decimal(4), location=room.bin_b, lot=late, by=None)
    services.reserve_stock(product=room.milk, warehouse=room.main, quantity=Decimal(2), origin=room.main, lot=early,
                           by=None)
    page = _page(client, make_user(roles.VIEWER, username="viewer"),
                 reverse("catalog:product-detail", args=[room.milk.pk]))
    assert '<tr data-lot="M-EARLY"><td>Main</td><td>M-EARLY</td>' in page
    assert ('<td class="number" data-col="on_hand">5</td><td class="number" data-col="reserved">2</td>'
            '<td class="number" data-col="available">3</td></tr><tr data-lot="M-LATE">') in page
    assert ('<tr data-lot="M-LATE"><td>Main</td><td>M-LATE</td>' in page
            and '<td class="number" data-col="on_hand">4</td><td class="number" data-col="reserved">0</td>'
                '<td class="number" data-col="available">4</td>' in page)
