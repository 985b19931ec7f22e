"""Landed costs (issue #15): freight, duties, insurance spread over the receipts they concern.

A LandedCost names its receipts — stock receipt moves of purchase order lines, chosen per order (all its
receipts) or one by one — and an allocation method. `allocate_landed_cost` splits the amount over them by the
receipts' value, quantity or weight, to the cent (largest remainder: the parts add up to the amount), and adds
each receipt's share to its value through `stock.valuation.services.add_landed_cost`. Stock's replay does the
rest, as for any back-dated change: goods still on hand carry the higher unit cost, moves that already took from
the receipt (shipments) are revalued, and stock_accounting posts Dr inventory / cost of goods sold, Cr landed
costs to allocate (account subtype landed_cost_clearing) in the open period."""

from __future__ import annotations

import datetime
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.currencies import minor_unit
from tandem.core.errors import BusinessRuleError
from tandem.core.money import NoExchangeRate, exchange_rate, quantize
from tandem.core.permissions import require_permission
from tandem.purchasing.models import LandedCost, LandedCostLine, PurchaseOrder, PurchaseOrderLine, SupplierProfile
from tandem.stock.models import StockMove
from tandem.stock.valuation import services as valuation

ZERO = Decimal(0)
FIELDS = ("kind", "date", "amount", "currency", "supplier", "method", "reference", "note")


# --- Splitting (pure) -------------------------------------------------------------------------------------------

def split(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """`amount` in parts proportional to `weights`, each rounded to the currency's minor unit, adding up to
    `amount` exactly: every part gets its floor, and the cents left go one each to the parts with the largest
    remainders (the earlier part first on a tie). Weights are not negative and at least one is positive."""
    step = Decimal(1).scaleb(-minor_unit(currency))
    units = int((quantize(amount, currency) / step).to_integral_value())
    total = sum(weights, ZERO)
    if total <= 0:
        raise ValueError("weights must add up to more than zero")
    floors, remainders = [], []
    for index, weight in enumerate(weights):
        exact = Decimal(units) * weight / total
        whole = int(exact.to_integral_value(rounding=ROUND_FLOOR))
        floors.append(whole)
        remainders.append((exact - whole, -index))
    left = units - sum(floors)
    for _remainder, negative_index in sorted(remainders, reverse=True)[:left]:
        floors[-negative_index] += 1
    return [Decimal(part) * step for part in floors]


# --- Reads ------------------------------------------------------------------------------------------------------

def purchase_receipts() -> QuerySet[StockMove]:
    """Stock receipt moves of purchase order lines (what a landed cost can concern)."""
    # By the content type's natural key: a lazy queryset (forms build it at import, before any query may run).
    return (StockMove.objects.filter(kind=StockMove.Kind.RECEIPT, origin_type__app_label="purchasing",
                                     origin_type__model="purchaseorderline")
            .select_related("product__unit", "to_location__warehouse"))


def receipts_of(order: PurchaseOrder) -> QuerySet[StockMove]:
    return purchase_receipts().filter(origin_id__in=order.lines.values("pk"))


def order_lines_of(moves) -> dict[int, PurchaseOrderLine]:
    """{move id: its purchase order line (with the order)} in one query."""
    lines = PurchaseOrderLine.objects.select_related("order").in_bulk({move.origin_id for move in moves})
    return {move.pk: lines.get(move.origin_id) for move in moves}


def landed_costs_of(order: PurchaseOrder) -> QuerySet[LandedCost]:
    moves = receipts_of(order).values("pk")
    return (LandedCost.objects.filter(lines__move__in=moves).distinct()
            .select_related("supplier__counterparty", "company"))


# --- Checks -----------------------------------------------------------------------------------------------------

def _amount(value, field: str = "amount") -> Decimal:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field) from None
    if not number.is_finite():
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field)
    if number <= 0:
        raise BusinessRuleError("not_positive", _("Enter an amount above zero."), field=field)
    limits.check_amount(number, field=field)
    return number


def _rate(currency: str, company, on: datetime.date) -> Decimal:
    if currency == company.base_currency:
        return Decimal(1)
    try:
        return exchange_rate(currency, company.base_currency, on)
    except NoExchangeRate as exc:
        raise BusinessRuleError("no_exchange_rate", str(exc), field="currency") from None


