"""Stock pages: the stock list per warehouse, moves, receipt/transfer/adjustment forms, warehouses, counts,
the global search's "stock of item X", and the product page's stock panel."""

from decimal import Decimal

from django.test import RequestFactory
from django.urls import reverse

from tandem.core import roles
from tandem.stock import services
from tandem.stock.models import StockCount, StockMove
from tandem.stock.views import product_stock_panel


def _storekeeper(client, make_user):
    user = make_user(roles.WAREHOUSE, username="storekeeper")
    client.force_login(user)
    return user


def test_receiving_goods_shows_in_the_stock_list(client, make_user, room):
    _storekeeper(client, make_user)
    form = client.get(reverse("stock:receipt-new"))
    assert form.status_code == 200 and "product_search" in form.content.decode()
    response = client.post(reverse("stock:receipt-new"), {
        "product": room.bolt.pk, "quantity": "12", "to_location": room.bin_a.pk, "reason": "Supplier delivery"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "BOLT-8" in page and "12" in page
    refused = client.post(reverse("stock:receipt-new"), {
        "product": room.milk.pk, "quantity": "1", "to_location": room.bin_a.pk})
    assert refused.status_code == 400 and "tracked" in refused.content.decode()
    transfer = client.post(reverse("stock:transfer-new"), {
        "product": room.bolt.pk, "quantity": "20", "from_location": room.bin_a.pk, "to_location": room.bin_b.pk})
    assert transfer.status_code == 400 and "Only 12" in transfer.content.decode()
    adjust = client.post(reverse("stock:adjustment-new"), {
        "product": room.bolt.pk, "quantity": "-2", "location": room.bin_a.pk, "reason": "Broken"})
    assert adjust.status_code == 302
    moves = client.get(reverse("stock:move-list") + f"?product={room.bolt.pk}").content.decode()
    assert "Broken" in moves and "Supplier delivery" in moves


def test_stock_list_pages_fifty_products(client, make_user, room):
    from tandem.catalog.models import Product

    _storekeeper(client, make_user)
    for number in range(60):
        product = Product.objects.create(sku=f"P-{number:03}", name=f"Part {number}", unit=room.bolt.unit)
        services.receive_stock(product=product, quantity=Decimal(1), location=room.main_stock, by=None)
    first = client.get(reverse("stock:stock-list") + f"?warehouse={room.main.pk}").content.decode()
    assert "P-049" in first and "P-050" not in first
    second = client.get(reverse("stock:stock-list") + f"?warehouse={room.main.pk}&page=2").content.decode()
    assert "P-050" in second


def test_warehouse_settings_and_locations(client, admin_user, room):
    client.force_login(admin_user)
    created = client.post(reverse("stock:warehouse-list"), {"code": "THIRD", "name": "Third"})
    assert created.status_code == 302
    edit = created["Location"]
    assert "STOCK" in client.get(edit).content.decode()
    pk = int(edit.rstrip("/").split("/")[-2])
    added = client.post(reverse("stock:warehouse-location-add", args=[pk]), {"code": "Q1", "kind": "quarantine"})
    assert added.status_code == 302
    duplicate = client.post(reverse("stock:warehouse-location-add", args=[pk]), {"code": "q1", "kind": "storage"})
    assert duplicate.status_code == 400


def test_count_pages_enter_and_post(client, make_user, room):
    _storekeeper(client, make_user)
    services.receive_stock(product=room.bolt, quantity=Decimal(5), location=room.bin_a, by=None)
    response = client.post(reverse("stock:count-new"), {"warehouse": room.main.pk, "count_date": "2026-11-30"})
    assert response.status_code == 302
    count = StockCount.objects.get()
    line = client.post(reverse("stock:count-line-add", args=[count.pk]),
                       {"product": room.bolt.pk, "location": room.bin_a.pk, "counted": "4"})
    assert line.status_code == 302
    page = client.get(reverse("stock:count-detail", args=[count.pk])).content.decode()
    assert 'data-column="variance">-1<' in page
    client.post(reverse("stock:count-post", args=[count.pk]))
    assert StockCount.objects.get().status == "posted"
    assert StockMove.objects.filter(kind="adjustment").count() == 1
    assert client.get(reverse("stock:count-list")).status_code == 200


def test_global_search_answers_stock_of_an_item(client, make_user, room):
    _storekeeper(client, make_user)
    services.receive_stock(product=room.bolt, quantity=Decimal(7), location=room.bin_a, by=None)
    services.receive_stock(product=room.bolt, quantity=Decimal(2), location=room.second_stock, by=None)
    page = client.get(reverse("parties:search") + "?q=BOLT").content.decode()
    assert "BOLT-8 Bolt M8" in page and "MAIN: 7 available" in page and "SECOND: 2 available" in page


def test_product_stock_panel(make_user, room):
    services.receive_stock(product=room.bolt, quantity=Decimal(3), location=room.bin_a, by=None)
    request = RequestFactory().get("/")
    request.user = make_user(roles.VIEWER, username="viewer")
    html = product_stock_panel(request, room.bolt)
    assert "Main" in html and "MAIN/A1" in html
    request.user = make_user(None, username="nobody")
    assert product_stock_panel(request, room.bolt) == ""


def test_product_picker_finds_by_sku_and_name(client, make_user, room):
    _storekeeper(client, make_user)
    options = client.get(reverse("stock:product-picker") + "?q=bolt", headers={"HX-Request": "true"})
    assert "BOLT-8 Bolt M8" in options.content.decode()


def test_stock_list_page_queries_do_not_grow_with_rows(client, make_user, room):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.catalog.models import Product

    _storekeeper(client, make_user)
    url = reverse("stock:stock-list") + f"?warehouse={room.main.pk}"

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.receive_stock(product=room.bolt, quantity=Decimal(1), location=room.main_stock, by=None)
    queries_for_page()  # warm caches (content types, module switches)
    few = queries_for_page()
    for number in range(30):
        product = Product.objects.create(sku=f"Q-{number:03}", name=f"Part {number}", unit=room.bolt.unit)
        services.receive_stock(product=product, quantity=Decimal(1), location=room.main_stock, by=None)
    assert queries_for_page() == few
    assert few <= 10, few


def test_the_count_csv_upload_page_shows_the_variances_and_refuses_a_bad_file(client, make_user, room):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    _storekeeper(client, make_user)
    services.receive_stock(product=room.bolt, quantity=Decimal(10), location=room.bin_a, by=None)
    count = services.create_count(warehouse=room.main, by=None)
    url = reverse("stock:count-import", args=[count.pk])
    good = SimpleUploadedFile("count.csv", b"sku,location,lot,counted\nBOLT-8,A1,,7\n", content_type="text/csv")
    response = client.post(url, {"file": good})
    assert response.status_code == 302 and response["Location"] == reverse("stock:count-detail", args=[count.pk])
    page = client.get(response["Location"]).content.decode()
    line = count.lines.get()
    row = re.search(rf'<tr id="line-{line.pk}".*?</tr>', page, re.S).group(0)
    assert "BOLT-8" in row and '<td class="number">7</td>' in row and '<td class="number">10</td>' in row
    assert 'data-column="variance">-3</td>' in row

    bad = SimpleUploadedFile("count.csv", b"sku,location,lot,counted\nNOPE,A1,,1\n", content_type="text/csv")
    refused = client.post(url, {"file": bad})
    assert refused.status_code == 400
    assert refused.context["import_form"].errors["file"]
    assert "NOPE" in refused.content.decode() or "sku" in refused.content.decode()
    assert count.lines.count() == 1  # nothing half-written
    columns = SimpleUploadedFile("count.csv", b"product,counted\nx,1\n", content_type="text/csv")
    assert client.post(url, {"file": columns}).status_code == 400
