"""Reads of purchasing shared by pages and API: the supplier list and the supplier card (its orders, receipts,
bills, what we owe it and how punctually it delivers).

The card is a fixed number of statements whatever the supplier's history: recent orders, orders per status,
recent receipts (with their order's number by a subquery), the on-time rate (one aggregate), recent bills and
the balance per currency (one grouped statement)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.core.models import AMOUNT, QUANTITY
from tandem.finance.models import Invoice
from tandem.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierProfile
from tandem.stock.models import StockMove

ZERO = Decimal(0)
RECENT_ORDERS = 10
RECENT_RECEIPTS = 20
RECENT_BILLS = 10
ON_TIME_WINDOW_DAYS = 365
BILL_KINDS = (Invoice.Kind.SUPPLIER_BILL, Invoice.Kind.SUPPLIER_CREDIT_NOTE)
OPEN_ORDER_STATUSES = (PurchaseOrder.Status.APPROVED, PurchaseOrder.Status.SENT,
                       PurchaseOrder.Status.PARTLY_RECEIVED)


def suppliers(*, text: str = "", active_only: bool = False) -> QuerySet[SupplierProfile]:
    """Suppliers by name, each with how many of its orders are open (approved, sent, partly received)."""
    qs = SupplierProfile.objects.select_related("counterparty").annotate(
        open_orders=Count("orders", filter=Q(orders__status__in=OPEN_ORDER_STATUSES)))
    if text.strip():
        qs = qs.filter(counterparty__legal_name__icontains=text.strip())
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("counterparty__legal_name", "pk")


def receipt_moves(supplier: SupplierProfile) -> QuerySet[StockMove]:
    """Stock receipt moves whose origin is a line of the supplier's purchase orders (receive_purchase_order)."""
    return StockMove.objects.filter(
        kind=StockMove.Kind.RECEIPT, origin_type=ContentType.objects.get_for_model(PurchaseOrderLine),
        origin_id__in=PurchaseOrderLine.objects.filter(order__supplier=supplier).values("pk"))


def _line_value(name: str):
    return Subquery(PurchaseOrderLine.objects.filter(pk=OuterRef("origin_id")).values(name)[:1])


def _line_due():
    """When the line was expected: its own date, else its order's expected date, else the order date."""
    return Subquery(PurchaseOrderLine.objects.filter(pk=OuterRef("origin_id")).annotate(
        due=Coalesce("expected_date", "order__expected_date", "order__order_date")).values("due")[:1])


@dataclass
class OnTimeRate:
    """Of the quantity the supplier delivered against our orders in [since, until] (receipt moves by their
    effective date), the share received on or before the order line's expected date (the line's date, else the
    order's expected date, else its order date). `rate` is None when nothing was received in the window.
    Quantities of different units are added as they are (the rate is a share of units delivered);
    `deliveries` / `on_time_deliveries` count the receipt moves alike."""

    since: datetime.date
    until: datetime.date
    received: Decimal
    on_time: Decimal
    deliveries: int
    on_time_deliveries: int

    @property
    def rate(self) -> Decimal | None:
        if not self.received:
            return None
        return (self.on_time / self.received).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"))


def on_time_rate(supplier: SupplierProfile, *, since: datetime.date | None = None,
                 until: datetime.date | None = None) -> OnTimeRate:
    """One aggregate over the supplier's receipt moves (see OnTimeRate); default window: the last 365 days."""
    until = until or timezone.localdate()
    since = since or until - datetime.timedelta(days=ON_TIME_WINDOW_DAYS)
    quantity = DecimalField(**QUANTITY)
    row = (receipt_moves(supplier).filter(effective_date__gte=since, effective_date__lte=until)
           .annotate(due=_line_due())
           .aggregate(received=Sum("quantity"),
                      on_time=Sum(Case(When(effective_date__lte=F("due"), then=F("quantity")), default=ZERO,
                                       output_field=quantity)),
                      deliveries=Count("id"),
                      on_time_deliveries=Count("id", filter=Q(effective_date__lte=F("due")))))
    return OnTimeRate(since=since, until=until, received=row["received"] or ZERO, on_time=row["on_time"] or ZERO,
                      deliveries=row["deliveries"] or 0, on_time_deliveries=row["on_time_deliveries"] or 0)


@dataclass
class Balance:
    currency: str
    owed: Decimal  # open amount due of issued bills less open supplier credit notes
    overdue: Decimal
    bills: int


def supplier_bills(supplier: SupplierProfile) -> QuerySet[Invoice]:
    return Invoice.objects.filter(counterparty_id=supplier.counterparty_id, kind__in=BILL_KINDS)


def balance_owed(supplier: SupplierProfile, on: datetime.date | None = None) -> list[Balance]:
    """What we owe the supplier per currency: the open amount due of its issued (or partly paid) bills, its open
    credit notes lowering it (the payable side of finance.receivables), and of that what is overdue at `on`."""
    on = on or timezone.localdate()
    amount = DecimalField(**AMOUNT)
    signed = Case(When(kind=Invoice.Kind.SUPPLIER_CREDIT_NOTE, then=-F("amount_due")), default=F("amount_due"),
                  output_field=amount)
    rows = (supplier_bills(supplier).filter(status__in=Invoice.OPEN_STATUSES).order_by().values("currency")
            .annotate(owed=Sum(signed, output_field=amount),
                      overdue=Sum(Case(When(due_date__lt=on, then=signed), default=ZERO, output_field=amount),
                                  output_field=amount),
                      bills=Count("id"))
            .order_by("currency"))
    return [Balance(row["currency"], row["owed"] or ZERO, row["overdue"] or ZERO, row["bills"]) for row in rows]


@dataclass
class SupplierCard:
    supplier: SupplierProfile
    orders: list[PurchaseOrder]
    order_counts: dict[str, int]
    receipts: list[StockMove]
    on_time: OnTimeRate
    bills: list[Invoice] | None = None  # None: the user may not read bills
    balance: list[Balance] | None = None
    open_orders: int = field(default=0)


def supplier_card(supplier: SupplierProfile, *, user=None, on: datetime.date | None = None) -> SupplierCard:
    """Everything the supplier card shows, in a fixed number of statements. Bills and the balance only for
    users who read invoices (finance.view_invoice)."""
    orders = list(supplier.orders.select_related("warehouse").order_by("-order_date", "-id")[:RECENT_ORDERS])
    for order in orders:
        order.supplier = supplier  # shown with the card's supplier, not read again per order
    counts = dict(supplier.orders.order_by().values_list("status").annotate(n=Count("id")))
    receipts = list(receipt_moves(supplier).select_related("product__unit", "to_location__warehouse", "lot")
                    .annotate(order_id=_line_value("order_id"), order_number=_line_value("order__number"),
                              line_due=_line_due())
                    .order_by("-effective_date", "-id")[:RECENT_RECEIPTS])
    card = SupplierCard(supplier=supplier, orders=orders, order_counts=counts, receipts=receipts,
                        on_time=on_time_rate(supplier, until=on),
                        open_orders=sum(counts.get(status, 0) for status in OPEN_ORDER_STATUSES))
    if user is None or user.has_perm("finance.view_invoice"):
        card.bills = list(supplier_bills(supplier).exclude(status=Invoice.Status.CANCELLED)
                          .order_by("-invoice_date", "-id")[:RECENT_BILLS])
        card.balance = balance_owed(supplier, on)
    return card

