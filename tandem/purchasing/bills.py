"""Supplier bills of purchase orders and their three-way match (order, receipts, bill).

A supplier bill is a finance.Invoice (kind supplier bill) made from an order through finance.services with
`origin=` the order and each line's `origin_line` the order line it bills; finance posts it (goods received not
invoiced cleared at the received value, the rest of the net to purchase price variances). Purchasing keeps:

- `bill_order` — a draft of the received-but-not-yet-billed quantities, at the order's prices, with the
  supplier's reference and date; `update_bill` corrects quantities and prices to what the supplier billed;
- the match (`match_bill`): per line the ordered, received, already billed and billed quantities, the order
  and bill prices, and a verdict against the legal entity's tolerances (`PurchasingSettings.bill_*`); stored on
  `BillMatch` with the differences;
- `accept_bill_mismatch` — a person holding purchasing.accept_bill_mismatch accepts the differences (who and
  when stored and audited); `check_before_issue` (registered with finance's pre-issue checks) refuses to issue a
  bill whose differences are not accepted (409 `bill_mismatch` naming the lines) and sets each line's received
  value; `on_invoice_issued` (finance.signals.invoice_issued) recounts `billed_quantity` and moves a received
  order whose receipts are all billed to billed.

Locks: the order (then its lines), then finance's own (the invoice, numbers, ledger)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.modules import enabled_module_keys
from tandem.core.money import quantize
from tandem.core.permissions import require_permission
from tandem.finance import services as finance
from tandem.finance.models import Invoice, InvoiceLine
from tandem.purchasing.models import BillMatch, PurchaseOrder, PurchaseOrderLine
from tandem.purchasing.services import _decimal, _plain, settings_for
from tandem.stock.models import StockMove

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PREPARE = "purchasing.add_billmatch"
ACCEPT = "purchasing.accept_bill_mismatch"
BILLABLE = (PurchaseOrder.Status.PARTLY_RECEIVED, PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.BILLED,
            PurchaseOrder.Status.CLOSED)
ISSUED = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID, Invoice.Status.PAID)


def can_bill(order: PurchaseOrder) -> bool:
    return order.status in BILLABLE


def _line_type() -> ContentType:
    return ContentType.objects.get_for_model(PurchaseOrderLine)


def _order_type() -> ContentType:
    return ContentType.objects.get_for_model(PurchaseOrder)


# --- Reads ------------------------------------------------------------------------------------------------------

def bills_of_order(order: PurchaseOrder) -> QuerySet[Invoice]:
    return (Invoice.objects.filter(kind=Invoice.Kind.SUPPLIER_BILL, origin_type=_order_type(), origin_id=order.pk)
            .exclude(status=Invoice.Status.CANCELLED).order_by("invoice_date", "id"))


def supplier_bills(*, supplier=None, status: str = "", match: str = "", q: str = "") -> QuerySet[Invoice]:
    """Supplier bills (with their match, when made from an order), newest first."""
    qs = (Invoice.objects.filter(kind=Invoice.Kind.SUPPLIER_BILL)
          .select_related("client", "counterparty", "company", "bill_match__order"))
    if supplier is not None:
        qs = qs.filter(counterparty_id=supplier.counterparty_id)
    if status:
        qs = qs.filter(status=status)
    if match:
        qs = qs.filter(bill_match__status=match)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(supplier_reference__icontains=q))
    return qs.order_by("-invoice_date", "-id")


def _billed_on_lines(line_ids, statuses, *, exclude_invoice=None) -> dict[int, Decimal]:
    rows = (InvoiceLine.objects.filter(origin_line_type=_line_type(), origin_line_id__in=list(line_ids),
                                       invoice__kind=Invoice.Kind.SUPPLIER_BILL, invoice__status__in=statuses))
    if exclude_invoice is not None:
        rows = rows.exclude(invoice=exclude_invoice)
    return {row["origin_line_id"]: row["quantity"] for row in
            rows.values("origin_line_id").annotate(quantity=Sum("quantity")).order_by()}


def _credited_on_lines(line_ids) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Per order line: the quantity and received value given back by issued supplier credit notes of its bills."""
    bill_lines = dict(InvoiceLine.objects.filter(origin_line_type=_line_type(), origin_line_id__in=list(line_ids),
                                                 invoice__kind=Invoice.Kind.SUPPLIER_BILL, invoice__status__in=ISSUED)
                      .values_list("pk", "origin_line_id"))
    quantity: dict[int, Decimal] = {}
    value: dict[int, Decimal] = {}
    for row in InvoiceLine.objects.filter(
            origin_line_type=ContentType.objects.get_for_model(InvoiceLine), origin_line_id__in=list(bill_lines),
            invoice__kind=Invoice.Kind.SUPPLIER_CREDIT_NOTE, invoice__status__in=ISSUED).values(
            "origin_line_id", "quantity", "received_value"):
        key = bill_lines[row["origin_line_id"]]
        quantity[key] = quantity.get(key, ZERO) + row["quantity"]
        value[key] = value.get(key, ZERO) + (row["received_value"] or ZERO)
    return quantity, value


