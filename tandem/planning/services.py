"""Planning services: the planning run (bulk reads → engine.plan in memory → bulk writes), confirming
proposals into draft purchase and production orders, and the planning parameters per product and warehouse.

The run reads in a fixed number of queries, whatever the number of products: stock on hand, expected receipts
that are not purchase or production orders, open purchase order lines, open production orders and their
components, open sales order lines (confirmed or partly shipped), planning parameters, BOMs in force and
supplier prices valid today. Supply from confirmed proposals is the orders they became (draft orders count),
so a second run proposes nothing new."""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.catalog.models import Product, Unit
from tandem.catalog.units import conversion_factor
from tandem.core import audit, limits
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission
from tandem.planning import engine
from tandem.planning.models import PlanningParameter, PlanningPegging, PlanningProposal, PlanningRun
from tandem.production import services as production_services
from tandem.production.models import Bom, BomLine, ProductionOrder, ProductionOrderComponent
from tandem.purchasing import services as purchasing_services
from tandem.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from tandem.sales.models import Order, OrderLine
from tandem.stock.models import ExpectedReceipt, Warehouse, WarehouseStock

ZERO = Decimal(0)
OPEN_PURCHASE = (PurchaseOrder.Status.RFQ, PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.TO_APPROVE,
                 PurchaseOrder.Status.APPROVED, PurchaseOrder.Status.SENT, PurchaseOrder.Status.PARTLY_RECEIVED)
OPEN_SALES = (Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED)
CONFIRM_PERMISSION = {PlanningProposal.Kind.PURCHASE: "planning.confirm_purchase_proposal",
                      PlanningProposal.Kind.MAKE: "planning.confirm_make_proposal"}
BATCH = 2000


# --- Reading what there is -------------------------------------------------------------------------------------

def _add(target: dict, key, value: Decimal) -> None:
    target[key] = target.get(key, ZERO) + value


