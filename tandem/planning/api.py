"""REST endpoints of planning under /api/v1/planning/ (thin: check the permission, one service)."""

from __future__ import annotations

from decimal import Decimal

from ninja import Query, Router

from tandem.catalog.models import Product
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.planning import queries, services
from tandem.planning.models import PlanningParameter
from tandem.planning.schemas import (
    PlanningConfirmIn,
    PlanningConfirmOut,
    PlanningOrderAvailabilityOut,
    PlanningParameterFilters,
    PlanningParameterIn,
    PlanningParameterOut,
    PlanningProposalFilters,
    PlanningProposalOut,
    PlanningRunOut,
)
from tandem.sales import queries as sales_queries
from tandem.sales.models import Order
from tandem.stock.models import Warehouse

router = Router(tags=["planning"])


@router.post("/runs", response={201: PlanningRunOut}, summary="Run planning (replaces the open proposals)")
def run_planning(request):
    require_permission(request, "planning.add_planningrun")
    return 201, services.run_planning(by=request.user)


@router.get("/runs/latest", response={200: PlanningRunOut, 404: dict}, summary="The latest planning run")
def latest_run(request):
    require_permission(request, "planning.view_planningrun")
    run = queries.latest_run()
    if run is None:
        return 404, {"code": "not_found", "message": "Planning has not run yet."}
    return run


@router.get("/proposals", response=Page[PlanningProposalOut], summary="List planning proposals with pegging")
def list_proposals(request, pagination: Query[PageParams], filters: Query[PlanningProposalFilters]):
    require_permission(request, "planning.view_planningproposal")
    return paginate(queries.proposals(kind=filters.kind or "", status=filters.status or "",
                                      supplier_id=filters.supplier, product_id=filters.product,
                                      sales_order_id=filters.sales_order_id), pagination)


@router.post("/proposals/confirm", response=PlanningConfirmOut,
             summary="Confirm proposals: draft purchase orders per supplier, draft production orders")
def confirm_proposals(request, payload: PlanningConfirmIn):
    made = services.confirm_proposals(payload.proposals, by=request.user)
    return {"purchase_orders": [{"id": o.pk, "name": o.number} for o in made["purchase_orders"]],
            "production_orders": [{"id": o.pk, "name": o.number} for o in made["production_orders"]]}


@router.put("/parameters", response=PlanningParameterOut,
            summary="Set a product's planning parameters in a warehouse (minimum and safety stock, buy or make)")
def set_parameter(request, payload: PlanningParameterIn):
    require_permission(request, "planning.change_planningparameter")
    product = resolve_visible(Product.objects.all(), payload.product, field="product")
    warehouse = resolve_visible(Warehouse.objects.all(), payload.warehouse, field="warehouse")
    return services.set_parameter(product=product, warehouse=warehouse, by=request.user, source=payload.source,
                                  minimum_stock=payload.minimum_stock, safety_stock=payload.safety_stock,
                                  make_lead_time_days=payload.make_lead_time_days)


@router.get("/parameters", response=Page[PlanningParameterOut],
            summary="List planning parameters (filter by product and warehouse)")
def list_parameters(request, pagination: Query[PageParams], filters: Query[PlanningParameterFilters]):
    require_permission(request, "planning.view_planningparameter")
    return paginate(queries.parameters(product_id=filters.product, warehouse_id=filters.warehouse), pagination)


@router.get("/parameters/{parameter_id}", response=PlanningParameterOut, summary="One product's planning parameters "
            "in a warehouse")
def get_parameter(request, parameter_id: Id):
    require_permission(request, "planning.view_planningparameter")
    return resolve_visible(PlanningParameter.objects.all(), parameter_id)


def _plain(value) -> str:
    return f"{value.normalize():f}"


def _ref(document):
    return {"id": document.pk, "name": document.number} if document is not None else None


def _supply(item) -> dict:
    proposal, document = item["proposal"], item["document"]
    return {"quantity": _plain(item["quantity"]), "date": item["date"],
            "purchase_order": _ref(document) if proposal is not None and proposal.purchase_order_id else None,
            "production_order": _ref(document) if proposal is not None and proposal.production_order_id else None,
            "proposal": proposal.pk if proposal is not None else None,
            "proposal_status": proposal.status if proposal is not None else None}


@router.get("/sales-orders/{order_id}/availability", response=PlanningOrderAvailabilityOut,
            summary="Per goods line of a sales order: available now, incoming and to be made, with dates",
            description="What the sales order page shows: reserved stock, then per planning proposal (or the "
                        "date stock expects the goods, before planning runs) what is bought or made and when. "
                        "Quantities after `ordered` are in the product's stock unit. Readers of sales orders see "
                        "the orders their record rules allow; other planning readers see any order, as its "
                        "proposals' pegging shows it.")
def order_availability(request, order_id: Id):
    require_permission(request, "planning.view_planningproposal")
    orders = (sales_queries.visible_orders(request.user) if request.user.has_perm("sales.view_order")
              else Order.objects.all())
    order = resolve_visible(orders.select_related("warehouse"), order_id)
    lines = []
    for state in queries.line_states(order, queries.order_lines(order)):
        line, items = state["line"], state["items"]
        available = sum((i["quantity"] for i in items if i["state"] == "available"), Decimal(0))
        lines.append({
            "line": line.pk, "position": line.position,
            "product": {"id": line.product_id, "name": f"{line.product.sku} {line.product.name}"},
            "ordered": _plain(line.quantity), "ordered_unit": line.unit.code, "unit": line.product.unit.code,
            "shipped": _plain(line.shipped_quantity), "reserved": _plain(line.reserved_quantity),
            "available_now": _plain(available),
            "incoming": [_supply(i) for i in items if i["state"] == "incoming"],
            "to_be_made": [_supply(i) for i in items if i["state"] == "make"],
            "short": _plain(sum((i["quantity"] for i in items if i["state"] == "short"), Decimal(0)))})
    return {"order": {"id": order.pk, "name": order.number}, "status": order.status,
            "warehouse": {"id": order.warehouse_id, "name": order.warehouse.code} if order.warehouse_id else None,
            "lines": lines}