def _check_supplier(supplier: SupplierProfile | None) -> None:
    if supplier is not None and (not supplier.is_active or supplier.counterparty.is_archived):
        raise BusinessRuleError("inactive", _("The supplier is not active."), field="supplier")


def _choose_receipts(company, *, orders=(), receipts=()) -> list[StockMove]:
    """The receipt moves of `orders` and the `receipts` named, once each, in id order; refused (naming the field)
    when a move is not a purchase receipt or belongs to another of our legal entities."""
    chosen: dict[int, StockMove] = {}
    for order in orders:
        if order.company_id != company.pk:
            raise BusinessRuleError("foreign_entity", _("Purchase order %(number)s belongs to another of our legal "
                                                        "entities.") % {"number": order.number}, field="orders")
        found = list(receipts_of(order))
        if not found:
            raise BusinessRuleError("no_receipts", _("Nothing of purchase order %(number)s has been received yet.")
                                    % {"number": order.number}, field="orders")
        chosen.update({move.pk: move for move in found})
    allowed = set(purchase_receipts().filter(pk__in=[move.pk for move in receipts]).values_list("pk", flat=True))
    for move in receipts:
        if move.pk not in allowed:
            raise BusinessRuleError("not_a_receipt", _("Stock move #%(move)s is not a receipt of a purchase order.")
                                    % {"move": move.pk}, field="receipts")
        chosen[move.pk] = move
    for move in chosen.values():
        if move.company_id != company.pk:
            raise BusinessRuleError("foreign_entity", _("Receipt #%(move)s belongs to another of our legal entities.")
                                    % {"move": move.pk}, field="receipts")
    return [chosen[pk] for pk in sorted(chosen)]


def _set_receipts(landed_cost: LandedCost, moves: list[StockMove]) -> None:
    have = set(landed_cost.lines.values_list("move_id", flat=True))
    LandedCostLine.objects.bulk_create([LandedCostLine(landed_cost=landed_cost, move=move) for move in moves
                                        if move.pk not in have])


def _default_company():
    from tandem.core.services import default_legal_entity

    return default_legal_entity()


# --- Writes -----------------------------------------------------------------------------------------------------

def create_landed_cost(*, by, amount, company=None, kind: str = LandedCost.Kind.FREIGHT,
                       date: datetime.date | None = None, currency: str = "", supplier: SupplierProfile | None = None,
                       method: str = LandedCost.Method.VALUE, reference: str = "", note: str = "", orders=(),
                       receipts=()) -> LandedCost:
    """A draft landed cost for the receipts of `orders` and the receipt moves in `receipts` (at least one)."""
    require_permission(by, "purchasing.add_landedcost")
    company = company or _default_company()
    date = date or timezone.localdate()
    limits.check_date(date, field="date")
    amount = _amount(amount)
    if kind not in LandedCost.Kind.values:
        raise BusinessRuleError("invalid_choice", _("Choose a kind."), field="kind")
    if method not in LandedCost.Method.values:
        raise BusinessRuleError("invalid_choice", _("Choose how to allocate."), field="method")
    _check_supplier(supplier)
    currency = (currency or (supplier.currency if supplier else "") or company.base_currency).upper()
    rate = _rate(currency, company, date)
    moves = _choose_receipts(company, orders=orders, receipts=receipts)
    if not moves:
        raise BusinessRuleError("no_receipts", _("Choose the receipts (or purchase orders) the cost concerns."),
                                field="receipts")
    with transaction.atomic():
        landed_cost = LandedCost.objects.create(
            company=company, kind=kind, date=date, amount=amount, currency=currency, exchange_rate=rate,
            base_amount=quantize(amount * rate, company.base_currency), supplier=supplier, method=method,
            reference=(reference or "").strip(), note=(note or "").strip(), created_by=by)
        landed_cost.number = f"LC-{date.year}-{landed_cost.pk:05d}"
        landed_cost.save(update_fields=["number"])
        _set_receipts(landed_cost, moves)
        audit.record(landed_cost, "purchasing.landedcost.created", by=by, changes={
            **audit.snapshot(landed_cost, ["number", "kind", "amount", "currency", "method", "supplier"]),
            "receipts": [move.pk for move in moves]})
    return landed_cost


