"""The Ship form's location and lot pickers (issue #13): locations of the order's warehouse, lots of the line's
product with stock there that have not expired, the suggestion filled in; anything else is refused with an
error on the row's field."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tandem.sales.models import Shipment, ShipmentLine
from tandem.stock.models import Location, Lot, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def serum_order(make_order, serum, serum_lots):
    return make_order([(serum, 3)])


def test_ship_form_offers_pickers_kept_to_the_warehouse_and_the_product(client, sales_rep, serum_order, serum,
                                                                        serum_lots, shelf, warehouse):
    client.force_login(sales_rep)
    line = serum_order.lines.get()
    early, late = serum_lots
    html = client.get(reverse("sales:shipment-create") + f"?order={serum_order.pk}").content.decode()
    # Pickers, filled with the suggestion (the default location, the lot that expires first).
    assert f'name="location_{line.pk}_search"' in html and f'name="lot_{line.pk}_search"' in html
    assert 'value="MAIN/A1"' in html and 'value="L-EARLY"' in html
    assert f"&quot;warehouse&quot;: &quot;{warehouse.pk}&quot;" in html
    assert "&quot;shippable&quot;: &quot;1&quot;" in html
    assert f"&quot;product&quot;: &quot;{serum.pk}&quot;" in html
    # What the lot picker offers for the row: the serum's lots with stock in MAIN, expiry and available shown.
    expired = Lot.objects.create(product=serum, code="L-GONE", expiry_date=datetime.date(2020, 1, 1))
    options = client.get(reverse("stock:lot-picker"), {"field": f"lot_{line.pk}", "product": serum.pk,
                                                      "warehouse": warehouse.pk, "shippable": "1"}).content.decode()
    assert "L-EARLY" in options and "L-LATE" in options and "L-GONE" not in options
    assert "expires" in options and "available" in options
    assert expired.pk  # (created after the page: the page's own check below refuses it too)


def test_ship_form_refuses_a_lot_of_another_product_or_a_location_elsewhere(client, sales_rep, serum_order, serum,
                                                                           serum_lots, shelf, warehouse, valve,
                                                                           company):
    client.force_login(sales_rep)
    line = serum_order.lines.get()
    early, late = serum_lots
    other = Warehouse.objects.create(company=company, code="FAR", name="Far away")
    far_shelf = Location.objects.create(warehouse=other, code="F1")
    valve_lot = Lot.objects.create(product=valve, code="V-LOT")
    expired = Lot.objects.create(product=serum, code="L-GONE", expiry_date=datetime.date(2020, 1, 1))
    base = {"order": serum_order.pk, "shipment_date": "2026-03-03", f"quantity_{line.pk}": "2"}
    url = reverse("sales:shipment-create")

    refused = client.post(url, {**base, f"location_{line.pk}": far_shelf.pk, f"lot_{line.pk}": early.pk})
    assert refused.status_code == 400
    assert refused.context["form"].errors[f"location_{line.pk}"] == [
        f"There is no location #{far_shelf.pk} you may choose."]
    assert f"There is no location #{far_shelf.pk} you may choose." in refused.content.decode()  # shown in the row
    for lot in (valve_lot, expired):
        refused = client.post(url, {**base, f"location_{line.pk}": shelf.pk, f"lot_{line.pk}": lot.pk})
        assert refused.status_code == 400
        assert refused.context["form"].errors[f"lot_{line.pk}"] == [f"There is no lot #{lot.pk} you may choose."]
    assert not Shipment.objects.exists()

    # Typed without JavaScript: "L-LATE" (a lot of the row's product) and "A1" are found.
    made = client.post(url, {**base, f"location_{line.pk}_search": "A1", f"lot_{line.pk}_search": "l-late"})
    assert made.status_code == 302, made.content.decode()[:3000]
    shipped = ShipmentLine.objects.get()
    assert (shipped.lot, shipped.location, shipped.quantity) == (late, shelf, D(2))
