"""Serial-tracked products and components: N units in one step with N serial numbers (service, API and page), and
the refusals (count, repeat, existing), nothing half-written."""

import datetime
import json
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.core.errors import BusinessRuleError
from tandem.production import services
from tandem.production.models import Bom, ProductionOrderOutput
from tandem.production.tests.conftest import buy
from tandem.stock.models import Lot, StockLevel, StockMove

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine(piece, shelf, warehouse, assembly):  # noqa: ARG001
    """A serial-tracked engine made of one serial-tracked chip (5 chips in stock: C-1 … C-5) and 2 bolts."""
    engine = Product.objects.create(sku="ENGINE", name="Engine", unit=piece, tracking="serial")
    chip = Product.objects.create(sku="CHIP", name="Chip", unit=piece, tracking="serial")
    bolt = Product.objects.create(sku="BOLT", name="Bolt", unit=piece)
    bom = Bom.objects.create(product=engine, code="v1", valid_from=datetime.date(2026, 1, 1))
    bom.lines.create(position=1, component=chip, quantity=Decimal(1))
    bom.lines.create(position=2, component=bolt, quantity=Decimal(2))
    for n in range(1, 6):
        buy(chip, 1, "10", shelf, lot=Lot.objects.create(product=chip, code=f"C-{n}"))
    buy(bolt, 20, "0.50", shelf)
    return engine


def _started(product, user, quantity):
    order = services.create_production_order(product=product, quantity=quantity, by=user,
                                             planned_start=datetime.date(2026, 12, 7))
    order = services.confirm_production_order(order, by=user)
    return services.start_production_order(order, by=user)


def _chips(*codes):
    return list(Lot.objects.filter(product__sku="CHIP", code__in=codes).order_by("code"))


def _serials_in_stock(product):
    return sorted(StockLevel.objects.filter(product=product, on_hand__gt=0).values_list("lot__code", flat=True))


def test_three_serials_consumed_and_produced_in_one_step_each(producer, engine):
    order = _started(engine, producer, 3)
    chip, bolt = order.components.select_related("product").order_by("position")
    order = services.consume_components(order, by=producer, lines=[
        services.Consumption(chip, Decimal(3), serials=_chips("C-1", "C-2", "C-4")),
        services.Consumption(bolt, Decimal(6))])
    chip.refresh_from_db()
    assert chip.consumed_quantity == 3 and chip.consumed_value == Decimal("30.00")
    assert _serials_in_stock(chip.product) == ["C-3", "C-5"]
    order = services.produce_output(order, quantity=3, serials=["E-100", "E-101", "E-102"], by=producer)
    assert order.produced_quantity == 3
    assert _serials_in_stock(engine) == ["E-100", "E-101", "E-102"]
    outputs = ProductionOrderOutput.objects.filter(order=order, kind="finished")
    assert sorted((o.lot.code, o.quantity) for o in outputs) == [("E-100", 1), ("E-101", 1), ("E-102", 1)]
    assert sum(o.value for o in outputs) == order.output_value == Decimal("33.00")  # 3 chips and 6 bolts


def test_without_serial_numbers_each_unit_gets_one_numbered_on(producer, engine):
    order = _started(engine, producer, 2)
    order = services.produce_output(order, quantity=2, by=producer)
    assert _serials_in_stock(engine) == [f"{order.number}-1", f"{order.number}-2"]


@pytest.mark.parametrize(("serials", "code", "field"), [
    (["E-1", "E-2"], "serial_count", "serials"),
    (["E-1", "E-2", "E-1"], "serial_repeated", "serials.2"),
    (["E-1", "OLD-7", "E-3"], "serial_exists", "serials.1"),
])
def test_producing_refuses_a_wrong_list_of_serials_and_writes_nothing(producer, engine, serials, code, field):
    Lot.objects.create(product=engine, code="OLD-7")
    order = _started(engine, producer, 3)
    moves = StockMove.objects.count()
    with pytest.raises(BusinessRuleError) as refused:
        services.produce_output(order, quantity=3, serials=serials, by=producer)
    assert (refused.value.code, refused.value.field) == (code, field)
    order.refresh_from_db()
    assert order.produced_quantity == 0 and StockMove.objects.count() == moves
    assert list(Lot.objects.filter(product=engine).values_list("code", flat=True)) == ["OLD-7"]