def _lock(landed_cost: LandedCost) -> LandedCost:
    return (LandedCost.objects.select_for_update(of=("self",)).select_related("company", "supplier__counterparty")
            .get(pk=landed_cost.pk))


def _draft(landed_cost: LandedCost, expected_version) -> LandedCost:
    locked = _lock(landed_cost)
    refuse_stale(locked, expected_version)
    if not locked.can_edit():
        raise BusinessRuleError("not_draft", _("Only a draft landed cost can be changed."), field="status")
    return locked


def update_landed_cost(landed_cost: LandedCost, *, by, expected_version: int | None = None, orders=(),
                       receipts=None, **values) -> LandedCost:
    """Change a draft: its fields, and its receipts — `receipts` (a list) replaces the receipts named one by one,
    `orders` adds the receipts of those orders. 409 "stale" when someone changed it since `expected_version`."""
    require_permission(by, "purchasing.change_landedcost")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field."), field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _draft(landed_cost, expected_version)
        changes = {}
        if "amount" in values:
            values["amount"] = _amount(values["amount"])
        if "date" in values:
            values["date"] = values["date"] or locked.date
            limits.check_date(values["date"], field="date")
        if "kind" in values and values["kind"] not in LandedCost.Kind.values:
            raise BusinessRuleError("invalid_choice", _("Choose a kind."), field="kind")
        if "method" in values and values["method"] not in LandedCost.Method.values:
            raise BusinessRuleError("invalid_choice", _("Choose how to allocate."), field="method")
        if "supplier" in values:
            _check_supplier(values["supplier"])
        if "currency" in values:
            values["currency"] = (values["currency"] or locked.company.base_currency).upper()
        for name in ("reference", "note"):
            if name in values:
                values[name] = (values[name] or "").strip()
        for name, value in values.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = [str(old) if old is not None else None, str(value) if value is not None else None]
                setattr(locked, name, value)
        locked.exchange_rate = _rate(locked.currency, locked.company, locked.date)
        locked.base_amount = quantize(locked.amount * locked.exchange_rate, locked.company.base_currency)
        if receipts is not None or orders:
            keep = [] if receipts is None else list(receipts)
            if receipts is None:
                keep = list(StockMove.objects.filter(pk__in=locked.lines.values("move_id")))
            moves = _choose_receipts(locked.company, orders=orders, receipts=keep)
            if not moves:
                raise BusinessRuleError("no_receipts", _("Choose the receipts (or purchase orders) the cost "
                                                         "concerns."), field="receipts")
            before = set(locked.lines.values_list("move_id", flat=True))
            locked.lines.exclude(move_id__in=[move.pk for move in moves]).delete()
            _set_receipts(locked, moves)
            after = {move.pk for move in moves}
            if before != after:
                changes["receipts"] = [sorted(before), sorted(after)]
        locked.save(update_fields=[*values, "exchange_rate", "base_amount", "updated_at", *bump_version(locked)])
        if changes:
            audit.record(locked, "purchasing.landedcost.changed", by=by, changes=changes)
    return locked


def remove_receipt(landed_cost: LandedCost, move_id: int, *, by, expected_version: int | None = None) -> LandedCost:
    """Take one receipt off a draft (at least one stays)."""
    require_permission(by, "purchasing.change_landedcost")
    with transaction.atomic():
        locked = _draft(landed_cost, expected_version)
        lines = locked.lines.all()
        if not lines.filter(move_id=move_id).exists():
            raise BusinessRuleError("not_found", _("That receipt is not part of this landed cost."), field="receipts")
        if lines.count() == 1:
            raise BusinessRuleError("no_receipts", _("A landed cost concerns at least one receipt."),
                                    field="receipts")
        lines.filter(move_id=move_id).delete()
        locked.save(update_fields=["updated_at", *bump_version(locked)])
        audit.record(locked, "purchasing.landedcost.changed", by=by, changes={"receipts": [[move_id], []]})
    return locked


