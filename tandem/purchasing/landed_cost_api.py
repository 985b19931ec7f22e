"""REST endpoints of landed costs under /api/v1/purchasing/landed-costs (thin: the rules live in
purchasing.landed_costs)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.models import LegalEntity
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.purchasing import landed_costs
from tandem.purchasing.landed_cost_schemas import (
    LandedCostFilters,
    LandedCostIn,
    LandedCostOut,
    LandedCostPatch,
    LandedCostStepIn,
    LandedCostSummaryOut,
)
from tandem.purchasing.models import LandedCost, PurchaseOrder, SupplierProfile

router = Router(tags=["purchasing"])


def _landed_costs():
    return LandedCost.objects.select_related("company", "supplier__counterparty")


def _number(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _summary(landed_cost: LandedCost) -> dict:
    return {
        **{name: getattr(landed_cost, name) for name in (
            "id", "number", "company_id", "status", "kind", "date", "currency", "supplier_id", "method", "reference",
            "note", "version")},
        "amount": _number(landed_cost.amount), "exchange_rate": _number(landed_cost.exchange_rate),
        "base_amount": _number(landed_cost.base_amount), "base_currency": landed_cost.company.base_currency,
    }


def landed_cost_out(landed_cost: LandedCost, user) -> dict:
    """The document with its receipts (one query for the lines, one for their orders)."""
    lines = list(landed_cost.lines.select_related("move__product").order_by("move_id"))
    orders = landed_costs.order_lines_of([line.move for line in lines])
    actions = []
    if landed_cost.can_edit() and user.has_perm("purchasing.change_landedcost"):
        actions += ["edit", "cancel"]
    if landed_cost.can_allocate() and user.has_perm("purchasing.allocate_landedcost"):
        actions.append("allocate")
    return {
        **_summary(landed_cost),
        "actions": actions,
        "receipts": [{
            "move_id": line.move_id, "order_id": getattr(orders.get(line.move_id), "order_id", None),
            "order_number": getattr(getattr(orders.get(line.move_id), "order", None), "number", None),
            "product_id": line.move.product_id, "sku": line.move.product.sku, "date": line.move.effective_date,
            "quantity": _number(line.move.quantity), "receipt_value": _number(line.move.value),
            "basis": _number(line.basis), "amount": _number(line.amount), "base_amount": _number(line.base_amount),
            "unit_cost_before": _number(line.unit_cost_before), "unit_cost_after": _number(line.unit_cost_after),
        } for line in lines],
    }


def _get(request, landed_cost_id: int) -> LandedCost:
    require_permission(request, "purchasing.view_landedcost")
    return resolve_visible(_landed_costs(), landed_cost_id)


def _out(request, landed_cost, response: HttpResponse) -> dict:
    fresh = _landed_costs().get(pk=landed_cost.pk)
    response["ETag"] = etag_for(fresh.version)
    return landed_cost_out(fresh, request.user)


def _references(values: dict) -> dict:
    if "company_id" in values:
        company_id = values.pop("company_id")
        values["company"] = resolve_visible(LegalEntity.objects.all(), company_id, "company_id") \
            if company_id is not None else None
    if "supplier_id" in values:
        supplier_id = values.pop("supplier_id")
        values["supplier"] = resolve_visible(SupplierProfile.objects.select_related("counterparty"), supplier_id,
                                             "supplier_id") if supplier_id is not None else None
    if "order_ids" in values:
        ids = values.pop("order_ids")
        values["orders"] = [resolve_visible(PurchaseOrder.objects.all(), pk, f"order_ids.{index}")
                            for index, pk in enumerate(ids or [])]
    if "receipt_ids" in values:
        ids = values.pop("receipt_ids")
        if ids is not None:
            values["receipts"] = [resolve_visible(landed_costs.purchase_receipts(), pk, f"receipt_ids.{index}")
                                  for index, pk in enumerate(ids)]
    return values


@router.get("/landed-costs", response=Page[LandedCostSummaryOut], summary="List landed costs")
def list_landed_costs(request, filters: Query[LandedCostFilters], pagination: Query[PageParams]):
    require_permission(request, "purchasing.view_landedcost")
    qs = _landed_costs().order_by("-date", "-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.order_id:
        order = resolve_visible(PurchaseOrder.objects.all(), filters.order_id, "order_id")
        qs = qs.filter(pk__in=landed_costs.landed_costs_of(order).values("pk"))
    page = paginate(qs, pagination)
    page["items"] = [_summary(item) for item in page["items"]]
    return page


@router.post("/landed-costs", response={201: LandedCostOut}, summary="Enter a draft landed cost",
             description="Freight, duty, insurance or another cost, for the receipts of `order_ids` and the receipt "
                         "moves in `receipt_ids` (at least one receipt).")
def create_landed_cost(request, payload: LandedCostIn, response: HttpResponse):
    require_permission(request, "purchasing.add_landedcost")
    landed_cost = landed_costs.create_landed_cost(by=request.user, **_references(payload.dict()))
    return 201, _out(request, landed_cost, response)


@router.get("/landed-costs/{landed_cost_id}", response=LandedCostOut, summary="Get a landed cost",
            description="Its receipts with, once allocated, each share and the unit cost before and after.")
def get_landed_cost(request, landed_cost_id: Id, response: HttpResponse):
    return _out(request, _get(request, landed_cost_id), response)


@router.patch("/landed-costs/{landed_cost_id}", response=LandedCostOut, summary="Change a draft landed cost",
              description="Send the version you saw (`If-Match` or `version`); a stale one is refused with 409.")
def update_landed_cost(request, landed_cost_id: Id, payload: LandedCostPatch, response: HttpResponse):
    landed_cost = _get(request, landed_cost_id)
    require_permission(request, "purchasing.change_landedcost")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    values = _references(values)
    for name in ("kind", "date", "amount", "method"):
        if name in values and values[name] is None:
            values.pop(name)
    landed_cost = landed_costs.update_landed_cost(landed_cost, by=request.user, expected_version=seen, **values)
    return _out(request, landed_cost, response)


@router.post("/landed-costs/{landed_cost_id}/allocate", response=LandedCostOut, summary="Allocate a landed cost",
             description="Splits the amount over the receipts (to the cent) and raises their value; goods already "
                         "shipped are revalued to cost of goods sold. Needs the permission to allocate.")
def allocate_landed_cost(request, landed_cost_id: Id, response: HttpResponse,
                         payload: LandedCostStepIn | None = None):
    landed_cost = _get(request, landed_cost_id)
    require_permission(request, "purchasing.allocate_landedcost")
    landed_cost = landed_costs.allocate_landed_cost(
        landed_cost, by=request.user, expected_version=expected_version(request, payload.version if payload else None))
    return _out(request, landed_cost, response)


@router.post("/landed-costs/{landed_cost_id}/cancel", response=LandedCostOut, summary="Cancel a draft landed cost")
def cancel_landed_cost(request, landed_cost_id: Id, response: HttpResponse, payload: LandedCostStepIn | None = None):
    landed_cost = _get(request, landed_cost_id)
    require_permission(request, "purchasing.change_landedcost")
    landed_cost = landed_costs.cancel_landed_cost(
        landed_cost, by=request.user, expected_version=expected_version(request, payload.version if payload else None))
    return _out(request, landed_cost, response)