def test_consuming_refuses_a_wrong_list_of_serials_and_writes_nothing(producer, engine):
    order = _started(engine, producer, 3)
    chip = order.components.get(product__sku="CHIP")
    moves = StockMove.objects.count()
    for serials, quantity, code, field in [
            (_chips("C-1", "C-2"), 3, "serial_count", "lines.0.serial_ids"),
            (_chips("C-1", "C-2") + _chips("C-1"), 3, "serial_repeated", "lines.0.serial_ids.2")]:
        with pytest.raises(BusinessRuleError) as refused:
            services.consume_components(order, by=producer,
                                        lines=[services.Consumption(chip, Decimal(quantity), serials=serials)])
        assert (refused.value.code, refused.value.field) == (code, field)
    chip.refresh_from_db()
    assert chip.consumed_quantity == 0 and StockMove.objects.count() == moves


def _post(http, url, body):
    return http.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_takes_lists_of_serials(api, producer, engine):
    order = _started(engine, producer, 2)
    chip = order.components.get(product__sku="CHIP")
    http = api(producer)
    url = f"/api/v1/production/orders/{order.pk}"
    ids = [lot.pk for lot in _chips("C-2", "C-3")]
    repeated = _post(http, f"{url}/consume", {"lines": [{"component_id": chip.pk, "quantity": "2",
                                                         "serial_ids": [ids[0], ids[0]]}]})
    assert repeated.status_code == 400 and repeated.json()["field"] == "lines.0.serial_ids.1"
    consumed = _post(http, f"{url}/consume", {"lines": [{"component_id": chip.pk, "quantity": "2",
                                                         "serial_ids": ids}]})
    assert consumed.status_code == 200, consumed.content
    assert _serials_in_stock(chip.product) == ["C-1", "C-4", "C-5"]
    short = _post(http, f"{url}/produce", {"quantity": "2", "serials": ["E-1"]})
    assert short.status_code == 400 and short.json()["field"] == "serials"
    produced = _post(http, f"{url}/produce", {"quantity": "2", "serials": ["E-1", "E-2"]})
    assert produced.status_code == 200, produced.content
    assert produced.json()["produced_quantity"] == "2"
    again = _post(http, f"{url}/produce", {"quantity": "1", "serials": ["E-2"]})
    assert again.status_code == 409 and again.json()["field"] == "serials.0"
    assert _serials_in_stock(engine) == ["E-1", "E-2"]


def test_the_page_consumes_several_serials_and_produces_one_per_line(client, producer, engine):
    order = _started(engine, producer, 3)
    chip, bolt = order.components.order_by("position")
    client.force_login(producer)
    page = client.get(f"/production/orders/{order.pk}/").content.decode()
    assert f'name="lot-{chip.pk}" multiple' in page and 'data-testid="serials"' in page
    c1, c2, c3 = _chips("C-1", "C-2", "C-3")
    too_few = client.post(f"/production/orders/{order.pk}/consume/", {
        f"quantity-{chip.pk}": "3", f"lot-{chip.pk}": [c1.pk, c2.pk], f"quantity-{bolt.pk}": "6"})
    assert too_few.status_code == 400 and "2 serial numbers for 3 units" in too_few.content.decode()
    done = client.post(f"/production/orders/{order.pk}/consume/", {
        f"quantity-{chip.pk}": "3", f"lot-{chip.pk}": [c1.pk, c2.pk, c3.pk], f"quantity-{bolt.pk}": "6"})
    assert done.status_code == 302
    assert _serials_in_stock(chip.product) == ["C-4", "C-5"]
    repeated = client.post(f"/production/orders/{order.pk}/produce/", {"quantity": "3",
                                                                      "serials": "E-7\nE-8, E-7"})
    assert repeated.status_code == 400
    assert "Serial number E-7 is given twice." in repeated.content.decode().split('data-testid="serials"')[1]
    produced = client.post(f"/production/orders/{order.pk}/produce/", {"quantity": "3",
                                                                      "serials": "E-7\r\nE-8, E-9\n"})
    assert produced.status_code == 302
    assert _serials_in_stock(engine) == ["E-7", "E-8", "E-9"]


def test_numbered_serials_need_whole_units_and_not_too_many(producer, engine):
    order = _started(engine, producer, 3)
    for quantity in ("1.5", "1001"):
        with pytest.raises(BusinessRuleError) as refused:
            services.produce_output(order, quantity=Decimal(quantity), by=producer)
        assert (refused.value.code, refused.value.field) == ("serial_count", "serials")
    assert not Lot.objects.filter(product=engine).exists()
