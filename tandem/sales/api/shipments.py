"""REST endpoints of shipments (thin: record rules from sales.queries, one service per call)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.sales import pdf
from tandem.sales.calculations import plain
from tandem.sales.models import OrderLine, Shipment
from tandem.sales.queries import filter_shipments, shipment_with_lines, visible_orders, visible_shipments
from tandem.sales.schemas import (
    DeliverIn,
    LeftToShipOut,
    ShipIn,
    ShipmentFilters,
    ShipmentIn,
    ShipmentOut,
    ShipmentPatch,
    ShipmentSummaryOut,
    StepIn,
)
from tandem.sales.services import shipments as services
from tandem.stock.models import Location, Lot

router = Router(tags=["sales"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the shipment since, nothing is written: 409 `stale`.")
_CONFIRM = " Needs the warehouse's permission to confirm shipments (`sales.confirm_shipment`)."


def _shipment(request, shipment_id: int) -> Shipment:
    return shipment_with_lines(visible_shipments(request.user), shipment_id)


def _out(shipment, response: HttpResponse):
    fresh = shipment_with_lines(Shipment.objects.all(), shipment.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


def _lines(order, lines: list[dict]) -> list[dict]:
    values = []
    for index, line in enumerate(lines):
        prefix = f"lines[{index}]."
        values.append({
            "order_line": resolve_visible(OrderLine.objects.filter(order=order).select_related("product"),
                                          line["order_line_id"], f"{prefix}order_line_id"),
            "quantity": line["quantity"],
            "location": resolve_visible(Location, line.get("location_id"), f"{prefix}location_id"),
            "lot": resolve_visible(Lot, line.get("lot_id"), f"{prefix}lot_id"),
        })
    return values


@router.get("/shipments", response=Page[ShipmentSummaryOut], summary="List shipments",
            description="Shipments of the clients you may see (representatives: their own clients').")
def list_shipments(request, filters: Query[ShipmentFilters], pagination: Query[PageParams]):
    require_permission(request, "sales.view_shipment")
    values = filters.dict()
    qs = filter_shipments(visible_shipments(request.user), status=values["status"] or "", q=values["q"] or "",
                          client_id=values["client_id"], order_id=values["order_id"], deal_id=values["deal_id"])
    return paginate(qs.order_by("-shipment_date", "-id"), pagination)


@router.post("/shipments", response={201: ShipmentOut}, summary="Make a shipment from a sales order",
             description="For a confirmed or partly shipped order: the lines given (quantities in the product's "
                         "stock unit, at most what is left to ship: 400 `more_than_left` with `left`), or "
                         "everything left to ship. Lot-tracked products need a lot (suggested: the one reserved "
                         "for the line, else the earliest expiring). The shipment starts \"to pick\" (`draft`).")
def create_shipment(request, payload: ShipmentIn, response: HttpResponse):
    require_permission(request, "sales.add_shipment")
    data = payload.dict(exclude_unset=True)
    order = resolve_visible(visible_orders(request.user).select_related("client", "warehouse"), data.pop("order_id"),
                            "order_id")
    lines = _lines(order, data.pop("lines", []))
    shipment = services.create_shipment(order, by=request.user, lines=lines, **{
        key: value for key, value in data.items() if value is not None})
    return 201, _out(shipment, response)


@router.get("/shipments/{shipment_id}", response=ShipmentOut, summary="Get a shipment",
            description="The `ETag` header carries the shipment's `version`.")
def get_shipment(request, shipment_id: Id, response: HttpResponse):
    shipment = _shipment(request, shipment_id)
    response["ETag"] = etag_for(shipment.version)
    return shipment


@router.patch("/shipments/{shipment_id}", response=ShipmentOut, summary="Change a shipment's carrier, tracking "
              "number, date or note", description="Date and note only before it ships. " + _VERSION)
def update_shipment(request, shipment_id: Id, payload: ShipmentPatch, response: HttpResponse):
    shipment = _shipment(request, shipment_id)
    require_permission(request, "sales.change_shipment")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    for key in ("carrier", "tracking_number", "note"):
        if key in values and values[key] is None:
            values[key] = ""
    shipment = services.update_shipment(shipment, by=request.user, expected_version=seen, **values)
    return _out(shipment, response)


def _step(request, shipment_id, payload, service, perm: str = services.CONFIRM_PERMISSION, **extra):
    shipment = _shipment(request, shipment_id)
    require_permission(request, perm)
    return service(shipment, by=request.user, expected_version=expected_version(
        request, payload.version if payload else None), **extra)


@router.post("/shipments/{shipment_id}/pick", response=ShipmentOut, summary="Confirm a shipment picked",
             description="To pick → picked." + _CONFIRM)
def pick_shipment(request, shipment_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, shipment_id, payload, services.pick_shipment), response)


@router.post("/shipments/{shipment_id}/pack", response=ShipmentOut, summary="Confirm a shipment packed",
             description="Picked → packed." + _CONFIRM)
def pack_shipment(request, shipment_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, shipment_id, payload, services.pack_shipment), response)


@router.post("/shipments/{shipment_id}/ship", response=ShipmentOut, summary="Ship a packed shipment: posts the "
             "stock moves", description="Packed → shipped: one SHIPMENT stock move per line (taking the quantity "
                                        "off the order line's reservation), all in one transaction — a refusal "
                                        "(e.g. 409 `insufficient_stock`) writes nothing. The order becomes partly "
                                        "shipped or shipped; what is left stays reserved (backorder)." + _CONFIRM)
def ship_shipment(request, shipment_id: Id, response: HttpResponse, payload: ShipIn | None = None):
    extra = {}
    if payload is not None:
        extra = {key: value for key in ("carrier", "tracking_number")
                 if (value := getattr(payload, key)) is not None}
    return _out(_step(request, shipment_id, payload, services.ship_shipment, **extra), response)


@router.post("/shipments/{shipment_id}/deliver", response=ShipmentOut, summary="Mark a shipment delivered",
             description="Shipped → delivered. When the order is fully shipped and all its shipments are "
                         "delivered, the order closes." + _CONFIRM)
def deliver_shipment(request, shipment_id: Id, response: HttpResponse, payload: DeliverIn | None = None):
    extra = {"delivered_date": payload.delivered_date} if payload and payload.delivered_date else {}
    return _out(_step(request, shipment_id, payload, services.deliver_shipment, **extra), response)


@router.post("/shipments/{shipment_id}/cancel", response=ShipmentOut, summary="Cancel a shipment not shipped yet",
             description="To pick, picked or packed → cancelled; its quantities are left to ship again (the order "
                         "keeps its reservation).")
def cancel_shipment(request, shipment_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, shipment_id, payload, services.cancel_shipment, perm="sales.change_shipment"),
                response)


@router.get("/shipments/{shipment_id}/pdf", summary="The delivery note as a PDF",
            description="application/pdf, in the caller's language: our legal entity's letterhead, the client's "
                        "address, the lines with lots, carrier and tracking number.", response={200: bytes})
def shipment_pdf(request, shipment_id: Id):
    shipment = _shipment(request, shipment_id)
    return pdf.pdf_response(pdf.render_delivery_note_pdf(shipment, request=request),
                            f"{shipment.number}.pdf")


@router.get("/orders/{order_id}/left-to-ship", response=list[LeftToShipOut], summary="What is shipped and left "
            "per line of an order", description="Per goods line, in the product's stock unit: ordered, shipped, in "
                                                "open shipments, left to ship, still reserved, returned.")
def left_to_ship(request, order_id: Id):
    require_permission(request, "sales.view_shipment")
    order = resolve_visible(visible_orders(request.user), order_id)
    return [{"order_line_id": row["line"].pk, "product": {"id": row["product"].pk, "name": str(row["product"])},
             "unit": row["unit"].code, "ordered": plain(row["ordered"]), "shipped": plain(row["shipped"]),
             "in_open_shipments": plain(row["pending"]), "left": plain(row["left"]),
             "reserved": plain(row["reserved"]), "returned": plain(row["returned"])}
            for row in services.shipping_summary(order)]
