"""Reads of planning shared by its pages and API."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tandem.planning.models import PlanningParameter, PlanningPegging, PlanningProposal, PlanningRun


def latest_run() -> PlanningRun | None:
    return PlanningRun.objects.order_by("-started_at", "-id").first()


def proposals(*, kind: str = "", status: str = PlanningProposal.Status.OPEN, supplier_id=None, product_id=None,
              sales_order_id=None):
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
    if sales_order_id:
        qs = qs.filter(pk__in=serving_sales_order(sales_order_id))
    return qs.order_by("start_date", "level", "id")


def serving_sales_order(order_id, *, max_levels: int = 50) -> set[int]:
    """Ids of the proposals serving a sales order: pegged to its lines, and level by level the proposals pegged
    to those (components of a proposed production); one query per BOM level."""
    found = set(PlanningPegging.objects.filter(sales_line__order_id=order_id).values_list("proposal_id", flat=True))
    frontier = set(found)
    for _level in range(max_levels):
        if not frontier:
            break
        frontier = set(PlanningPegging.objects.filter(parent_id__in=frontier)
                       .values_list("proposal_id", flat=True)) - found
        found |= frontier
    return found


def order_lines(order) -> list:
    """A sales order's lines as line_states reads them."""
    return list(order.lines.select_related("product__unit", "unit").order_by("position", "pk"))


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


def line_states(order, lines) -> list[dict]:
    """Per goods line of a sales order: what is available (reserved), and for the rest what is incoming or to be
    made and when (from the planning pegging, else the expected date stock told at confirmation)."""
    outlook = line_outlook(lines)
    states = []
    for line in lines:
        if not line.product.is_stocked:
            continue
        left = max(line.reserved_quantity + line.short_quantity - line.shipped_quantity, Decimal(0))
        if order.status == order.Status.DRAFT:
            left = Decimal(0)
        items = []
        if line.reserved_quantity > 0:
            items.append({"state": "available", "label": _("Available"), "quantity": line.reserved_quantity,
                          "date": None, "order": "", "document": None, "proposal": None})
        for peg in outlook.get(line.pk, ()):
            proposal = peg.proposal
            made = proposal.kind == PlanningProposal.Kind.MAKE
            document = proposal.production_order or proposal.purchase_order
            items.append({"state": "make" if made else "incoming",
                          "label": _("To be made") if made else _("Incoming"),
                          "quantity": peg.quantity, "date": proposal.need_date,
                          "order": str(document) if document else _("proposed"), "document": document,
                          "proposal": proposal})
        if not outlook.get(line.pk) and line.short_quantity > 0:
            items.append({"state": "incoming" if line.expected_date else "short",
                          "label": _("Incoming") if line.expected_date else _("Short"),
                          "quantity": line.short_quantity, "date": line.expected_date, "order": "",
                          "document": None, "proposal": None})
        states.append({"line": line, "items": items, "left": left})
    return states
