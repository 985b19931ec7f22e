"""The planning run against the database: BOM explosion over levels, lot sizing, lead-time dates, pegging,
supply netting, a second run, confirmation into grouped purchase orders and draft production orders."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.planning import services
from tandem.planning.models import PlanningPegging, PlanningProposal
from tandem.planning.tests.conftest import make_bom
from tandem.production.models import ProductionOrder
from tandem.purchasing.models import PurchaseOrder
from tandem.stock import services as stock_services

pytestmark = pytest.mark.django_db
days = datetime.timedelta


def _by_sku(kind=None):
    qs = PlanningProposal.objects.filter(status="open").select_related("product")
    if kind:
        qs = qs.filter(kind=kind)
    return {p.product.sku: p for p in qs}


def test_a_short_sales_order_explodes_into_production_and_purchases(world, sell, sales_manager, today):
    order = sell(world["bike"], 5, days=30)
    line = order.lines.get()
    run = services.run_planning(by=sales_manager)
    proposals = _by_sku()
    assert set(proposals) == {"BIKE", "FRAME", "TUBE", "BOLT"}
    bike, frame, tube, bolt = (proposals[s] for s in ("BIKE", "FRAME", "TUBE", "BOLT"))
    assert (bike.kind, frame.kind, tube.kind, bolt.kind) == ("make", "make", "purchase", "purchase")
    assert (bike.level, frame.level, tube.level, bolt.level) == (0, 1, 2, 1)
    # 5 bicycles: 5 frames, 15 tubes (3 each; 15 ≥ the minimum 10, already 3 packs of 5), 20 bolts → a pack of 100.
    assert (bike.quantity, frame.quantity, tube.quantity, bolt.quantity) == (D(5), D(5), D(15), D(100))
    assert bolt.net_quantity == D(20)
    # Dates: the bicycle is needed on the requested date and made in 1 day; its parts are needed when it starts.
    need = today + days(30)
    assert (bike.need_date, bike.start_date) == (need, need - days(1))
    assert (frame.need_date, frame.start_date) == (need - days(1), need - days(2))
    assert (bolt.need_date, bolt.start_date) == (need - days(1), need - days(6))
    assert (tube.need_date, tube.start_date) == (need - days(2), need - days(12))
    assert not any(p.is_late for p in proposals.values())
    # Pegging: the bicycle serves the order line; the frame serves the proposed bicycle, tubes the frame.
    peg = bike.pegging.get()
    assert (peg.kind, peg.sales_line_id, peg.quantity) == ("sales", line.pk, D(5))
    assert frame.pegging.get().parent_id == bike.pk and tube.pegging.get().parent_id == frame.pk
    assert run.proposals == 4


def test_stock_and_incoming_goods_are_netted_first(world, sell, sales_manager, shelf, warehouse, today):
    from tandem.stock.models import StockMove

    stock_services.record_move(product=world["frame"], quantity=D(2), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=today, unit_cost=D(50), by=None)
    stock_services.expect_receipt(product=world["bolt"], warehouse=warehouse, quantity=D(8),
                                  expected_date=today + days(3), by=None)
    sell(world["bike"], 5)
    services.run_planning(by=sales_manager)
    proposals = _by_sku()
    assert proposals["FRAME"].quantity == D(3)          # 5 − 2 on hand
    assert proposals["TUBE"].quantity == D(10)          # 9 needed, the supplier's minimum is 10
    assert proposals["TUBE"].net_quantity == D(9)
    assert proposals["BOLT"].net_quantity == D(12)      # 20 − 8 expected


def test_pack_size_rounding_covers_the_next_demand_and_pegs_both(world, sell, sales_manager):
    first, second = sell(world["bolt"], 30, days=20), sell(world["bolt"], 50, days=22)
    services.run_planning(by=sales_manager)
    bolts = PlanningProposal.objects.get(product=world["bolt"])
    assert (bolts.quantity, bolts.net_quantity) == (D(100), D(30))   # one pack of 100 serves both
    pegged = {p.sales_line.order_id: p.quantity for p in bolts.pegging.select_related("sales_line")}
    assert pegged == {first.pk: D(30), second.pk: D(50)}


def test_demands_weeks_apart_get_their_own_proposals(world, sell, sales_manager, today):
    sell(world["tube"], 12, days=20)
    sell(world["tube"], 12, days=40)
    services.run_planning(by=sales_manager)
    tubes = list(PlanningProposal.objects.filter(product=world["tube"]).order_by("need_date"))
    assert [(t.need_date, t.quantity) for t in tubes] == [(today + days(20), D(15)), (today + days(40), D(10))]


def test_a_need_within_the_lead_time_starts_today_and_is_late(world, sell, sales_manager, today):
    sell(world["tube"], 10, days=3)
    services.run_planning(by=sales_manager)
    tube = PlanningProposal.objects.get(product=world["tube"])
    assert (tube.start_date, tube.need_date, tube.is_late) == (today, today + days(3), True)


def test_three_levels_with_scrap_multiply(bike, frame, tube, bolt, piece, prices, sell, sales_manager, warehouse):
    make_bom(bike, [(frame, 2)])
    make_bom(frame, [(bolt, 3, "25")])   # 3 per frame with 25 % scrap: 4 each
    make_bom(bolt, [(tube, D("0.5"))], quantity=2)  # two bolts from half a tube
    sell(bike, 7)
    services.run_planning(by=sales_manager)
    proposals = _by_sku()
    assert proposals["FRAME"].quantity == D(14)
    assert proposals["BOLT"].quantity == D(56)
    assert proposals["TUBE"].net_quantity == D(14)  # 56 × 0.5 / 2
    assert proposals["BOLT"].kind == "make" and proposals["TUBE"].level == 3


def test_minimum_and_safety_stock_are_a_demand_due_today(world, sales_manager, warehouse, today):
    services.set_parameter(product=world["bolt"], warehouse=warehouse, by=sales_manager, minimum_stock=D(150),
                           safety_stock=D(20))
    services.run_planning(by=sales_manager)
    bolt = PlanningProposal.objects.get(product=world["bolt"])
    assert (bolt.quantity, bolt.net_quantity, bolt.need_date, bolt.is_late) == (D(200), D(170), today, True)
    assert bolt.pegging.get().kind == "minimum"


def test_buy_instead_of_make_by_parameter(world, sell, sales_manager, warehouse):
    services.set_parameter(product=world["frame"], warehouse=warehouse, by=sales_manager, source="buy")
    sell(world["bike"], 2)
    services.run_planning(by=sales_manager)
    proposals = _by_sku()
    assert proposals["FRAME"].kind == "purchase" and proposals["FRAME"].supplier_id is None
    assert "TUBE" not in proposals


def test_a_second_run_replaces_open_proposals_and_confirmed_ones_count_as_supply(world, sell, sales_manager):
    sell(world["bike"], 5)
    first = services.run_planning(by=sales_manager)
    again = services.run_planning(by=sales_manager)
    assert PlanningProposal.objects.filter(run=first).count() == 0
    assert again.proposals == 4
    services.confirm_proposals(PlanningProposal.objects.values_list("pk", flat=True), by=sales_manager)
    third = services.run_planning(by=sales_manager)
    assert third.proposals == 0
    assert PlanningProposal.objects.filter(status="open").count() == 0
    assert PlanningProposal.objects.filter(status="confirmed").count() == 4


def test_bulk_confirm_groups_purchases_per_supplier_and_makes_draft_production_orders(world, sell, sales_manager,
                                                                                      today):
    sell(world["bike"], 5)
    services.run_planning(by=sales_manager)
    made = services.confirm_proposals(PlanningProposal.objects.values_list("pk", flat=True), by=sales_manager)
    (po,) = made["purchase_orders"]
    assert po.status == PurchaseOrder.Status.DRAFT and po.supplier.counterparty.legal_name == "Rohr GmbH"
    lines = {line.product.sku: line for line in po.lines.select_related("product")}
    assert {sku: line.quantity for sku, line in lines.items()} == {"TUBE": D(15), "BOLT": D(100)}
    assert lines["BOLT"].unit_price == D("0.10")
    assert lines["TUBE"].expected_date == today + days(28)
    mos = {mo.product.sku: mo for mo in made["production_orders"]}
    assert {sku: (mo.quantity, mo.status, mo.planned_start, mo.planned_end) for sku, mo in mos.items()} == {
        "BIKE": (D(5), ProductionOrder.Status.DRAFT, today + days(29), today + days(30)),
        "FRAME": (D(5), ProductionOrder.Status.DRAFT, today + days(28), today + days(29))}
    bike = PlanningProposal.objects.get(product=world["bike"])
    assert bike.production_order == mos["BIKE"] and bike.confirmed_by == sales_manager


def test_confirming_twice_or_a_replaced_proposal_is_a_conflict(world, sell, sales_manager):
    sell(world["bolt"], 10)
    services.run_planning(by=sales_manager)
    pk = PlanningProposal.objects.get().pk
    services.confirm_proposals([pk], by=sales_manager)
    with pytest.raises(ConflictError) as err:
        services.confirm_proposals([pk], by=sales_manager)
    assert err.value.code == "already_confirmed"
    sell(world["tube"], 10)
    services.run_planning(by=sales_manager)
    stale = PlanningProposal.objects.get(status="open").pk
    services.run_planning(by=sales_manager)
    with pytest.raises(ConflictError) as err:
        services.confirm_proposals([stale], by=sales_manager)
    assert err.value.code == "replaced"


def test_a_purchase_without_supplier_is_refused_and_nothing_is_made(world, sell, sales_manager, warehouse):
    services.set_parameter(product=world["frame"], warehouse=warehouse, by=sales_manager, source="buy")
    sell(world["bike"], 1)
    services.run_planning(by=sales_manager)
    with pytest.raises(BusinessRuleError) as err:
        services.confirm_proposals(PlanningProposal.objects.values_list("pk", flat=True), by=sales_manager)
    assert (err.value.code, err.value.field) == ("no_supplier", "proposals")
    assert ProductionOrder.objects.count() == 0 and PurchaseOrder.objects.count() == 0
    assert not PlanningProposal.objects.filter(status="confirmed").exists()


def test_buyers_confirm_purchases_and_production_confirms_production(world, sell, sales_manager, buyer, maker,
                                                                     sales_rep):
    sell(world["bike"], 1)
    services.run_planning(by=buyer)
    purchases = list(PlanningProposal.objects.filter(kind="purchase").values_list("pk", flat=True))
    makes = list(PlanningProposal.objects.filter(kind="make").values_list("pk", flat=True))
    with pytest.raises(AccessDenied):
        services.confirm_proposals(makes, by=buyer)
    with pytest.raises(AccessDenied):
        services.confirm_proposals(purchases, by=maker)
    with pytest.raises(AccessDenied):
        services.confirm_proposals(purchases, by=sales_rep)
    with pytest.raises(AccessDenied):
        services.run_planning(by=sales_rep)
    assert len(services.confirm_proposals(purchases, by=buyer)["purchase_orders"]) == 1
    assert len(services.confirm_proposals(makes, by=maker)["production_orders"]) == 2


def test_a_bom_cycle_is_refused(bike, frame, piece, sales_manager):
    make_bom(bike, [(frame, 1)])
    make_bom(frame, [(bike, 1)])
    with pytest.raises(BusinessRuleError) as err:
        services.run_planning(by=sales_manager)
    assert err.value.code == "bom_cycle" and "BIKE" in err.value.message


def test_the_run_reads_in_a_fixed_number_of_queries(world, sell, sales_manager, bolt, tube):
    sell(world["bike"], 2)
    with CaptureQueriesContext(connection) as few:
        services.run_planning(by=sales_manager)
    for n in range(6):
        sell(world["bike"], 1 + n, days=10 * n)
        sell(bolt, 3, days=5 * n)
        sell(tube, 4, days=3 * n)
    with CaptureQueriesContext(connection) as many:
        services.run_planning(by=sales_manager)
    assert len(many) == len(few)
    assert PlanningPegging.objects.count() > 10