def _received_values(order: PurchaseOrder, line_ids) -> dict[int, Decimal]:
    """Per order line: the value its receipts credited to goods received not invoiced (each move's value in the
    base currency, rounded like the stock bridge posts it)."""
    values: dict[int, Decimal] = {}
    base = order.company.base_currency
    for line_id, value in StockMove.objects.filter(
            kind=StockMove.Kind.RECEIPT, origin_type=_line_type(), origin_id__in=list(line_ids)).values_list(
            "origin_id", "value"):
        values[line_id] = values.get(line_id, ZERO) + quantize(value or ZERO, base)
    return values


def _cleared_values(line_ids, *, exclude_invoice=None) -> dict[int, Decimal]:
    rows = InvoiceLine.objects.filter(origin_line_type=_line_type(), origin_line_id__in=list(line_ids),
                                      invoice__kind=Invoice.Kind.SUPPLIER_BILL, invoice__status__in=ISSUED)
    if exclude_invoice is not None:
        rows = rows.exclude(invoice=exclude_invoice)
    return {row["origin_line_id"]: row["value"] or ZERO for row in
            rows.values("origin_line_id").annotate(value=Sum("received_value")).order_by()}


def _goods_are_posted() -> bool:
    """Goods received not invoiced is credited by the stock bridge only when its module is on."""
    return "stock_accounting" in enabled_module_keys()


def received_values_for(order: PurchaseOrder, items, *, exclude_invoice=None) -> list[Decimal | None]:
    """For (order line, quantity) pairs of one bill: the received value each clears from goods received not
    invoiced — the value of the received quantity not billed yet, in proportion, and all of what is left when
    the bill takes the rest (so billing every receipt brings the account back to zero). None: no stock goods."""
    ids = [line.pk for line, _quantity in items]
    received = _received_values(order, ids)
    cleared = _cleared_values(ids, exclude_invoice=exclude_invoice)
    billed = _billed_on_lines(ids, ISSUED, exclude_invoice=exclude_invoice)
    credited_quantity, credited_value = _credited_on_lines(ids)
    posted = _goods_are_posted()
    result = []
    for line, quantity in items:
        if not posted or not line.product.is_stocked:
            result.append(None)
            continue
        left_quantity = line.received_quantity - billed.get(line.pk, ZERO) + credited_quantity.get(line.pk, ZERO)
        left_value = received.get(line.pk, ZERO) - cleared.get(line.pk, ZERO) + credited_value.get(line.pk, ZERO)
        if left_quantity <= 0 or left_value <= 0:
            value = ZERO
        elif quantity >= left_quantity:
            value = left_value
        else:
            value = quantize(left_value * quantity / left_quantity, order.company.base_currency)
        result.append(value)
        if left_quantity > 0:  # two lines of one bill for the same order line share what is left
            billed[line.pk] = billed.get(line.pk, ZERO) + quantity
            cleared[line.pk] = cleared.get(line.pk, ZERO) + value
    return result


