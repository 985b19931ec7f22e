"""REST endpoints of production orders under /api/v1/production/ (thin: look up, check the permission, one
service)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from tandem.catalog.models import Product
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.production import queries, services
from tandem.production.models import Bom, ProductionOrder
from tandem.production.order_schemas import (
    ProductionLoadRowOut,
    ProductionOrderConsumeIn,
    ProductionOrderFilters,
    ProductionOrderIn,
    ProductionOrderOut,
    ProductionOrderProduceIn,
    ProductionOrderStepIn,
    ProductionOrderSummaryOut,
    ProductionOrderTimeIn,
)
from tandem.stock.models import Location, Lot, Warehouse

router = Router(tags=["production"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the order since, nothing is written: 409 `stale`.")
CHANGE = "production.change_productionorder"


def _orders():
    return ProductionOrder.objects.select_related("product", "warehouse", "company", "bom")


def _order(request, order_id: int) -> ProductionOrder:
    require_permission(request, "production.view_productionorder")
    return resolve_visible(_orders(), order_id)


def _out(order, response: HttpResponse):
    fresh = _orders().get(pk=order.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


@router.get("/orders", response=Page[ProductionOrderSummaryOut], summary="List production orders")
def list_production_orders(request, filters: Query[ProductionOrderFilters], pagination: Query[PageParams]):
    require_permission(request, "production.view_productionorder")
    product = resolve_visible(Product, filters.product_id, "product_id") if filters.product_id else None
    return paginate(queries.production_orders(status=filters.status or "", product=product), pagination)


@router.post("/orders", response={201: ProductionOrderOut}, summary="Make a draft production order",
             description="Components and operations are copied from the product's BOM in force on the planned "
                         "start (or `bom_id`). No BOM: 400 `no_bom` naming `bom`.")
def create_production_order(request, payload: ProductionOrderIn, response: HttpResponse):
    require_permission(request, "production.add_productionorder")
    order = services.create_production_order(
        by=request.user, product=resolve_visible(Product, payload.product_id, "product_id"),
        quantity=payload.quantity, planned_start=payload.planned_start, planned_end=payload.planned_end,
        bom=resolve_visible(Bom, payload.bom_id, "bom_id") if payload.bom_id else None,
        warehouse=resolve_visible(Warehouse, payload.warehouse_id, "warehouse_id") if payload.warehouse_id else None,
        note=payload.note)
    return 201, _out(order, response)


@router.get("/orders/{production_order_id}", response=ProductionOrderOut, summary="Get a production order",
            description="Components, operations, outputs and costs; the `ETag` header carries the `version`.")
def get_production_order(request, production_order_id: Id, response: HttpResponse):
    return _out(_order(request, production_order_id), response)


def _step(request, order_id, payload, service, **kwargs):
    order = _order(request, order_id)
    require_permission(request, CHANGE)
    return service(order, by=request.user,
                   expected_version=expected_version(request, payload.version if payload else None), **kwargs)


@router.post("/orders/{production_order_id}/confirm", response=ProductionOrderOut,
             summary="Confirm a draft production order",
             description="Fixes the standard cost and reserves the components as far as stock allows. " + _VERSION)
def confirm_production_order(request, production_order_id: Id, response: HttpResponse,
                             payload: ProductionOrderStepIn | None = None):
    return _out(_step(request, production_order_id, payload, services.confirm_production_order), response)


@router.post("/orders/{production_order_id}/unconfirm", response=ProductionOrderOut,
             summary="Take a confirmed production order back to draft",
             description="Releases its reservations. " + _VERSION)
def unconfirm_production_order(request, production_order_id: Id, response: HttpResponse,
                               payload: ProductionOrderStepIn | None = None):
    return _out(_step(request, production_order_id, payload, services.unconfirm_production_order), response)


@router.post("/orders/{production_order_id}/start", response=ProductionOrderOut,
             summary="Start a confirmed production order", description=_VERSION)
def start_production_order(request, production_order_id: Id, response: HttpResponse,
                           payload: ProductionOrderStepIn | None = None):
    return _out(_step(request, production_order_id, payload, services.start_production_order), response)


@router.post("/orders/{production_order_id}/consume", response=ProductionOrderOut,
             summary="Consume components of a production order in progress",
             description="Stock moves of kind `consumption` into work in progress. Short stock: 409 "
                         "`insufficient_stock` naming `lines.<i>.quantity`; a tracked component without its lot: "
                         "400 naming `lines.<i>.lot`. All lines or none.")
def consume_components(request, production_order_id: Id, payload: ProductionOrderConsumeIn, response: HttpResponse):
    order = _order(request, production_order_id)
    require_permission(request, CHANGE)
    components = order.components.select_related("product")
    lines = []
    for index, item in enumerate(payload.lines):
        component = resolve_visible(components, item.component_id, f"lines.{index}.component_id")
        lot = resolve_visible(Lot, item.lot_id, f"lines.{index}.lot_id") if item.lot_id else None
        location = (resolve_visible(Location.objects.select_related("warehouse"), item.location_id,
                                    f"lines.{index}.location_id") if item.location_id else None)
        serials = [resolve_visible(Lot, lot_id, f"lines.{index}.serial_ids.{position}")
                   for position, lot_id in enumerate(item.serial_ids)]
        lines.append(services.Consumption(component, item.quantity, lot=lot, location=location, serials=serials))
    order = services.consume_components(order, lines=lines, by=request.user, effective_date=payload.date,
                                        expected_version=expected_version(request, payload.version))
    return _out(order, response)


@router.post("/orders/{production_order_id}/time", response=ProductionOrderOut,
             summary="Book minutes on an operation of a production order in progress",
             description="Costed at the work centre's rate; posted Dr work in progress / Cr absorbed. " + _VERSION)
def book_time(request, production_order_id: Id, payload: ProductionOrderTimeIn, response: HttpResponse):
    order = _order(request, production_order_id)
    require_permission(request, CHANGE)
    operation = resolve_visible(order.operations.all(), payload.operation_id, "operation_id")
    order = services.book_operation(order, operation=operation, minutes=payload.minutes, by=request.user,
                                    effective_date=payload.date,
                                    expected_version=expected_version(request, payload.version))
    return _out(order, response)


@router.post("/orders/{production_order_id}/produce", response=ProductionOrderOut,
             summary="Record output of a production order in progress",
             description="Finished goods into stock at their share of the order's cost (a new lot when "
                         "lot-tracked; one new serial per unit, `serials`, when serial-tracked), scrapped units "
                         "recorded, by-products into stock at the cost given. " + _VERSION)
def produce_output(request, production_order_id: Id, payload: ProductionOrderProduceIn, response: HttpResponse):
    order = _order(request, production_order_id)
    require_permission(request, CHANGE)
    by_products = [services.ByProduct(resolve_visible(Product, item.product_id, f"by_products.{index}.product_id"),
                                      item.quantity, item.unit_cost or 0, item.lot_code)
                   for index, item in enumerate(payload.by_products)]
    location = (resolve_visible(Location.objects.select_related("warehouse"), payload.location_id, "location_id")
                if payload.location_id else None)
    order = services.produce_output(order, quantity=payload.quantity, scrap=payload.scrap or 0,
                                    lot_code=payload.lot_code, location=location, by_products=by_products,
                                    serials=payload.serials, by=request.user, effective_date=payload.date,
                                    expected_version=expected_version(request, payload.version))
    return _out(order, response)


@router.post("/orders/{production_order_id}/finish", response=ProductionOrderOut,
             summary="Finish a production order",
             description="In progress → done; needs output. Sets the variance (actual − standard of what was "
                         "produced) and writes what is left in work in progress off to production variances. "
                         + _VERSION)
def finish_production_order(request, production_order_id: Id, response: HttpResponse,
                            payload: ProductionOrderStepIn | None = None):
    return _out(_step(request, production_order_id, payload, services.finish_production_order,
                      effective_date=payload.date if payload else None), response)


@router.post("/orders/{production_order_id}/cancel", response=ProductionOrderOut,
             summary="Cancel a production order",
             description="Releases reservations; what was consumed stays consumed and is written off. " + _VERSION)
def cancel_production_order(request, production_order_id: Id, response: HttpResponse,
                            payload: ProductionOrderStepIn | None = None):
    return _out(_step(request, production_order_id, payload, services.cancel_production_order,
                      effective_date=payload.date if payload else None), response)


@router.get("/load", response=list[ProductionLoadRowOut], summary="Work-centre load per ISO week",
            description="Hours planned on open orders per work centre and ISO week from `start` (today).")
def work_centre_load(request, start: str | None = None, weeks: int = 8):
    import datetime

    require_permission(request, "production.view_productionorder")  # as the page and its menu entry
    try:
        day = datetime.date.fromisoformat(start) if start else timezone.localdate()
    except ValueError:
        from tandem.core.errors import BusinessRuleError

        raise BusinessRuleError("invalid_date", "Enter a date as YYYY-MM-DD.", field="start") from None
    load = queries.work_centre_load(start=day, weeks=min(max(weeks, 1), 26))
    return [{"work_centre": {"id": row["centre"].pk, "name": f"{row['centre'].code} {row['centre'].name}"},
             "capacity_hours_per_week": format(row["capacity"].normalize(), "f"),
             "weeks": [{"week": c["week"], "hours": format(c["hours"], "f"), "over": c["over"]} for c in row["cells"]]}
            for row in load["rows"]]
