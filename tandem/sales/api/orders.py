"""REST endpoints of sales orders (thin: look up with the record rules of sales.queries, call one service)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.sales.api.common import header_values, line_values
from tandem.sales.models import Order, OrderLine
from tandem.sales.queries import document_with_lines, filter_documents, visible_orders
from tandem.sales.schemas import LineIn, LinePatch, OrderFilters, OrderIn, OrderOut, OrderPatch, OrderSummaryOut, StepIn
from tandem.sales.services import orders as services

router = Router(tags=["sales"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the order since, nothing is written: 409 `stale`.")


def _order(request, order_id: int) -> Order:
    return document_with_lines(visible_orders(request.user).select_related("warehouse"), order_id)


def _out(order, response: HttpResponse):
    fresh = document_with_lines(Order.objects.select_related("warehouse"), order.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


@router.get("/orders", response=Page[OrderSummaryOut], summary="List sales orders")
def list_orders(request, filters: Query[OrderFilters], pagination: Query[PageParams]):
    require_permission(request, "sales.view_order")
    qs = filter_documents(visible_orders(request.user), **filters.dict()).select_related("warehouse")
    return paginate(qs.order_by("-order_date", "-id"), pagination)


@router.post("/orders", response={201: OrderOut}, summary="Make a sales order for a client (without a quote)",
             description="Lines are priced as on quotes (price lists; overrides need the permission).")
def create_order(request, payload: OrderIn, response: HttpResponse):
    require_permission(request, "sales.add_order")
    order = services.create_order(by=request.user, **header_values(request, payload.dict(exclude_unset=True)))
    return 201, _out(order, response)


@router.get("/orders/{order_id}", response=OrderOut, summary="Get a sales order",
            description="The `ETag` header carries the order's `version`.")
def get_order(request, order_id: Id, response: HttpResponse):
    order = _order(request, order_id)
    response["ETag"] = etag_for(order.version)
    return order


@router.patch("/orders/{order_id}", response=OrderOut, summary="Change a draft order's header", description=_VERSION)
def update_order(request, order_id: Id, payload: OrderPatch, response: HttpResponse):
    order = _order(request, order_id)
    require_permission(request, "sales.change_order")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    order = services.update_order(order, by=request.user, expected_version=seen, **header_values(request, values))
    return _out(order, response)


@router.post("/orders/{order_id}/lines", response={201: OrderOut}, summary="Add a line to a draft order",
             description=_VERSION)
def add_order_line(request, order_id: Id, payload: LineIn, response: HttpResponse):
    order = _order(request, order_id)
    require_permission(request, "sales.change_order")
    services.add_order_line(order, by=request.user, expected_version=expected_version(request, None),
                            **line_values(payload.dict()))
    return 201, _out(order, response)


def _line(order, order_line_id: int) -> OrderLine:
    return resolve_visible(OrderLine.objects.filter(order=order).select_related("order__client", "product", "unit"),
                           order_line_id)


@router.patch("/orders/{order_id}/lines/{order_line_id}", response=OrderOut,
              summary="Change a line of a draft order",
              description=_VERSION)
def update_order_line(request, order_id: Id, order_line_id: Id, payload: LinePatch, response: HttpResponse):
    order = _order(request, order_id)
    require_permission(request, "sales.change_order")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    services.update_order_line(_line(order, order_line_id), by=request.user, expected_version=seen,
                               **line_values(values))
    return _out(order, response)


@router.delete("/orders/{order_id}/lines/{order_line_id}", response=OrderOut,
               summary="Remove a line of a draft order",
               description=_VERSION)
def remove_order_line(request, order_id: Id, order_line_id: Id, response: HttpResponse):
    order = _order(request, order_id)
    require_permission(request, "sales.change_order")
    services.remove_order_line(_line(order, order_line_id), by=request.user,
                               expected_version=expected_version(request, None))
    return _out(order, response)


def _step(request, order_id, payload, service):
    order = _order(request, order_id)
    require_permission(request, "sales.change_order")
    return service(order, by=request.user, expected_version=expected_version(request, payload.version if payload
                                                                                      else None))


@router.post("/orders/{order_id}/confirm", response=OrderOut, summary="Confirm a draft order: reserves stock",
             description="Draft → confirmed; each goods line's quantity is reserved in the order's warehouse. A "
                         "shortage refuses the confirmation with 409 `insufficient_stock` (with `available` and "
                         "`wanted`; nothing reserved) unless the installation allows confirming with a "
                         "shortage (SALES_ALLOW_CONFIRM_WITH_SHORTAGE): then the line shows `short_quantity` "
                         "and `expected_date`. Over the client's credit limit (or its overdue maximum): 409 "
                         "`credit_limit_exceeded`, unless the legal entity's credit policy asks for approval and "
                         "the user may approve (finance.override_credit_limit).")
def confirm_order(request, order_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, order_id, payload, services.confirm_order), response)


@router.post("/orders/{order_id}/cancel", response=OrderOut, summary="Cancel an order: releases its reservations",
             description="Draft or confirmed → cancelled (409 `invalid_transition` once shipping started).")
def cancel_order(request, order_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, order_id, payload, services.cancel_order), response)


@router.post("/orders/{order_id}/close", response=OrderOut, summary="Close a shipped order")
def close_order(request, order_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, order_id, payload, services.close_order), response)