def _measures(landed_cost: LandedCost, lines: list[LandedCostLine]) -> list[Decimal]:
    method = landed_cost.method
    if method == LandedCost.Method.WEIGHT:
        missing = sorted({line.move.product.sku for line in lines if line.move.product.weight is None})
        if missing:
            raise BusinessRuleError(
                "weight_missing", _("Allocation by weight needs the weight of every product; missing for %(skus)s. "
                                    "Enter it on the product or allocate by value or quantity.")
                % {"skus": ", ".join(missing)}, field="method")
        measures = [line.move.quantity * line.move.product.weight for line in lines]
    elif method == LandedCost.Method.QUANTITY:
        measures = [line.move.quantity for line in lines]
    else:
        measures = [line.move.value or ZERO for line in lines]
    if sum(measures, ZERO) <= 0:
        raise BusinessRuleError("nothing_to_split", _("The receipts have no %(measure)s to allocate by.")
                                % {"measure": landed_cost.get_method_display().lower()}, field="method")
    return measures


def allocate_landed_cost(landed_cost: LandedCost, *, by, expected_version: int | None = None) -> LandedCost:
    """Split the amount over the receipts and add each share to its receipt's value (stock's valuation revalues
    what followed; the ledger posts against the landed-cost clearing account). All or nothing."""
    require_permission(by, "purchasing.allocate_landedcost")
    with transaction.atomic():
        locked = _lock(landed_cost)
        refuse_stale(locked, expected_version)
        if not locked.can_allocate():
            raise BusinessRuleError("not_draft", _("Only a draft landed cost can be allocated."), field="status")
        lines = list(locked.lines.select_related("move__product", "move__to_location__warehouse")
                     .order_by("move__product_id", "move_id"))
        if not lines:
            raise BusinessRuleError("no_receipts", _("Choose the receipts (or purchase orders) the cost concerns."),
                                    field="receipts")
        for line in lines:
            if line.move.company_id != locked.company_id:
                raise BusinessRuleError("foreign_entity", _("Receipt #%(move)s belongs to another of our legal "
                                                            "entities.") % {"move": line.move_id}, field="receipts")
        # The rate of the date, as when it was entered (a rate recorded since is taken).
        locked.exchange_rate = _rate(locked.currency, locked.company, locked.date)
        locked.base_amount = quantize(locked.amount * locked.exchange_rate, locked.company.base_currency)
        measures = _measures(locked, lines)
        parts = split(locked.amount, measures, locked.currency)
        base_parts = split(locked.base_amount, measures, locked.company.base_currency)
        reason = f"{locked.number} {locked.get_kind_display()}"
        for line, measure, part, base_part in zip(lines, measures, parts, base_parts, strict=True):
            line.basis, line.amount, line.base_amount = measure, part, base_part
            line.unit_cost_before = line.move.unit_cost
            if base_part:
                correction = valuation.add_landed_cost(line.move, amount=base_part, effective_date=locked.date,
                                                       reason=reason, by=by)
                line.correction = correction
                line.unit_cost_before, line.unit_cost_after = correction.old_unit_cost, correction.new_unit_cost
            else:
                line.unit_cost_after = line.unit_cost_before
        LandedCostLine.objects.bulk_update(lines, ["basis", "amount", "base_amount", "unit_cost_before",
                                                   "unit_cost_after", "correction"])
        locked.allocated_at = timezone.now()
        locked.version += 1
        workflow.transition(locked, LandedCost.Status.ALLOCATED, by=by, locked=True,
                            data={"base_amount": str(locked.base_amount)},
                            also_save=["allocated_at", "exchange_rate", "base_amount", "version"])
    return locked


def cancel_landed_cost(landed_cost: LandedCost, *, by, expected_version: int | None = None) -> LandedCost:
    """A draft that will not be allocated (an allocated one changed stock values: it stays)."""
    require_permission(by, "purchasing.change_landedcost")
    with transaction.atomic():
        locked = _lock(landed_cost)
        refuse_stale(locked, expected_version)
        locked.version += 1
        workflow.transition(locked, LandedCost.Status.CANCELLED, by=by, locked=True, also_save=["version"])
    return locked
