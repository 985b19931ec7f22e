"""REST endpoints of stock valuation: /api/v1/stock/valuation (thin: check the permission, read, shape)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from tandem.core.errors import BusinessRuleError
from tandem.core.openapi import declares
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import money_text
from tandem.stock.models import RevaluationEntry, StockMove, Warehouse
from tandem.stock.valuation.report import valuation_report
from tandem.stock.valuation.schemas import (
    CostCorrectionIn,
    CostCorrectionOut,
    RevaluationFilters,
    RevaluationOut,
    ValuationFilters,
    ValuationOut,
)
from tandem.stock.valuation.services import correct_cost

router = Router(tags=["stock valuation"])


@router.get("", response=ValuationOut, summary="Stock value of a warehouse at the end of a day",
            description="Quantity, value and unit cost per product; 404 when `warehouse` names no warehouse.")
@declares(404)
def stock_valuation(request, filters: Query[ValuationFilters]):
    require_permission(request, "stock.view_valuation")
    warehouse = get_object_or_404(Warehouse.objects.select_related("company"), pk=filters.warehouse)
    product = filters.product
    report = valuation_report(warehouse, filters.date or timezone.localdate(), product=product)
    currency = report.currency
    return {
        "warehouse": {"id": warehouse.pk, "sku": warehouse.code, "name": warehouse.name},
        "date": report.date, "currency": currency, "method": report.method,
        "total_value": money_text(report.total, currency),
        "items": [{"product": {"id": p.pk, "sku": p.sku, "name": p.name}, "quantity": str(v.quantity),
                   "value": money_text(v.value, currency), "unit_cost": str(v.unit_cost)}
                  for p, v in report.lines],
    }


@router.get("/revaluations", response=Page[RevaluationOut],
            summary="Differences back-dated entries made to moves valued before them (for the ledger)")
def revaluations(request, filters: Query[RevaluationFilters], page: Query[PageParams]):
    require_permission(request, "stock.view_valuation")
    rows = RevaluationEntry.objects.select_related("company").order_by("effective_date", "id")
    if filters.warehouse:
        rows = rows.filter(warehouse_id=filters.warehouse)
    if filters.date_from:
        rows = rows.filter(effective_date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(effective_date__lte=filters.date_to)
    return paginate(rows, page)


def correction_dict(correction) -> dict:
    return {"id": correction.pk, "move_id": correction.move_id, "effective_date": correction.effective_date,
            "old_unit_cost": str(correction.old_unit_cost), "new_unit_cost": str(correction.new_unit_cost),
            "reason": correction.reason}


@router.post("/cost-corrections", response={201: CostCorrectionOut}, summary="Correct the unit cost of a receipt",
             description="The receipt's unit cost becomes `unit_cost`; every later outgoing move that took from it "
                         "is revalued and the differences are listed under /revaluations (for the ledger). Only "
                         "goods received can be corrected: 422 `not_a_receipt` on `move_id` otherwise.")
def create_cost_correction(request, payload: CostCorrectionIn):
    require_permission(request, "stock.add_costcorrection")
    move = resolve_visible(StockMove.objects.select_related("product"), payload.move_id, "move_id")
    if payload.unit_cost is None:
        raise BusinessRuleError("required", _("Enter the right unit cost."), field="unit_cost")
    correction = correct_cost(move, unit_cost=payload.unit_cost, effective_date=payload.effective_date,
                              reason=payload.reason, by=request.user)
    return 201, correction_dict(correction)
