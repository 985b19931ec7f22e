"""Requests for quotation (issue #15): an RFQ's lines wait for the supplier's prices, the quoted prices are
recorded, the RFQ is printed as a "Request for quotation" and converted to a draft purchase order (optionally
saving the quoted prices to the supplier's price list), or cancelled. The ordinary order flow stays as it was."""

import json
from decimal import Decimal

import pytest

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.purchasing import services
from tandem.purchasing.models import PurchaseOrder, SupplierPrice
from tandem.purchasing.pdf import purchase_order_html
from tandem.purchasing.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfq(buyer, supplier, warehouse, shelf, pump, pump_price, seal):
    """An RFQ for 20 pumps (the price list says 40) and 5 seal kits (no price yet)."""
    return services.create_purchase_order(supplier=supplier, warehouse=warehouse, order_date=TODAY, by=buyer,
                                          as_rfq=True, lines=[{"product": pump, "quantity": Decimal(20)},
                                                              {"product": seal, "quantity": Decimal(5)}])


def test_an_rfq_waits_for_prices_then_becomes_a_draft_with_the_quoted_prices(rfq, buyer, pump, seal, pump_price):
    assert rfq.status == PurchaseOrder.Status.RFQ
    pump_line, seal_line = rfq.lines.order_by("position")
    assert pump_line.unit_price == 40 and not pump_line.awaiting_price
    assert seal_line.unit_price == 0 and seal_line.awaiting_price
    assert rfq.total == Decimal("800.00")
    with pytest.raises(ConflictError) as exc:
        services.submit_purchase_order(rfq, by=buyer)  # not before it is a purchase order
    assert exc.value.code == "invalid_transition"
    with pytest.raises(BusinessRuleError) as exc:
        services.convert_rfq(rfq, by=buyer)
    assert exc.value.code == "awaiting_price" and exc.value.field == "lines.1.unit_price"
    with pytest.raises(BusinessRuleError) as exc:
        services.record_quoted_prices(rfq, prices=[(pump_line, "38"), (seal_line, "-1")], by=buyer)
    assert exc.value.field == "lines.1.unit_price"
    pump_line.refresh_from_db()
    assert pump_line.unit_price == 40  # nothing of the refused answer was written
    rfq = services.record_quoted_prices(rfq, prices=[(pump_line, "38"), (seal_line.pk, "2.50")], by=buyer,
                                        expected_version=rfq.version)
    assert rfq.total == Decimal("772.50")  # 20 × 38 + 5 × 2.50
    seal_line.refresh_from_db()
    assert seal_line.price_overridden and not seal_line.awaiting_price
    order = services.convert_rfq(rfq, by=buyer, save_prices=True)
    assert order.status == PurchaseOrder.Status.DRAFT and order.number == rfq.number
    actions = list(AuditEntry.objects.filter(object_id=str(order.pk)).values_list("action", flat=True))
    assert {"purchasing.purchaseorder.quoted", "purchasing.purchaseorder.draft",
            "purchasing.purchaseorder.converted"} <= set(actions)
    # The quoted prices are now the supplier's: the list row is updated, a new one for the seal kit.
    pump_price.refresh_from_db()
    assert pump_price.unit_price == 38
    assert SupplierPrice.objects.get(product=seal).unit_price == Decimal("2.5")
    assert services.best_supplier_price(seal, 5, TODAY).unit_price == Decimal("2.5")
    # From here the usual flow: lines change in draft, submitted below the threshold straight to approved.
    order = services.submit_purchase_order(order, by=buyer)
    assert order.status == PurchaseOrder.Status.APPROVED


def test_converting_without_saving_leaves_the_price_list(rfq, buyer, pump_price, seal):
    pump_line, seal_line = rfq.lines.order_by("position")
    services.record_quoted_prices(rfq, prices=[(seal_line, "3")], by=buyer)
    services.convert_rfq(rfq, by=buyer)
    pump_price.refresh_from_db()
    assert pump_price.unit_price == 40 and not SupplierPrice.objects.filter(product=seal).exists()


def test_rfq_lines_are_editable_and_quotes_only_on_an_rfq(rfq, buyer, pump, order_of):
    services.add_purchase_order_line(rfq, product=pump, quantity=1, by=buyer)
    line = rfq.lines.order_by("position").last()
    services.update_purchase_order_line(line, quantity=3, unit_price="39", by=buyer)
    line.refresh_from_db()
    assert (line.quantity, line.unit_price) == (3, 39)
    with pytest.raises(ConflictError) as exc:
        services.record_quoted_prices(rfq, prices=[(line, "1")], by=buyer, expected_version=1)
    assert exc.value.code == "stale"
    draft = order_of(pump, 2)
    with pytest.raises(ConflictError) as exc:
        services.record_quoted_prices(draft, prices=[(draft.lines.get(), "1")], by=buyer)
    assert exc.value.code == "not_rfq"
    with pytest.raises(ConflictError):
        services.convert_rfq(draft, by=buyer)
    with pytest.raises(BusinessRuleError) as exc:
        services.record_quoted_prices(rfq, prices=[(draft.lines.get(), "1")], by=buyer)
    assert exc.value.code == "foreign_line"


def test_an_rfq_can_be_cancelled(rfq, buyer):
    assert services.cancel_purchase_order(rfq, by=buyer).status == PurchaseOrder.Status.CANCELLED