@dataclass
class LineMatch:
    """One bill line against its order line and receipts; amounts as strings (stored as JSON)."""

    bill_line: int
    position: int
    description: str
    order_line: int | None = None
    ordered: Decimal = ZERO
    received: Decimal = ZERO
    billed_before: Decimal = ZERO
    billed: Decimal = ZERO
    order_price: Decimal | None = None
    bill_price: Decimal = ZERO
    problems: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "mismatch" if self.problems else "matched"

    def as_json(self) -> dict:
        data = asdict(self)
        return {key: (_plain(value) if isinstance(value, Decimal) else value) for key, value in data.items()}


PROBLEMS = {
    "price_over": lambda: _("bill price above the order price beyond the tolerance"),
    "quantity_over": lambda: _("more billed than received beyond the tolerance"),
    "not_on_order": lambda: _("not on the purchase order"),
}


def problem_label(code: str) -> str:
    return str(PROBLEMS[code]()) if code in PROBLEMS else code


def _net_unit_price(bill: Invoice, line: InvoiceLine) -> Decimal:
    price = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    if bill.prices_include_tax and line.tax_percent:
        price = price * HUNDRED / (HUNDRED + line.tax_percent)
    return price


def match_bill(bill: Invoice, order: PurchaseOrder | None = None) -> list[LineMatch]:
    """The three-way match of a bill, line by line: the bill's net unit price against the order price (both in
    the base currency when the currencies differ) within the price tolerance, and what is billed (this bill and
    the issued ones before) against what is received within the quantity tolerance."""
    order = order or bill.bill_match.order
    tolerances = settings_for(order.company)
    lines = list(bill.lines.order_by("position", "pk"))
    order_lines = {line.pk: line for line in PurchaseOrderLine.objects.filter(order=order).select_related("product")}
    kind = _line_type()
    billed_before = _billed_on_lines(order_lines, ISSUED, exclude_invoice=bill)
    credited, _value = _credited_on_lines(order_lines)
    same_currency = bill.currency == order.currency
    result, on_bill = [], {}
    for line in lines:
        match = LineMatch(bill_line=line.pk, position=line.position, description=line.description,
                          billed=line.quantity, bill_price=_net_unit_price(bill, line).quantize(Decimal("0.000001")))
        order_line = order_lines.get(line.origin_line_id) if line.origin_line_type_id == kind.pk else None
        if order_line is None:
            match.problems.append("not_on_order")
            result.append(match)
            continue
        match.order_line, match.ordered = order_line.pk, order_line.quantity
        match.received = order_line.received_quantity
        match.order_price = order_line.unit_price
        match.billed_before = (billed_before.get(order_line.pk, ZERO) - credited.get(order_line.pk, ZERO)
                               + on_bill.get(order_line.pk, ZERO))
        on_bill[order_line.pk] = on_bill.get(order_line.pk, ZERO) + line.quantity
        order_price, bill_price = match.order_price, match.bill_price
        if not same_currency:
            order_price, bill_price = order_price * order.exchange_rate, bill_price * bill.rate
        if bill_price > order_price * (HUNDRED + tolerances.bill_price_tolerance_percent) / HUNDRED:
            match.problems.append("price_over")
        allowed = order_line.received_quantity * (HUNDRED + tolerances.bill_quantity_tolerance_percent) / HUNDRED
        if match.billed_before + line.quantity > allowed:
            match.problems.append("quantity_over")
        result.append(match)
    return result


def mismatches_of(matches: list[LineMatch]) -> list[dict]:
    """What a person accepts: per line with a problem, its problems and the figures they were seen with."""
    return [{"position": m.position, "order_line": m.order_line, "problems": m.problems,
             "billed": _plain(m.billed), "bill_price": _plain(m.bill_price),
             "received": _plain(m.received), "billed_before": _plain(m.billed_before)}
            for m in matches if m.problems]


def verdict(match_row: BillMatch, mismatches: list[dict]) -> str:
    """Matched, accepted (the same differences a person accepted) or not matching."""
    if not mismatches:
        return BillMatch.Status.MATCHED
    if mismatches == match_row.accepted_mismatches:
        return BillMatch.Status.ACCEPTED
    return BillMatch.Status.MISMATCH


