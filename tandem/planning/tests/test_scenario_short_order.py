"""The story of issue #15: a sales order for bicycles is confirmed short of stock; planning proposes to make the
missing bicycles and their frames and to buy tubes and bolts; the planner confirms everything at once and gets
one purchase order for the supplier and two draft production orders; planning again proposes nothing; the
order page says which bicycles are available and which are to be made, by when."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tandem.planning import services
from tandem.planning.models import PlanningProposal
from tandem.production.models import ProductionOrder
from tandem.purchasing.models import PurchaseOrder
from tandem.stock import services as stock_services
from tandem.stock.models import StockMove

pytestmark = pytest.mark.django_db


def test_a_short_order_is_planned_confirmed_and_covered(world, sell, sales_manager, shelf, client, today):
    stock_services.record_move(product=world["bike"], quantity=D(2), kind=StockMove.Kind.RECEIPT, to_location=shelf,
                               effective_date=today, unit_cost=D(300), by=None)
    order = sell(world["bike"], 6, days=21)
    line = order.lines.get()
    assert (line.reserved_quantity, line.short_quantity) == (D(2), D(4))

    run = services.run_planning(by=sales_manager)
    proposals = {p.product.sku: p for p in PlanningProposal.objects.select_related("product")}
    assert {sku: (p.kind, p.quantity) for sku, p in proposals.items()} == {
        "BIKE": ("make", D(4)), "FRAME": ("make", D(4)), "TUBE": ("purchase", D(15)), "BOLT": ("purchase", D(100))}
    assert proposals["BIKE"].need_date == today + datetime.timedelta(days=21)

    made = services.confirm_proposals([p.pk for p in proposals.values()], by=sales_manager)
    assert PurchaseOrder.objects.count() == 1 and len(made["purchase_orders"]) == 1
    assert ProductionOrder.objects.filter(status=ProductionOrder.Status.DRAFT).count() == 2
    frame_order = ProductionOrder.objects.get(product=world["frame"])
    assert frame_order.components.get().required_quantity == D(12)

    again = services.run_planning(by=sales_manager)
    assert again.proposals == 0 and again.pk != run.pk

    client.force_login(sales_manager)
    page = client.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    bike_order = ProductionOrder.objects.get(product=world["bike"])
    assert "Available: 2" in page and "To be made: 4" in page and f"({bike_order.number})" in page
