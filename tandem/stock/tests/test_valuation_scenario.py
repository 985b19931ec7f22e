"""Stories of valuation: a receipt entered late changes the cost of goods already shipped; a supplier invoice
corrects a receipt's cost; the value of a warehouse at a past date; the page and the API."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.stock import services
from tandem.stock.models import Location, RevaluationEntry, StockMove, Warehouse
from tandem.stock.signals import stock_revalued
from tandem.stock.valuation import services as valuation
from tandem.stock.valuation.queries import value_at, warehouse_value

D = datetime.date


@pytest.fixture
def shop(db):
    def make(method):
        company = LegalEntity.objects.create(name="Nordlicht", base_currency="EUR", is_default=True,
                                             valuation_method=method)
        warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main")
        shelf = Location.objects.create(warehouse=warehouse, code="A1", is_default=True)
        lamp = Product.objects.create(sku="LAMP", name="Desk lamp", unit=Unit.objects.create(code="pc", name="pc"))
        return warehouse, shelf, lamp
    return make


def receive(shelf, product, quantity, cost, day):
    return services.record_move(product=product, quantity=Decimal(quantity), kind=StockMove.Kind.RECEIPT,
                                to_location=shelf, unit_cost=Decimal(cost), effective_date=day, by=None)


def ship(shelf, product, quantity, day):
    return services.record_move(product=product, quantity=Decimal(quantity), kind=StockMove.Kind.SHIPMENT,
                                from_location=shelf, effective_date=day, by=None)


@pytest.mark.parametrize("method, first_cost, later_cost", [
    # Moving average: 10 @ 10 → average 10; the late 10 @ 16 on 3 March makes it 13 for the May shipment.
    ("average", Decimal("60.00"), Decimal("104.00")),
    # FIFO: the 6 shipped in April came from the first 10 @ 10 either way; of the 8 shipped in May, 4 are
    # from the first receipt and 4 from the late one at 16 (4×10 + 4×16 = 104).
    ("fifo", Decimal("60.00"), Decimal("104.00")),
])
def test_a_receipt_entered_late_changes_the_cost_of_goods_already_shipped(shop, method, first_cost, later_cost):
    warehouse, shelf, lamp = shop(method)
    heard = []

    def listener(sender, entries, cause, **kwargs):
        heard.append((cause, [(e.move_id, e.old_value, e.new_value, e.effective_date) for e in entries]))

    stock_revalued.connect(listener)
    try:
        receive(shelf, lamp, 10, "10", D(2026, 3, 1))
        april = ship(shelf, lamp, 6, D(2026, 4, 10))
        assert april.value == Decimal("60.00") and april.unit_cost == Decimal(10)
        receive(shelf, lamp, 10, "10", D(2026, 5, 1))  # on hand 14
        may = ship(shelf, lamp, 8, D(2026, 5, 20))
        assert may.value == Decimal("80.00")
        # The lamps received on 3 March at 16 are entered only in June.
        late = receive(shelf, lamp, 10, "16", D(2026, 3, 3))
    finally:
        stock_revalued.disconnect(listener)
    april.refresh_from_db()
    may.refresh_from_db()
    if method == "average":
        # 20 @ 13 → April 6 × 13 = 78; then 14 @ 13 + 10 @ 10 = 282 / 24 = 11.75 → May 8 × 11.75 = 94.
        assert (april.value, may.value) == (Decimal("78.00"), Decimal("94.00"))
    else:
        assert (april.value, may.value) == (first_cost, later_cost)
    changed = {row.move_id: row for row in RevaluationEntry.objects.all()}
    assert set(changed) == ({april.pk, may.pk} if method == "average" else {may.pk})
    assert changed[may.pk].old_value == Decimal("80.00") and changed[may.pk].effective_date == D(2026, 5, 20)
    assert changed[may.pk].cause_move_id == late.pk
    assert heard and heard[0][0] == late
    # Stock: 16 lamps; the value is everything received minus everything shipped, at any date.
    received = Decimal(100 + 100 + 160)
    at_end = value_at(lamp, warehouse, D(2026, 12, 31))
    assert at_end.quantity == 16 and at_end.value == received - april.value - may.value
    assert value_at(lamp, warehouse, D(2026, 3, 2)).value == Decimal(100)
    assert value_at(lamp, warehouse, D(2026, 2, 28)).quantity == 0
    assert [(v.product_id, v.value) for v in warehouse_value(warehouse, D(2026, 3, 3))] == [(lamp.pk, Decimal(260))]


def test_a_supplier_invoice_corrects_the_cost_of_a_receipt(shop):
    warehouse, shelf, lamp = shop("fifo")
    first = receive(shelf, lamp, 5, "10", D(2026, 3, 1))
    shipped = ship(shelf, lamp, 3, D(2026, 3, 5))
    correction = valuation.correct_cost(first, unit_cost=Decimal("12.5"), effective_date=D(2026, 3, 20),
                                        reason="Invoice 4711", by=None)
    shipped.refresh_from_db()
    first.refresh_from_db()
    assert shipped.value == Decimal("37.50") and first.value == Decimal("62.50")
    assert value_at(lamp, warehouse, D(2026, 3, 31)).value == Decimal("25.00")
    entries = RevaluationEntry.objects.filter(cause_correction=correction)
    assert {(e.move_id, e.difference) for e in entries} == {(first.pk, Decimal("12.50")),
                                                            (shipped.pk, Decimal("7.50"))}


def test_the_valuation_method_is_fixed_once_there_are_moves(shop, api, admin_user):
    warehouse, shelf, lamp = shop("average")
    receive(shelf, lamp, 1, "1", D(2026, 3, 1))
    response = api(admin_user).patch(f"/api/v1/legal-entities/{warehouse.company_id}",
                                     {"valuation_method": "fifo"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "valuation_method_fixed"


def test_page_and_api_show_the_value_at_a_date(shop, client, api, admin_user, viewer, make_user):
    warehouse, shelf, lamp = shop("average")
    receive(shelf, lamp, 4, "2.5", D(2026, 3, 1))
    ship(shelf, lamp, 1, D(2026, 3, 10))
    accountant = make_user("Accountant")
    response = api(accountant).get(f"/api/v1/stock/valuation?warehouse={warehouse.pk}&date=2026-03-05")
    assert response.status_code == 200
    body = response.json()
    assert body["total_value"] == "10.00" and body["items"][0]["quantity"] == "4.0000"
    assert body["items"][0]["product"]["sku"] == "LAMP" and body["method"] == "average"
    assert api(viewer).get(f"/api/v1/stock/valuation?warehouse={warehouse.pk}").status_code == 403
    assert api(admin_user).get("/api/v1/stock/valuation?warehouse=999999").status_code == 404
    assert api(admin_user).get(f"/api/v1/stock/valuation?warehouse={warehouse.pk}&date=nope").status_code == 400
    client.force_login(admin_user)
    html = client.get(f"/stock/valuation/?warehouse={warehouse.pk}&date=2026-03-11").content.decode()
    assert "LAMP" in html and "7.50" in html
    assert client.get("/stock/valuation/?date=bad").status_code == 200


def test_the_ledger_reads_the_differences_by_period(shop, api, make_user):
    warehouse, shelf, lamp = shop("average")
    receive(shelf, lamp, 2, "10", D(2026, 3, 1))
    shipped = ship(shelf, lamp, 2, D(2026, 4, 2))
    receive(shelf, lamp, 2, "20", D(2026, 3, 15))  # late: the April shipment took 2 of 4 at 15
    response = api(make_user("Accountant")).get("/api/v1/stock/valuation/revaluations?from=2026-04-01&to=2026-04-30")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["move_id"], i["old_value"], i["new_value"], i["difference"], i["effective_date"]) for i in items] == [
        (shipped.pk, "20.00", "30.00", "10.00", "2026-04-02")]
    assert api(make_user("Accountant")).get("/api/v1/stock/valuation/revaluations?from=2026-05-01").json()[
        "count"] == 0