def _store(match_row: BillMatch, matches: list[LineMatch]) -> BillMatch:
    mismatches = mismatches_of(matches)
    status = verdict(match_row, mismatches)
    match_row.mismatches, match_row.status, match_row.checked_at = mismatches, status, timezone.now()
    match_row.save(update_fields=["mismatches", "status", "checked_at", "updated_at"])
    return match_row


def _mismatch_message(mismatches: list[dict]) -> str:
    parts = [_("line %(position)s: %(problems)s") % {
        "position": m["position"], "problems": ", ".join(problem_label(code) for code in m["problems"])}
        for m in mismatches]
    return _("The bill does not match its order and receipts (%(lines)s); someone allowed to must accept the "
             "difference before it is issued.") % {"lines": "; ".join(parts)}


# --- Writes -----------------------------------------------------------------------------------------------------

def _lock_order(order_or_pk) -> PurchaseOrder:
    return (PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("company", "supplier__counterparty__client")
            .get(pk=getattr(order_or_pk, "pk", order_or_pk)))


def _lock_bill(bill: Invoice) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).select_related("company", "client").get(pk=bill.pk)


def billable_quantities(order: PurchaseOrder) -> dict[int, Decimal]:
    """Per order line: received, less billed (issued bills less their credit notes), less what draft bills hold."""
    lines = list(order.lines.all())
    ids = [line.pk for line in lines]
    taken = _billed_on_lines(ids, (*ISSUED, Invoice.Status.DRAFT))
    credited, _value = _credited_on_lines(ids)
    return {line.pk: line.received_quantity - taken.get(line.pk, ZERO) + credited.get(line.pk, ZERO)
            for line in lines}


def bill_order(order: PurchaseOrder, *, by, supplier_reference: str, invoice_date: datetime.date | None = None,
               due_date: datetime.date | None = None, rate=None, expected_version: int | None = None) -> Invoice:
    """A draft supplier bill of what the order received and nobody billed yet (drafts included), at the order's
    prices and taxes, with the supplier's reference and date; its match is checked and stored."""
    require_permission(by, PREPARE)
    reference = (supplier_reference or "").strip()
    if not reference:
        raise BusinessRuleError("required", _("Enter the supplier's invoice number."), field="supplier_reference")
    if len(reference) > 64:
        raise BusinessRuleError("too_long", _("At most 64 characters."), field="supplier_reference")
    invoice_date = invoice_date or timezone.localdate()
    limits.check_date(invoice_date, field="invoice_date")
    limits.check_date(due_date, field="due_date")
    with transaction.atomic():
        locked = _lock_order(order)
        refuse_stale(locked, expected_version)
        if not can_bill(locked):
            raise ConflictError("not_billable", _("Only a purchase order with received goods can be billed."),
                                field="status")
        open_quantities = billable_quantities(locked)
        order_lines = [line for line in locked.lines.select_related("product__unit").order_by("position", "pk")
                       if open_quantities.get(line.pk, ZERO) > 0]
        if not order_lines:
            raise ConflictError("nothing_to_bill", _("Everything received on this order is billed already."),
                                field="lines")
        items = [(line, open_quantities[line.pk]) for line in order_lines]
        values = received_values_for(locked, items)
        supplier = locked.supplier
        lines = [{"product": line.product, "description": line.description or f"{line.product.sku} {line.product.name}",
                  "quantity": quantity, "unit": line.product.unit, "unit_price": line.unit_price,
                  "tax_percent": line.tax_rate, "origin_line": line, "received_value": value}
                 for (line, quantity), value in zip(items, values, strict=True)]
        bill = finance.create_supplier_bill(
            by=by, client=supplier.counterparty.client, counterparty=supplier.counterparty, company=locked.company,
            supplier_reference=reference, invoice_date=invoice_date,
            due_date=due_date or invoice_date + datetime.timedelta(days=supplier.payment_terms_days),
            currency=locked.currency, rate=rate, lines=lines, origin=locked,
            payment_terms=_("%(days)s days") % {"days": supplier.payment_terms_days})
        row = BillMatch.objects.create(invoice=bill, order=locked, created_by=by if getattr(by, "pk", None) else None)
        row = _store(row, match_bill(bill, locked))
        audit.record(locked, "purchasing.purchaseorder.bill_drafted", by=by, changes={
            "supplier_reference": reference, "total": str(bill.total), "_currency": bill.currency,
            "match": row.get_status_display()})
    return bill


