"""REST endpoints of customer returns (thin: record rules from sales.queries, one service per call)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.crm.queries.visibility import visible_complaints
from tandem.sales.models import CustomerReturn, OrderLine
from tandem.sales.queries import return_with_lines, visible_orders, visible_returns
from tandem.sales.schemas import ReturnFilters, ReturnIn, ReturnOut, ReturnSummaryOut, StepIn
from tandem.sales.services import returns as services
from tandem.stock.models import Location, Lot

router = Router(tags=["sales"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the return since, nothing is written: 409 `stale`.")


def _return(request, return_id: int) -> CustomerReturn:
    return return_with_lines(visible_returns(request.user), return_id)


def _out(customer_return, response: HttpResponse):
    fresh = return_with_lines(CustomerReturn.objects.all(), customer_return.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


@router.get("/returns", response=Page[ReturnSummaryOut], summary="List customer returns")
def list_returns(request, filters: Query[ReturnFilters], pagination: Query[PageParams]):
    require_permission(request, "sales.view_customerreturn")
    qs = visible_returns(request.user).select_related("client", "order", "location__warehouse")
    for key, value in filters.dict().items():
        if value:
            qs = qs.filter(**{key: value})
    return paginate(qs.order_by("-return_date", "-id"), pagination)


@router.post("/returns", response={201: ReturnOut}, summary="Record a customer return from an order",
             description="Lines of the order with quantities (stock unit) at most shipped − already returned "
                         "(400 `more_than_shipped` with `left`), into a storage or quarantine location, linked to "
                         "the client's complaint when given. With `receive: true` the RETURN stock moves are "
                         "posted at once, at the cost the goods were shipped with.")
def create_return(request, payload: ReturnIn, response: HttpResponse):
    require_permission(request, "sales.add_customerreturn")
    data = payload.dict()
    order = resolve_visible(visible_orders(request.user).select_related("client", "warehouse"), data["order_id"],
                            "order_id")
    lines = [{"order_line": resolve_visible(OrderLine.objects.filter(order=order).select_related("product"),
                                            line["order_line_id"], f"lines[{i}].order_line_id"),
              "quantity": line["quantity"], "lot": resolve_visible(Lot, line.get("lot_id"), f"lines[{i}].lot_id")}
             for i, line in enumerate(data["lines"])]
    customer_return = services.create_return(
        order, by=request.user, lines=lines,
        location=resolve_visible(Location.objects.select_related("warehouse"), data.get("location_id"),
                                 "location_id"),
        complaint=resolve_visible(visible_complaints(request.user), data.get("complaint_id"), "complaint_id"),
        return_date=data.get("return_date"), reason=data.get("reason") or "", receive=data["receive"])
    return 201, _out(customer_return, response)


@router.get("/returns/{return_id}", response=ReturnOut, summary="Get a customer return")
def get_return(request, return_id: Id, response: HttpResponse):
    customer_return = _return(request, return_id)
    response["ETag"] = etag_for(customer_return.version)
    return customer_return


def _step(request, return_id, payload, service):
    customer_return = _return(request, return_id)
    require_permission(request, "sales.change_customerreturn")
    return service(customer_return, by=request.user,
                   expected_version=expected_version(request, payload.version if payload else None))


@router.post("/returns/{return_id}/receive", response=ReturnOut, summary="Receive a customer return: posts the "
             "stock moves", description="Draft → received: one RETURN stock move per line into the return's "
                                        "location at the shipped cost (the warehouse's step). " + _VERSION)
def receive_return(request, return_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, return_id, payload, services.receive_return), response)


@router.post("/returns/{return_id}/cancel", response=ReturnOut, summary="Cancel a draft customer return")
def cancel_return(request, return_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, return_id, payload, services.cancel_return), response)