def _boms_in_force(today: datetime.date) -> dict[int, engine.Bom]:
    boms: dict[int, tuple] = {}
    rows = (Bom.objects.filter(is_archived=False, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .order_by("product_id", "-valid_from", "-id").values_list("id", "product_id", "quantity"))
    for bom_id, product_id, quantity in rows:
        boms.setdefault(product_id, (bom_id, quantity))  # the newest valid_from first
    by_bom = {bom_id: engine.Bom(bom_id, quantity, []) for bom_id, quantity in boms.values()}
    lines = (BomLine.objects.filter(bom__is_archived=False, bom__valid_from__lte=today)
             .filter(Q(bom__valid_to__isnull=True) | Q(bom__valid_to__gte=today))
             .order_by("bom_id", "position", "id").values_list("bom_id", "component_id", "quantity", "scrap_percent"))
    hundred = Decimal(100)
    for bom_id, component_id, quantity, scrap in lines:
        if bom_id in by_bom:
            by_bom[bom_id].lines.append((component_id, quantity * hundred / (hundred - scrap)))
    return {product_id: by_bom[bom_id] for product_id, (bom_id, _q) in boms.items()}


def _prices(today: datetime.date) -> dict[int, engine.Price]:
    """Per product, the supplier price planning buys at: the preferred one, else the cheapest in its own
    currency, then the shortest lead time (purchasing.services.best_supplier_price's order, without the
    exchange rates: the run reads no rate per product)."""
    rows = (SupplierPrice.objects.filter(supplier__is_active=True, supplier__counterparty__is_archived=False)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .values_list("product_id", "supplier_id", "currency", "unit_price", "min_quantity", "pack_size",
                         "lead_time_days", "is_preferred", "id"))
    best: dict[int, tuple] = {}
    for row in rows:
        rank = (not row[7], row[3], row[6], row[8])
        if row[0] not in best or rank < best[row[0]][0]:
            best[row[0]] = (rank, row)
    return {product_id: engine.Price(row[1], row[2], row[3], row[4], row[5], row[6])
            for product_id, (_rank, row) in best.items()}


def _sales_demands(data: engine.PlanInput, today) -> None:
    rows = (OrderLine.objects.filter(order__status__in=OPEN_SALES, product__kind=Product.Kind.GOODS,
                                     order__warehouse__isnull=False)
            .values_list("id", "product_id", "unit_id", "product__unit_id", "quantity", "shipped_quantity",
                         "order__warehouse_id", "order__requested_date", "order__order_date", "order__number"))
    factors: dict[tuple[int, int], Decimal] = {}
    for line_id, product_id, unit_id, stock_unit_id, quantity, shipped, warehouse_id, requested, ordered, number \
            in rows:
        if unit_id != stock_unit_id:
            if (unit_id, product_id) not in factors:
                product = Product.objects.select_related("unit").get(pk=product_id)
                try:
                    factors[(unit_id, product_id)] = conversion_factor(Unit.objects.get(pk=unit_id), product.unit,
                                                                      product)
                except BusinessRuleError:
                    factors[(unit_id, product_id)] = Decimal(1)
            quantity = engine.up(quantity * factors[(unit_id, product_id)])
        left = quantity - shipped
        if left > 0:
            data.demands[(product_id, warehouse_id)].append(engine.Demand(
                engine.SALES, left, requested or ordered, sales_line_id=line_id, reference=number))


def read_plan_input(today: datetime.date) -> engine.PlanInput:
    data = engine.PlanInput(today=today)
    for product_id, warehouse_id, on_hand in (WarehouseStock.objects.exclude(on_hand=0)
                                              .values_list("product_id", "warehouse_id", "on_hand")):
        data.on_hand[(product_id, warehouse_id)] = on_hand
    supplies: dict = defaultdict(list)
    order_types = [ContentType.objects.get_for_model(PurchaseOrderLine).pk,
                   ContentType.objects.get_for_model(ProductionOrder).pk]
    for product_id, warehouse_id, date, quantity in (
            ExpectedReceipt.objects.exclude(origin_type_id__in=order_types)
            .values_list("product_id", "warehouse_id", "expected_date", "quantity")):
        supplies[(product_id, warehouse_id)].append((date, quantity))
    for product_id, warehouse_id, quantity, received, date, order_expected, ordered in (
            PurchaseOrderLine.objects.filter(order__status__in=OPEN_PURCHASE, product__kind=Product.Kind.GOODS)
            .values_list("product_id", "order__warehouse_id", "quantity", "received_quantity", "expected_date",
                         "order__expected_date", "order__order_date")):
        if quantity > received:
            supplies[(product_id, warehouse_id)].append((date or order_expected or ordered, quantity - received))
    for product_id, warehouse_id, quantity, produced, start, end in (
            ProductionOrder.objects.filter(status__in=ProductionOrder.OPEN_STATUSES)
            .values_list("product_id", "warehouse_id", "quantity", "produced_quantity", "planned_start",
                         "planned_end")):
        if quantity > produced:
            supplies[(product_id, warehouse_id)].append((end or start, quantity - produced))
    data.supplies = dict(supplies)
    for product_id, warehouse_id, required, consumed, start, order_id, number in (
            ProductionOrderComponent.objects.filter(order__status__in=ProductionOrder.OPEN_STATUSES)
            .values_list("product_id", "order__warehouse_id", "required_quantity", "consumed_quantity",
                         "order__planned_start", "order_id", "order__number")):
        if required > consumed:
            data.demands[(product_id, warehouse_id)].append(engine.Demand(
                engine.COMPONENT, required - consumed, start, production_order_id=order_id, reference=number))
    _sales_demands(data, today)
    for product_id, warehouse_id, source, minimum, safety, lead in (
            PlanningParameter.objects.values_list("product_id", "warehouse_id", "source", "minimum_stock",
                                                  "safety_stock", "make_lead_time_days")):
        data.params[(product_id, warehouse_id)] = (source, lead)
        if minimum + safety > 0:
            data.demands[(product_id, warehouse_id)].append(engine.Demand(engine.MINIMUM, minimum + safety, today))
    data.boms = _boms_in_force(today)
    data.prices = _prices(today)
    return data


# --- The run ---------------------------------------------------------------------------------------------------

def run_planning(*, by, today: datetime.date | None = None) -> PlanningRun:
    """Plan every product and warehouse; the open proposals of earlier runs give way to this run's.
    Refuses (400 bom_cycle, field "bom") BOMs that contain themselves."""
    require_permission(by, "planning.add_planningrun")
    today = today or timezone.localdate()
    started = time.monotonic()
    timings = {}
    with transaction.atomic():
        data = read_plan_input(today)
        timings["read"] = time.monotonic() - started
        try:
            result = engine.plan(data)
        except engine.BomCycle as exc:
            skus = ", ".join(Product.objects.filter(pk__in=exc.product_ids[:10]).values_list("sku", flat=True))
            raise BusinessRuleError("bom_cycle", _("These products contain themselves through their BOMs: %(skus)s.")
                                    % {"skus": skus}, field="bom") from None
        timings["plan"] = time.monotonic() - started - timings["read"]
        _drop_open_proposals()
        run = PlanningRun.objects.create(started_at=timezone.now(), started_by=by if by.pk else None, plan_date=today,
                                         products=result.items, demands=result.demands,
                                         proposals=len(result.proposals))
        _store(run, result.proposals)
        timings["write"] = time.monotonic() - started - timings["read"] - timings["plan"]
        run.timings = timings  # seconds per phase, for the bench (not stored)
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save(update_fields=["finished_at", "duration_ms"])
        audit.record(run, "planning.planningrun.completed", by=by,
                     changes={"proposals": run.proposals, "demands": run.demands, "products": run.products})
    return run


def _drop_open_proposals() -> None:
    """The open proposals of earlier runs and their pegging, in three statements (no rows loaded); a confirmed
    proposal's pegging to an open proposed production keeps the demand, without the link."""
    open_ids = PlanningProposal.objects.filter(status=PlanningProposal.Status.OPEN).values("pk")
    PlanningPegging.objects.filter(proposal_id__in=open_ids)._raw_delete(PlanningPegging.objects.db)
    PlanningPegging.objects.filter(parent_id__in=open_ids).update(parent=None)
    stale = PlanningProposal.objects.filter(status=PlanningProposal.Status.OPEN)
    stale._raw_delete(stale.db)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Many rows at once without building model instances: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            for start in range(0, len(rows), BATCH * 5):
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows[start:start + BATCH * 5])