BILL_FIELDS = ("supplier_reference", "invoice_date", "due_date")


def update_bill(bill: Invoice, *, by, expected_version: int | None = None, lines=None, **values) -> Invoice:
    """Correct a draft bill to what the supplier billed: its reference and dates, and per line (`lines=[{"position":
    the line's position, "quantity": …, "unit_price": …}]`) the quantity and unit price; the match is checked again (an
    accepted difference stays accepted only if the differences are the same)."""
    require_permission(by, "purchasing.change_billmatch")
    unknown = set(values) - set(BILL_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]},
                                field=sorted(unknown)[0])
    match_row = _match_row(bill)
    with transaction.atomic():
        order = _lock_order(match_row.order_id)
        locked = _lock_bill(bill)
        refuse_stale(locked, expected_version)
        if not locked.can_edit():
            raise ConflictError("not_draft", _("Only a draft bill can be changed."), field="status")
        raw = None
        if lines is not None:
            current = {line.position: line
                       for line in locked.lines.select_related("product", "unit", "tax_rate", "account")}
            changes = {}
            for index, item in enumerate(lines):
                key = item.get("position")
                if key not in current:
                    raise BusinessRuleError("invalid_line", _("Choose a line of this bill."),
                                            field=f"lines.{index}.position")
                changes[key] = (index, item)
            raw, items = [], []
            order_lines = {line.pk: line for line in order.lines.select_related("product")}
            for pk, line in sorted(current.items(), key=lambda kv: (kv[1].position, kv[0])):
                index, item = changes.get(pk, (None, {}))
                quantity = line.quantity if item.get("quantity") in (None, "") else _decimal(
                    item["quantity"], f"lines.{index}.quantity")
                price = line.unit_price if item.get("unit_price") in (None, "") else _decimal(
                    item["unit_price"], f"lines.{index}.unit_price")
                origin = order_lines.get(line.origin_line_id) if line.origin_line_type_id == _line_type().pk \
                    else None
                raw.append({"product": line.product, "description": line.description, "quantity": quantity,
                            "unit": line.unit, "unit_price": price, "discount_percent": line.discount_percent,
                            "tax_rate": line.tax_rate, "account": line.account, "origin_line": origin or None,
                            **({} if line.tax_rate_id else {"tax_percent": line.tax_percent,
                                                             "tax_kind": line.tax_kind})})
                if origin is not None:
                    items.append((len(raw) - 1, origin, quantity))
            for (position, _origin, _q), value in zip(items, received_values_for(
                    order, [(o, q) for _p, o, q in items], exclude_invoice=locked), strict=True):
                raw[position]["received_value"] = value
            for index, item in enumerate(raw):
                if item["quantity"] <= 0:
                    raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."),
                                            field=f"lines.{index}.quantity")
        updated = finance.update_invoice(locked, by=by, lines=raw, **values)
        _store(match_row, match_bill(updated, order))
    return updated


def _match_row(bill: Invoice) -> BillMatch:
    row = BillMatch.objects.filter(invoice_id=bill.pk).select_related("order").first()
    if row is None:
        raise ConflictError("no_order", _("This supplier bill was not made from a purchase order."), field="order")
    return row


def recheck_bill(bill: Invoice) -> BillMatch:
    """Check the match again (receipts or other bills may have changed it) and store it."""
    row = _match_row(bill)
    return _store(row, match_bill(bill, row.order))


