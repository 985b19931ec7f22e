"""The sales API: quotes from a deal with lines, steps, stale edits, refusals with the field, the PDF."""

import json

import pytest

from tandem.sales.models import Quote

pytestmark = pytest.mark.django_db


def _post(http, url, body=None, **headers):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_quote_from_a_deal_to_a_confirmed_order(stocked, deal, sales_manager, api, pump, receive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive(pump, 10)
    http = api(sales_manager)
    created = _post(http, "/api/v1/sales/quotes", {"deal_id": deal.pk, "quote_date": "2026-03-02", "lines": [
        {"product_id": pump.pk, "quantity": "3", "unit_price": "3.335"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["total"] == "10.01" and body["client"]["id"] == deal.client_id
    assert body["lines"][0]["quantity"] == "3" and body["actions"] == ["edit", "send"]
    quote_id, version = body["id"], body["version"]
    assert created["ETag"] == f'"{version}"'

    added = _post(http, f"/api/v1/sales/quotes/{quote_id}/lines", {"product_id": pump.pk, "quantity": "1",
                                                                   "unit_price": "100"}, **{"If-Match": '"1"'})
    assert added.status_code == 201 and added.json()["total"] == "110.01"
    stale = http.patch(f"/api/v1/sales/quotes/{quote_id}", data=json.dumps({"note": "x", "version": 1}),
                       content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"

    pdf = http.get(f"/api/v1/sales/quotes/{quote_id}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"

    assert _post(http, f"/api/v1/sales/quotes/{quote_id}/send").json()["status"] == "sent"
    order = _post(http, f"/api/v1/sales/quotes/{quote_id}/accept")
    assert order.status_code == 200, order.content
    order = order.json()
    assert order["total"] == "110.01" and order["quote_id"] == quote_id and order["actions"] == [
        "edit", "confirm", "cancel"]
    confirmed = _post(http, f"/api/v1/sales/orders/{order['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert [line["reserved_quantity"] for line in confirmed.json()["lines"]] == ["3", "1"]
    listed = http.get("/api/v1/sales/orders", {"client_id": deal.client_id}).json()
    assert listed["count"] == 1


def test_bad_input_names_the_field_and_writes_nothing(stocked, sales_manager, api, client_of_rep, pump):
    http = api(sales_manager)
    for line, field in [({"product_id": pump.pk, "quantity": "-1", "unit_price": "1"}, "quantity"),
                        ({"product_id": pump.pk, "quantity": "abc"}, "lines.0.quantity"),
                        ({"product_id": 999999, "quantity": "1"}, "lines[0].product_id"),
                        ({"product_id": pump.pk, "quantity": "1", "unit_price": "1", "discount_percent": "150"},
                         "discount_percent")]:
        response = _post(http, "/api/v1/sales/quotes", {"client_id": client_of_rep.pk, "lines": [line]})
        assert response.status_code == 400, response.content
        assert field in (response.json()["field"] or ""), response.json()
    assert not Quote.objects.exists()


def test_confirming_without_stock_is_a_409(stocked, sales_manager, api, client_of_rep, pump):
    http = api(sales_manager)
    order = _post(http, "/api/v1/sales/orders", {"client_id": client_of_rep.pk, "lines": [
        {"product_id": pump.pk, "quantity": "2", "unit_price": "10"}]}).json()
    refused = _post(http, f"/api/v1/sales/orders/{order['id']}/confirm")
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    assert http.get(f"/api/v1/sales/orders/{order['id']}").json()["status"] == "draft"


def test_a_representative_sees_only_own_clients_documents(stocked, sales_rep, other_rep, api, sales_manager,
                                                          client_of_rep, pump):
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

    foreign = ClientFactory(owner=other_rep)
    CounterpartyFactory(client=foreign)
    http = api(sales_manager)
    theirs = _post(http, "/api/v1/sales/quotes", {"client_id": foreign.pk, "lines": [
        {"product_id": pump.pk, "quantity": "1", "unit_price": "5"}]}).json()
    rep = api(sales_rep)
    assert rep.get(f"/api/v1/sales/quotes/{theirs['id']}").status_code == 404
    assert rep.get("/api/v1/sales/quotes").json()["count"] == 0
    refused = _post(rep, "/api/v1/sales/quotes", {"client_id": foreign.pk})
    assert refused.status_code == 400 and refused.json()["field"] == "client_id"


def test_a_representative_sending_another_price_is_refused_a_manager_may(stocked, sales_rep, sales_manager, api,
                                                                         client_of_rep, pump):
    from decimal import Decimal

    from tandem.catalog.models import PriceList, PriceListItem

    price_list = PriceList.objects.create(name="Retail", currency="EUR")
    PriceListItem.objects.create(price_list=price_list, product=pump, unit_price=Decimal("50"))
    body = {"client_id": client_of_rep.pk, "quote_date": "2026-03-02",
            "lines": [{"product_id": pump.pk, "quantity": "1", "unit_price": "45"}]}
    refused = _post(api(sales_rep), "/api/v1/sales/quotes", body)
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "price_override_not_allowed" and refused.json()["field"] == "unit_price"
    assert not Quote.objects.exists()
    at_list = _post(api(sales_rep), "/api/v1/sales/quotes", {**body, "lines": [
        {"product_id": pump.pk, "quantity": "1"}]})
    assert at_list.status_code == 201 and at_list.json()["lines"][0]["unit_price"] == "50"  # plain notation, not "5E+1"
    allowed = _post(api(sales_manager), "/api/v1/sales/quotes", body)
    assert allowed.status_code == 201, allowed.content
    assert allowed.json()["total"] == "45.00"


def test_the_quote_pdf_carries_our_entity_details_and_logo(stocked, company, sales_manager, api, client_of_rep,
                                                           pump, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    company.tax_id = "DE136695976"
    company.registration_number = "HRB 12345"
    company.save()
    http = api(sales_manager)
    quote = _post(http, "/api/v1/sales/quotes", {"client_id": client_of_rep.pk, "quote_date": "2026-03-02",
                                                  "lines": [{"product_id": pump.pk, "quantity": "1",
                                                             "unit_price": "10"}]}).json()

    def pdf():
        response = http.get(f"/api/v1/sales/quotes/{quote['id']}/pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        return PdfReader(io.BytesIO(response.content))

    def images(reader):
        found = 0
        for page in reader.pages:
            xobjects = page.get("/Resources", {}).get("/XObject") or {}
            found += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
        return found

    reader = pdf()
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert "Tandem Trading GmbH" in text
    assert "Hauptstr. 1, 10115 Berlin" in text
    assert "DE136695976" in text and "HRB 12345" in text
    assert "Acme Pumps GmbH" in text and "PUMP-1" in text
    assert images(reader) == 0  # no logo yet

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    company.logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    company.save()
    assert images(pdf()) == 1
