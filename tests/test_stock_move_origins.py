"""A stock move names the document it came from (API `origin`, the move list's and the product page's
"Document" column, with who and why): a shipment, a purchase order receipt, none for a manual adjustment.
Stock resolves them through the `stock_move_origins` hook, one query per origin model whatever the count."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core import roles
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import services as purchasing
from tandem.sales.services import shipments
from tandem.sales.tests.conftest import *  # noqa: F403 (pump, receive, stocked, the shipping fixtures...)
from tandem.stock import services as stock_services
from tandem.stock.models import StockMove

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 3)


@pytest.fixture
def documents(make_order, receive, pump, shelf, warehouse, storekeeper, sales_manager, make_user):
    buyer = make_user(roles.PURCHASING, username="buyer1")
    supplier = purchasing.create_supplier(counterparty=CounterpartyFactory(
        client=ClientFactory(name="Pumpenwerk AG"), legal_name="Pumpenwerk AG", valid_from=DAY), by=buyer)
    receive(pump, 20)  # entered by hand: no origin

    def one_round():
        order = make_order([(pump, 2)])
        shipment = shipments.create_shipment(order, by=sales_manager, shipment_date=DAY)
        shipment = shipments.pack_shipment(shipments.pick_shipment(shipment, by=storekeeper), by=storekeeper)
        shipment = shipments.ship_shipment(shipment, by=storekeeper)
        po = purchasing.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=DAY, by=buyer,
                                              lines=[{"product": pump, "quantity": D(4), "unit_price": D("8")}])
        po = purchasing.submit_purchase_order(po, by=buyer)
        if po.status == "to_approve":
            po = purchasing.approve_purchase_order(po, by=sales_manager)
        po = purchasing.send_purchase_order(po, by=buyer)
        po = purchasing.receive_purchase_order(po, lines=[(po.lines.get(), 4, None, shelf)], date=DAY, by=storekeeper)
        stock_services.adjust_stock(product=pump, location=shelf, quantity=D(-1), reason="Dropped and broken",
                                    by=storekeeper)
        return shipment, po

    return one_round


def _origins(body):
    return {move["kind"]: move["origin"] for move in body["items"] if move["kind"] != "receipt"} | {
        "receipts": [move["origin"] for move in body["items"] if move["kind"] == "receipt"]}


def test_the_api_names_each_moves_document(documents, api, storekeeper, pump):
    shipment, po = documents()
    body = api(storekeeper).get("/api/v1/stock/moves", {"product_id": pump.pk}).json()
    origins = _origins(body)
    assert origins["shipment"] == {"type": "sales.shipment", "id": shipment.pk, "label": shipment.number,
                                   "url": reverse("sales:shipment-detail", args=[shipment.pk])}
    assert origins["adjustment"] is None
    assert sorted(origins["receipts"], key=bool) == [None, {
        "type": "purchasing.purchaseorder", "id": po.pk, "label": po.number,
        "url": reverse("purchasing:order-detail", args=[po.pk])}]


def test_one_query_per_origin_model_whatever_the_number_of_moves(documents, api, storekeeper, pump):
    documents()
    http = api(storekeeper)
    http.get("/api/v1/stock/moves", {"product_id": pump.pk})  # warm caches (content types, token)
    with CaptureQueriesContext(connection) as few:
        assert len(http.get("/api/v1/stock/moves", {"product_id": pump.pk}).json()["items"]) == 4
    documents()
    documents()
    with CaptureQueriesContext(connection) as many:
        assert len(http.get("/api/v1/stock/moves", {"product_id": pump.pk}).json()["items"]) == 10
    assert len(many) == len(few)


def test_pages_link_the_document_with_who_and_why(documents, client, storekeeper, pump):
    shipment, po = documents()
    documents()
    client.force_login(storekeeper)
    shipment_url = reverse("sales:shipment-detail", args=[shipment.pk])
    po_url = reverse("purchasing:order-detail", args=[po.pk])
    listed = client.get(reverse("stock:move-list") + f"?product={pump.pk}").text
    assert f'<a href="{shipment_url}" data-origin="sales.shipment">{shipment.number}</a>' in listed
    assert f'<a href="{po_url}" data-origin="purchasing.purchaseorder">{po.number}</a>' in listed
    assert "<th scope=\"col\">Document</th>" in listed

    product_page = client.get(reverse("catalog:product-detail", args=[pump.pk])).text
    panel = product_page.split('id="panel-moves-history"')[1].split("</details>")[0]
    assert f'<a href="{shipment_url}" data-origin="sales.shipment">{shipment.number}</a>' in panel
    assert f'<a href="{po_url}" data-origin="purchasing.purchaseorder">{po.number}</a>' in panel
    assert "Dropped and broken" in panel and storekeeper.display_name in panel
    assert '<th scope="col">By</th>' in panel and '<th scope="col">Reason</th>' in panel

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("stock:move-list") + f"?product={pump.pk}")
    documents()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("stock:move-list") + f"?product={pump.pk}")
    assert len(many) == len(few)
    assert StockMove.objects.filter(product=pump).count() == 10  # 1 + 3 rounds of 3