def accept_bill_mismatch(bill: Invoice, *, by, note: str = "", expected_version: int | None = None) -> BillMatch:
    """Accept the bill's current differences from its order and receipts (purchasing.accept_bill_mismatch):
    who and when is stored and audited on the order."""
    require_permission(by, ACCEPT)
    with transaction.atomic():
        row = _match_row(bill)
        order = _lock_order(row.order_id)
        locked = _lock_bill(bill)
        refuse_stale(locked, expected_version)
        row = BillMatch.objects.select_for_update().get(pk=row.pk)
        if not locked.can_issue():
            raise ConflictError("not_draft", _("Only a draft bill's differences can be accepted."), field="status")
        matches = match_bill(locked, order)
        mismatches = mismatches_of(matches)
        if not mismatches:
            raise ConflictError("nothing_to_accept", _("The bill matches its order and receipts."), field="status")
        row.accepted_mismatches, row.accepted_by, row.accepted_at = mismatches, by, timezone.now()
        row.accept_note = (note or "").strip()[:300]
        row.save(update_fields=["accepted_mismatches", "accepted_by", "accepted_at", "accept_note", "updated_at"])
        row = _store(row, matches)
        audit.record(order, "purchasing.purchaseorder.bill_difference_accepted", by=by, changes={
            "bill": locked.supplier_reference, "lines": ", ".join(str(m["position"]) for m in mismatches),
            **({"reason": row.accept_note} if row.accept_note else {})})
    return row


def issue_bill(bill: Invoice, *, by, expected_version: int | None = None) -> Invoice:
    """Issue (post) the bill through finance; the match is checked there (`check_before_issue`). The order is
    locked first, like every other write of a bill here."""
    with transaction.atomic():
        row = BillMatch.objects.filter(invoice_id=bill.pk).only("order_id").first()
        if row is not None:
            _lock_order(row.order_id)
        return finance.issue_invoice(bill, by=by, expected_version=expected_version)


# --- Finance hooks (registered in PurchasingConfig.ready) ---------------------------------------------------------

def check_before_issue(invoice: Invoice, lines, *, by) -> None:
    """finance's pre-issue check: a bill made from a purchase order issues only when it matches (or its current
    differences were accepted); each line's received value is set from the receipts as they stand now."""
    if invoice.kind != Invoice.Kind.SUPPLIER_BILL:
        return
    row = BillMatch.objects.filter(invoice_id=invoice.pk).first()
    if row is None:
        return
    order = _lock_order(row.order_id)
    matches = match_bill(invoice, order)
    row = _store(row, matches)
    if row.status == BillMatch.Status.MISMATCH:
        raise ConflictError("bill_mismatch", _mismatch_message(row.mismatches), field="lines",
                            extra={"lines": row.mismatches})
    order_lines = {line.pk: line for line in order.lines.select_related("product")}
    kind = _line_type()
    goods = [(line, order_lines[line.origin_line_id]) for line in lines
             if line.origin_line_type_id == kind.pk and line.origin_line_id in order_lines]
    values = received_values_for(order, [(origin, line.quantity) for line, origin in goods], exclude_invoice=invoice)
    changed = []
    for (line, _origin), value in zip(goods, values, strict=True):
        if line.received_value != value:
            line.received_value = value
            changed.append(line)
    if changed:
        InvoiceLine.objects.bulk_update(changed, ["received_value"])


def recount_billed(order: PurchaseOrder) -> None:
    """billed_quantity of each line: issued bills less their issued credit notes."""
    lines = list(order.lines.all())
    ids = [line.pk for line in lines]
    billed = _billed_on_lines(ids, ISSUED)
    credited, _value = _credited_on_lines(ids)
    for line in lines:
        line.billed_quantity = max(billed.get(line.pk, ZERO) - credited.get(line.pk, ZERO), ZERO)
    PurchaseOrderLine.objects.bulk_update(lines, ["billed_quantity"])


def on_invoice_issued(sender, invoice: Invoice, **kwargs) -> None:
    """finance.signals.invoice_issued: count what is billed; a received order whose receipts are all billed
    becomes billed."""
    bill = invoice.credited_invoice if invoice.kind == Invoice.Kind.SUPPLIER_CREDIT_NOTE else invoice
    if bill is None or bill.kind != Invoice.Kind.SUPPLIER_BILL:
        return
    row = BillMatch.objects.filter(invoice_id=bill.pk).first()
    if row is None:
        return
    order = _lock_order(row.order_id)
    recount_billed(order)
    if order.status == PurchaseOrder.Status.RECEIVED and all(
            line.billed_quantity >= line.received_quantity for line in order.lines.all()):
        workflow.transition(order, PurchaseOrder.Status.BILLED, by=invoice.issued_by, locked=True,
                            data={"bill": bill.number}, also_save=bump_version(order))