def _store(run: PlanningRun, proposals: list[engine.Proposal]) -> None:
    """Proposals, then their pegging (which names proposals by id: read back in insertion order)."""
    columns = ["run_id", "kind", "status", "product_id", "warehouse_id", "level", "quantity", "net_quantity",
               "need_date", "start_date", "is_late", "supplier_id", "currency", "unit_price", "bom_id"]
    rows = []
    for p in proposals:
        price = p.price
        rows.append((run.pk, p.kind, PlanningProposal.Status.OPEN, p.product_id, p.warehouse_id, p.level,
                     p.quantity, p.net_quantity, p.need_date, p.start_date, p.is_late,
                     price.supplier_id if price else None, price.currency if price else "",
                     price.unit_price if price else None, p.bom.bom_id if p.bom else None))
    _insert(PlanningProposal, columns, rows)
    ids = list(PlanningProposal.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    for proposal, pk in zip(proposals, ids, strict=True):
        proposal.pk = pk
    pegs = []
    for p in proposals:
        for peg in p.pegs:
            demand = peg.demand
            pegs.append((p.pk, demand.kind, peg.quantity, demand.date, demand.sales_line_id,
                         demand.production_order_id, demand.parent.pk if demand.parent is not None else None,
                         demand.reference[:100]))
    _insert(PlanningPegging, ["proposal_id", "kind", "quantity", "need_date", "sales_line_id", "production_order_id",
                              "parent_id", "reference"], pegs)


# --- Confirming proposals --------------------------------------------------------------------------------------

def may_confirm(user, kind: str) -> bool:
    return user.has_perm(CONFIRM_PERMISSION[kind])


def confirm_proposals(proposal_ids, *, by) -> dict:
    """Turn open proposals into draft orders, all or none: purchases grouped into one draft purchase order per
    supplier, warehouse and currency (a line per proposal, expected on its need date), each production proposal
    a draft production order (planned from its start to its need date). Refusals: 400 nothing chosen or a
    purchase without a supplier price (field "proposals"), 403 a kind the user may not confirm, 409 a proposal
    confirmed meanwhile or replaced by a newer run. Returns {"purchase_orders": [...], "production_orders": [...]}."""
    if not (by.has_perm(CONFIRM_PERMISSION["purchase"]) or by.has_perm(CONFIRM_PERMISSION["make"])):
        raise AccessDenied(_("You may not confirm planning proposals."))
    ids = sorted({int(pk) for pk in proposal_ids})
    if not ids:
        raise BusinessRuleError("required", _("Choose at least one proposal."), field="proposals")
    with transaction.atomic():
        locked = list(PlanningProposal.objects.select_for_update(of=("self",))
                      .select_related("product", "warehouse__company", "supplier__counterparty", "bom")
                      .filter(pk__in=ids).order_by("pk"))
        found = {p.pk for p in locked}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ConflictError("replaced", _("Proposals %(ids)s no longer exist: a newer planning run replaced "
                                              "them. Reload the page.") % {"ids": ", ".join(map(str, missing))},
                                field="proposals")
        done = [p for p in locked if p.status != PlanningProposal.Status.OPEN]
        if done:
            raise ConflictError("already_confirmed", _("Proposals %(ids)s are already confirmed.")
                                % {"ids": ", ".join(str(p.pk) for p in done)}, field="proposals")
        for kind in {p.kind for p in locked}:
            require_permission(by, CONFIRM_PERMISSION[kind])
        now = timezone.now()
        purchase_orders, production_orders = [], []
        groups: dict[tuple, list[PlanningProposal]] = defaultdict(list)
        for proposal in locked:
            if proposal.kind == PlanningProposal.Kind.PURCHASE:
                if proposal.supplier_id is None:
                    message = _("%(sku)s has no supplier price: add one in purchasing, then run planning again.")
                    raise BusinessRuleError("no_supplier", message % {"sku": proposal.product.sku},
                                            field="proposals")
                groups[(proposal.supplier_id, proposal.warehouse_id, proposal.currency)].append(proposal)
        today = timezone.localdate()
        for (_supplier, _warehouse, currency), members in sorted(groups.items()):
            first = members[0]
            order = purchasing_services.create_purchase_order(
                supplier=first.supplier, by=by, company=first.warehouse.company, warehouse=first.warehouse,
                order_date=today, expected_date=max(p.need_date for p in members), currency=currency,
                note=_("From the planning run."),
                lines=[{"product": p.product, "quantity": p.quantity, "expected_date": p.need_date}
                       for p in members])
            purchase_orders.append(order)
            for p in members:
                p.purchase_order = order
        for proposal in locked:
            if proposal.kind == PlanningProposal.Kind.MAKE:
                order = production_services.create_production_order(
                    product=proposal.product, quantity=proposal.quantity, by=by, planned_start=proposal.start_date,
                    planned_end=proposal.need_date, bom=proposal.bom, warehouse=proposal.warehouse,
                    company=proposal.warehouse.company, note=_("From the planning run."))
                proposal.production_order = order
                production_orders.append(order)
        for proposal in locked:
            proposal.status = PlanningProposal.Status.CONFIRMED
            proposal.confirmed_at = now
            proposal.confirmed_by = by
            audit.record(proposal, "planning.planningproposal.confirmed", by=by, changes={
                "product": proposal.product.sku, "quantity": str(proposal.quantity.normalize()),
                "order": str(proposal.purchase_order or proposal.production_order)})
        PlanningProposal.objects.bulk_update(locked, ["status", "confirmed_at", "confirmed_by", "purchase_order",
                                                      "production_order"])
    return {"purchase_orders": purchase_orders, "production_orders": production_orders}


# --- Parameters ------------------------------------------------------------------------------------------------

def _quantity(value, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value if value not in (None, "") else 0).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise BusinessRuleError("invalid", _("Enter a number."), field=field) from None
    if not quantity.is_finite() or quantity < 0:
        raise BusinessRuleError("negative", _("Enter zero or more."), field=field)
    limits.check_amount(quantity, field=field)
    return quantity


def set_parameter(*, product, warehouse: Warehouse, by, source: str = PlanningParameter.Source.AUTO,
                  minimum_stock=ZERO, safety_stock=ZERO, make_lead_time_days: int = 1) -> PlanningParameter:
    """Set (create or replace) how planning treats a product in a warehouse."""
    require_permission(by, "planning.change_planningparameter")
    if product is None:
        raise BusinessRuleError("required", _("Choose a product."), field="product")
    if warehouse is None:
        raise BusinessRuleError("required", _("Choose the warehouse."), field="warehouse")
    if source not in PlanningParameter.Source.values:
        raise BusinessRuleError("invalid", _("Choose buy, make or automatic."), field="source")
    minimum = _quantity(minimum_stock, "minimum_stock")
    safety = _quantity(safety_stock, "safety_stock")
    try:
        lead = int(make_lead_time_days)
    except (TypeError, ValueError):
        raise BusinessRuleError("invalid", _("Enter a whole number of days."), field="make_lead_time_days") from None
    if not 0 <= lead <= 3650:
        raise BusinessRuleError("out_of_range", _("Enter between 0 and 3650 days."), field="make_lead_time_days")
    with transaction.atomic():
        parameter = (PlanningParameter.objects.select_for_update().filter(product=product, warehouse=warehouse)
                     .first())
        created = parameter is None
        if created:
            parameter = PlanningParameter(product=product, warehouse=warehouse, created_by=by if by.pk else None)
        old = {"source": parameter.source, "minimum_stock": parameter.minimum_stock,
               "safety_stock": parameter.safety_stock, "make_lead_time_days": parameter.make_lead_time_days}
        parameter.source, parameter.minimum_stock, parameter.safety_stock = source, minimum, safety
        parameter.make_lead_time_days = lead
        if not created:
            parameter.version += 1
        parameter.save()
        new = {"source": source, "minimum_stock": minimum, "safety_stock": safety, "make_lead_time_days": lead}
        changes = ({k: str(v) for k, v in new.items()} if created else
                   {k: [str(old[k]), str(new[k])] for k in new if old[k] != new[k]})
        audit.record(parameter, "planning.planningparameter.created" if created else
                     "planning.planningparameter.changed", by=by, changes=changes)
    return parameter
