"""Read-only questions about BOMs that other apps (planning, the product page) ask."""

import datetime
from decimal import Decimal

from django.db.models import Q

from tandem.production.models import Bom


def active_bom(product, on_date: datetime.date | None = None) -> Bom | None:
    """The BOM version in force for `product` on `on_date` (today by default): not archived, valid_from on or
    before the date, valid_to empty or on or after it; the newest valid_from wins."""
    on_date = on_date or datetime.date.today()
    return (Bom.objects.filter(product=product, is_archived=False, valid_from__lte=on_date)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
            .order_by("-valid_from", "-id").first())


def component_requirements(bom: Bom, quantity: Decimal) -> list[tuple[object, Decimal]]:
    """One level down: (component product, quantity needed, scrap included) to make `quantity` with `bom`."""
    return [(line.component, line.gross_quantity * quantity / bom.quantity)
            for line in bom.lines.select_related("component").order_by("position", "id")]


# --- Production orders --------------------------------------------------------------------------------------


def production_orders(*, status: str = "", product=None):
    """The list of production orders (one query with the product, BOM and warehouse), newest start first."""
    from tandem.production.models import ProductionOrder

    qs = ProductionOrder.objects.select_related("product__unit", "warehouse", "company").order_by(
        "-planned_start", "-id")
    if status:
        qs = qs.filter(status=status)
    if product is not None:
        qs = qs.filter(product=product)
    return qs


def _iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def work_centre_load(*, start: datetime.date, weeks: int = 8) -> dict:
    """Hours planned per work centre per ISO week from `start`'s week on: the open orders' operations (planned
    minutes not yet booked, at least zero) counted in the week of their order's planned start, against each
    centre's weekly capacity. {"weeks": [labels], "rows": [{"centre", "capacity", "cells": [{"week", "hours",
    "over"}]}]}"""
    from tandem.core import limits
    from tandem.production.models import ProductionOrder, ProductionOrderOperation, WorkCentre

    weeks = min(max(int(weeks), 1), 26)
    if not limits.MIN_DATE + datetime.timedelta(days=7) <= start <= limits.MAX_DATE - datetime.timedelta(weeks=27):
        start = datetime.date.today()  # a start at the ends of the calendar: there is no week around it to show
    monday = start - datetime.timedelta(days=start.weekday())
    end = monday + datetime.timedelta(weeks=weeks)
    labels = [_iso_week(monday + datetime.timedelta(weeks=i)) for i in range(weeks)]
    planned: dict[tuple[int, str], Decimal] = {}
    rows = (ProductionOrderOperation.objects
            .filter(order__status__in=ProductionOrder.OPEN_STATUSES, order__planned_start__gte=monday,
                    order__planned_start__lt=end)
            .values_list("work_centre_id", "order__planned_start", "planned_minutes", "actual_minutes"))
    for centre_id, day, planned_minutes, actual_minutes in rows:
        key = (centre_id, _iso_week(day))
        planned[key] = planned.get(key, Decimal(0)) + max(planned_minutes - actual_minutes, Decimal(0)) / 60
    centres = WorkCentre.objects.filter(Q(is_archived=False) | Q(pk__in={k[0] for k in planned})).order_by("code")
    return {"start": monday, "weeks": labels, "rows": [
        {"centre": centre, "capacity": centre.capacity_hours_per_week, "cells": [
            {"week": week, "hours": planned.get((centre.pk, week), Decimal(0)).quantize(Decimal("0.01")),
             "over": planned.get((centre.pk, week), Decimal(0)) > centre.capacity_hours_per_week}
            for week in labels]}
        for centre in centres]}


def order_moves(order):
    """The stock moves of a production order (consumption and output), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from tandem.stock.models import StockMove

    return (StockMove.objects.filter(origin_type=ContentType.objects.get_for_model(type(order)), origin_id=order.pk)
            .select_related("product", "lot", "from_location", "to_location").order_by("id"))
