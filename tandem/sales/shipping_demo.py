"""Demo shipments and customer returns (called from sales.demo): part of the confirmed demo orders are shipped
whole, some partly (leaving a backorder, some of which ships later), most older shipments are delivered, a few
orders wait as shipments to pick; a few shipped orders get a return into quarantine, linked to one of the
client's complaints when there is one. Deterministic for a seed."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.core.errors import BusinessRuleError
from tandem.crm.models import Complaint
from tandem.sales.models import CustomerReturn, Order, Shipment
from tandem.sales.services import returns as return_services
from tandem.sales.services import shipments as shipment_services
from tandem.stock.models import Location

CARRIERS = ("DHL", "DPD", "UPS", "GLS")


def _quarantine(warehouse) -> Location:
    found = Location.objects.filter(warehouse=warehouse, kind=Location.Kind.QUARANTINE).order_by("pk").first()
    return found or Location.objects.create(warehouse=warehouse, code="QUAR", name="Quarantine",
                                            kind=Location.Kind.QUARANTINE)


def _ship(shipment, by, rng, today, *, deliver: bool) -> Shipment:
    shipment = shipment_services.pick_shipment(shipment, by=by)
    shipment = shipment_services.pack_shipment(shipment, by=by)
    carrier = rng.choice(CARRIERS)
    shipment = shipment_services.ship_shipment(shipment, by=by, carrier=carrier,
                                               tracking_number=f"{carrier}{rng.randint(10**9, 10**10 - 1)}")
    if deliver:
        delivered = min(shipment.shipment_date + datetime.timedelta(days=rng.randint(1, 4)), today)
        shipment = shipment_services.deliver_shipment(shipment, by=by, delivered_date=delivered)
    return shipment


def build_shipping_demo(*, seed: int, by) -> list[str]:
    if Shipment.objects.exists():
        return []
    rng = random.Random(f"shipping-{seed}")
    today = timezone.localdate()
    orders = list(Order.objects.filter(status=Order.Status.CONFIRMED).select_related("warehouse", "client")
                  .order_by("order_date", "pk"))
    for order in orders:
        fate = rng.random()
        if fate < 0.15 or order.warehouse_id is None:
            continue  # not shipped yet
        day = min(order.order_date + datetime.timedelta(days=rng.randint(1, 5)), today)
        old = (today - day).days > 7
        try:
            with transaction.atomic():
                if fate < 0.25:
                    shipment_services.create_shipment(order, by=by, shipment_date=day)  # waiting to be picked
                    continue
                rows = [row for row in shipment_services.shipping_summary(order) if row["left"] > 0]
                if not rows:
                    continue
                partial = fate < 0.5 and rows[0]["left"] > 1
                lines = None
                if partial:
                    first = rows[0]
                    lines = [{"order_line": first["line"], "quantity": (first["left"] / 2).to_integral_value()
                              or Decimal(1)}]
                shipment = shipment_services.create_shipment(order, by=by, shipment_date=day, lines=lines)
                _ship(shipment, by, rng, today, deliver=old)
                if partial and old and rng.random() < 0.6:
                    later = min(day + datetime.timedelta(days=rng.randint(3, 10)), today)
                    rest = shipment_services.create_shipment(order, by=by, shipment_date=later)
                    _ship(rest, by, rng, today, deliver=(today - later).days > 7)
        except BusinessRuleError:
            continue
    _returns(rng, by, today)
    return [f"sales: {Shipment.objects.count()} shipments, {CustomerReturn.objects.count()} customer returns"]


def _returns(rng: random.Random, by, today) -> None:
    shipped = list(Order.objects.filter(status__in=[Order.Status.SHIPPED, Order.Status.CLOSED])
                   .select_related("warehouse").order_by("pk"))
    for order in rng.sample(shipped, k=min(len(shipped), max(1, len(shipped) // 8))):
        rows = [row for row in shipment_services.shipping_summary(order) if row["shipped"] > row["returned"]]
        if not rows or order.warehouse_id is None:
            continue
        row = rng.choice(rows)
        complaint = Complaint.objects.filter(client_id=order.client_id).order_by("pk").first()
        last = order.shipments.exclude(status=Shipment.Status.CANCELLED).order_by("-shipment_date").first()
        day = min((last.shipment_date if last else order.order_date) + datetime.timedelta(days=rng.randint(5, 20)),
                  today)
        try:
            with transaction.atomic():
                return_services.create_return(
                    order, by=by, location=_quarantine(order.warehouse), complaint=complaint, return_date=day,
                    reason=rng.choice(["Damaged in transit", "Wrong item", "Leaks", "Not needed any more"]),
                    lines=[{"order_line": row["line"], "quantity": Decimal(1)}], receive=rng.random() < 0.8)
        except BusinessRuleError:
            continue