def test_rfq_pdf_asks_for_prices(rfq, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    html = purchase_order_html(rfq)
    assert "Request for quotation" in html and "Please quote your unit prices" in html
    assert "Net total" not in html and "Purchase order" not in html
    order_html = purchase_order_html(services.convert_rfq(
        services.record_quoted_prices(rfq, prices=[(rfq.lines.order_by("position").last(), "2")], by=rfq.owner),
        by=rfq.owner))
    assert "Purchase order" in order_html and "Net total" in order_html


# --- Pages --------------------------------------------------------------------------------------------------

def test_buyer_runs_an_rfq_on_the_pages(client, buyer, supplier, warehouse, shelf, pump, pump_price, seal,
                                        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(buyer)
    listing = client.get("/purchasing/orders/").content.decode()
    assert 'data-action="new-rfq"' in listing
    assert "New request for quotation" in client.get("/purchasing/orders/new/?rfq=1").content.decode()
    response = client.post("/purchasing/orders/new/", {"supplier": supplier.pk, "warehouse": warehouse.pk,
                                                        "order_date": "2026-06-01", "as_rfq": "1"})
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert order.status == "rfq"
    client.post(f"/purchasing/orders/{order.pk}/lines/add/", {"product": seal.pk, "quantity": "5"})
    line = order.lines.get()
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "<h1>Request for quotation" in page and f'name="price-{line.pk}"' in page
    assert 'data-action="convert"' in page and 'data-action="submit"' not in page
    assert "Request for quotation" in client.get("/purchasing/orders/?status=rfq").content.decode()
    pdf = client.get(f"/purchasing/orders/{order.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF" and "RFQ-" in pdf["Content-Disposition"]
    refused = client.post(f"/purchasing/orders/{order.pk}/convert/", {"save_prices": "1"})
    assert refused.status_code == 302
    order.refresh_from_db()
    assert order.status == "rfq"
    bad = client.post(f"/purchasing/orders/{order.pk}/quote/", {f"price-{line.pk}": "abc"})
    assert bad.status_code == 400 and 'data-testid="quote-error"' in bad.content.decode()
    client.post(f"/purchasing/orders/{order.pk}/quote/", {f"price-{line.pk}": "2.5"})
    line.refresh_from_db()
    assert line.unit_price == Decimal("2.5") and line.price_overridden
    client.post(f"/purchasing/orders/{order.pk}/convert/", {"save_prices": "1", "version": 999})
    order.refresh_from_db()
    assert order.status == "rfq"  # stale version: nothing converted
    client.post(f"/purchasing/orders/{order.pk}/convert/", {"save_prices": "1", "version": order.version})
    order.refresh_from_db()
    assert order.status == "draft" and SupplierPrice.objects.get(product=seal).unit_price == Decimal("2.5")
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "<h1>Purchase order" in page and f"/purchasing/suppliers/{supplier.pk}/" in page


def test_warehouse_worker_cannot_convert(client, storeman, rfq):
    client.force_login(storeman)
    assert client.post(f"/purchasing/orders/{rfq.pk}/convert/").status_code == 403
    assert client.post(f"/purchasing/orders/{rfq.pk}/quote/").status_code == 403


# --- API ----------------------------------------------------------------------------------------------------

def _post(http, url, body=None, **headers):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_rfq_through_the_api(api, buyer, storeman, supplier, warehouse, shelf, pump, pump_price, seal):
    http = api(buyer)
    created = _post(http, "/api/v1/purchasing/orders", {"supplier_id": supplier.pk, "as_rfq": True, "lines": [
        {"product_id": seal.pk, "quantity": "5"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "rfq" and body["actions"] == ["edit", "convert", "cancel"]
    assert body["lines"][0]["awaiting_price"] is True
    order_id, line_id = body["id"], body["lines"][0]["id"]
    waiting = _post(http, f"/api/v1/purchasing/orders/{order_id}/convert")
    assert waiting.status_code == 400 and waiting.json()["field"] == "lines.0.unit_price"
    bad = _post(http, f"/api/v1/purchasing/orders/{order_id}/quote", {"lines": [{"line_id": 999999,
                                                                              "unit_price": "1"}]})
    assert bad.status_code in (400, 404) and bad.json()["field"] == "lines.0.line_id"
    assert _post(api(storeman), f"/api/v1/purchasing/orders/{order_id}/quote",
                 {"lines": [{"line_id": line_id, "unit_price": "3"}]}).status_code == 403
    quoted = _post(http, f"/api/v1/purchasing/orders/{order_id}/quote",
                   {"lines": [{"line_id": line_id, "unit_price": "3"}]})
    assert quoted.status_code == 200 and quoted.json()["total"] == "15"
    converted = _post(http, f"/api/v1/purchasing/orders/{order_id}/convert",
                      {"save_prices": True, "version": quoted.json()["version"]})
    assert converted.status_code == 200 and converted.json()["status"] == "draft"
    assert SupplierPrice.objects.get(product=seal).unit_price == 3
    again = _post(http, f"/api/v1/purchasing/orders/{order_id}/quote",
                  {"lines": [{"line_id": line_id, "unit_price": "4"}]})
    assert again.status_code == 409 and again.json()["code"] == "not_rfq"
    listed = http.get("/api/v1/purchasing/orders", {"status": "draft"}).json()
    assert listed["count"] == 1
