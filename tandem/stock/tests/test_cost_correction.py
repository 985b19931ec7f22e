"""Correcting the cost of a receipt (the supplier's invoice came at another price): the API, the small form on
the receipt move, and who may (accountants and administrators; warehouse staff and viewers may not)."""

import datetime
from decimal import Decimal

from django.urls import reverse

from tandem.core import roles
from tandem.stock import services
from tandem.stock.models import StockMove
from tandem.stock.valuation.models import CostCorrection


def _stock(room):
    receipt = services.receive_stock(product=room.bolt, quantity=Decimal(5), location=room.bin_a,
                                     unit_cost=Decimal(10), effective_date=datetime.date(2026, 3, 1), by=None)
    shipped = services.record_move(product=room.bolt, quantity=Decimal(3), kind=StockMove.Kind.SHIPMENT,
                                   from_location=room.bin_a, effective_date=datetime.date(2026, 3, 5), by=None)
    return receipt, shipped


def test_an_accountant_corrects_a_receipt_cost_through_the_api(client, make_user, room):
    receipt, shipped = _stock(room)
    client.force_login(make_user(roles.ACCOUNTANT, username="accountant"))
    response = client.post("/api/v1/stock/valuation/cost-corrections",
                           {"move_id": receipt.pk, "unit_cost": "12.5", "effective_date": "2026-03-20",
                            "reason": "Invoice 4711"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["move_id"], Decimal(body["old_unit_cost"]), Decimal(body["new_unit_cost"])) == (
        receipt.pk, Decimal(10), Decimal("12.5"))
    shipped.refresh_from_db()
    assert shipped.value == Decimal("37.50")


def test_bad_corrections_are_refused_with_the_field(client, make_user, room):
    receipt, shipped = _stock(room)
    client.force_login(make_user(roles.ACCOUNTANT, username="accountant"))
    url = "/api/v1/stock/valuation/cost-corrections"
    for body, field in (({"move_id": shipped.pk, "unit_cost": "1"}, "move"),
                        ({"move_id": 999999, "unit_cost": "1"}, "move_id"),
                        ({"move_id": receipt.pk, "unit_cost": "-1"}, "unit_cost"),
                        ({"move_id": receipt.pk, "unit_cost": None}, "unit_cost")):
        response = client.post(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500 and field in response.content.decode(), (body, response.content)
    assert not CostCorrection.objects.exists()


def test_warehouse_staff_and_viewers_may_not_correct_costs(client, make_user, room):
    receipt, _shipped = _stock(room)
    for role in (roles.WAREHOUSE, roles.VIEWER, roles.SALES_MANAGER):
        client.force_login(make_user(role, username=f"u-{role}"))
        response = client.post("/api/v1/stock/valuation/cost-corrections", {"move_id": receipt.pk, "unit_cost": "1"},
                               content_type="application/json")
        assert response.status_code == 403, role
        assert client.get(reverse("stock_valuation:cost-correction-new", args=[receipt.pk])).status_code == 403
        assert "data-action=\"correct-cost\"" not in client.get(reverse("stock:move-list")).content.decode()
    assert not CostCorrection.objects.exists()


def test_the_form_on_the_receipt_move(client, make_user, room):
    receipt, shipped = _stock(room)
    client.force_login(make_user(roles.ACCOUNTANT, username="accountant"))
    moves = client.get(reverse("stock:move-list")).content.decode()
    url = reverse("stock_valuation:cost-correction-new", args=[receipt.pk])
    assert url in moves
    page = client.get(url).content.decode()
    assert "BOLT-8" in page and 'name="unit_cost"' in page
    refused = client.post(url, {"unit_cost": "-3"})
    assert refused.status_code == 200 and not CostCorrection.objects.exists()
    response = client.post(url, {"unit_cost": "12.5", "effective_date": "2026-03-20", "reason": "Invoice 4711"})
    assert response.status_code == 302
    assert "Invoice 4711" in client.get(url).content.decode()
    shipped.refresh_from_db()
    assert shipped.value == Decimal("37.50")
    refused = client.post(reverse("stock_valuation:cost-correction-new", args=[shipped.pk]), {"unit_cost": "1"})
    assert refused.status_code == 200
    assert "Only the cost of goods received can be corrected." in refused.content.decode()
