"""Reads of planning shared by its pages and API."""

from __future__ import annotations

from django.db.models import Prefetch

from tandem.planning.models import PlanningParameter, PlanningPegging, PlanningProposal, PlanningRun


def latest_run() -> PlanningRun | None:
    return PlanningRun.objects.order_by("-started_at", "-id").first()


def proposals(*, kind: str = "", status: str = PlanningProposal.Status.OPEN, supplier_id=None, product_id=None):
    """Proposals with what pages and the API show of them, pegging prefetched (no query per row)."""
    qs = (PlanningProposal.objects
          .select_related("product__unit", "warehouse", "supplier__counterparty", "purchase_order",
                          "production_order")
          .prefetch_related(Prefetch("pegging", queryset=PlanningPegging.objects.select_related(
              "sales_line__order", "production_order", "parent__product").order_by("need_date", "id"))))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return qs.order_by("start_date", "level", "id")


def line_outlook(order_lines) -> dict[int, list[PlanningPegging]]:
    """{sales order line id: its pegging rows (to open or confirmed proposals)} in one query."""
    outlook: dict[int, list[PlanningPegging]] = {}
    rows = (PlanningPegging.objects.filter(sales_line__in=[line.pk for line in order_lines])
            .select_related("proposal__purchase_order", "proposal__production_order").order_by("need_date", "id"))
    for row in rows:
        outlook.setdefault(row.sales_line_id, []).append(row)
    return outlook


def parameters(*, product_id=None, warehouse_id=None):
    """Planning parameters with their product and warehouse, by product code then warehouse code."""
    qs = PlanningParameter.objects.select_related("product__unit", "warehouse")
    if product_id:
        qs = qs.filter(product_id=product_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("product__sku", "warehouse__code", "id")
