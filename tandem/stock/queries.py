"""Reads of stock shared by the UI, the API and the apps above (sales asks `available`, `expected_date`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from tandem.stock.models import (
    ExpectedReceipt,
    Location,
    Lot,
    Reservation,
    StockCount,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseStock,
)

ZERO = Decimal(0)


def available(product, warehouse) -> Decimal:
    """On hand minus reserved of a product in a warehouse: one indexed row read."""
    row = WarehouseStock.objects.filter(product=product, warehouse=warehouse).only("on_hand", "reserved").first()
    return row.available if row else Decimal(0)


def expected_date(product, warehouse, quantity: Decimal | None = None) -> datetime.date | None:
    """The date by which `quantity` more (default: any) of a product is expected in a warehouse, or None.

    Sales shows it for a shortage ("expected on 12 Dec"): the earliest date from which the expected receipts
    add up to the quantity missing."""
    needed = Decimal(quantity) if quantity is not None else None
    total = ZERO
    rows = ExpectedReceipt.objects.filter(product=product, warehouse=warehouse).order_by("expected_date", "id") \
        .values_list("expected_date", "quantity")
    for day, amount in rows:
        total += amount
        if needed is None or total >= needed:
            return day
    return None


def warehouses(*, include_archived: bool = False) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.select_related("company").order_by("code")
    return qs if include_archived else qs.filter(is_archived=False)


def locations(warehouse=None, *, include_archived: bool = False) -> QuerySet[Location]:
    qs = Location.objects.select_related("warehouse").order_by("warehouse__code", "code")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs if include_archived else qs.filter(is_archived=False)


def default_location(warehouse) -> Location | None:
    return Location.objects.filter(warehouse=warehouse, is_default=True).select_related("warehouse").first()


def warehouse_stock(warehouse, *, text: str = "", only_in_stock: bool = False) -> QuerySet[WarehouseStock]:
    """The stock list of a warehouse: one row per product, SKU order (paged 50 at a time by the callers)."""
    qs = WarehouseStock.objects.filter(warehouse=warehouse).select_related("product", "product__unit") \
        .order_by("product__sku", "id")
    if text:
        qs = qs.filter(Q(product__sku__icontains=text) | Q(product__name__icontains=text))
    if only_in_stock:
        qs = qs.filter(~Q(on_hand=0) | ~Q(reserved=0) | ~Q(incoming=0))
    return qs


@dataclass
class Balance:
    product_id: int
    warehouse_id: int
    lot_id: int | None
    lot_code: str
    expiry_date: datetime.date | None
    on_hand: Decimal
    reserved: Decimal
    incoming: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def balances(*, product=None, warehouse=None, by_lot: bool = False, limit: int = 1000) -> list[Balance]:
    """On hand, reserved, available and incoming per product and warehouse, or per product, warehouse and lot
    (incoming is known per warehouse only; lot rows carry 0)."""
    if not by_lot:
        qs = WarehouseStock.objects.order_by("product_id", "warehouse_id")
        if product is not None:
            qs = qs.filter(product=product)
        if warehouse is not None:
            qs = qs.filter(warehouse=warehouse)
        return [Balance(r.product_id, r.warehouse_id, None, "", None, r.on_hand, r.reserved, r.incoming)
                for r in qs[:limit]]
    levels = StockLevel.objects.all()
    held = Reservation.objects.all()
    if product is not None:
        levels, held = levels.filter(product=product), held.filter(product=product)
    if warehouse is not None:
        levels, held = levels.filter(location__warehouse=warehouse), held.filter(warehouse=warehouse)
    on_hand = {(r["product_id"], r["location__warehouse_id"], r["lot_id"]): r["total"]
               for r in levels.values("product_id", "location__warehouse_id", "lot_id")
               .annotate(total=Sum("on_hand"))}
    reserved = {(r["product_id"], r["warehouse_id"], r["lot_id"]): r["total"]
                for r in held.values("product_id", "warehouse_id", "lot_id").annotate(total=Sum("quantity"))}
    keys = sorted(set(on_hand) | set(reserved), key=lambda k: (k[0], k[1], k[2] or 0))[:limit]
    lots = {lot.pk: lot for lot in Lot.objects.filter(pk__in={k[2] for k in keys if k[2]})}
    result = []
    for key in keys:
        lot = lots.get(key[2])
        result.append(Balance(key[0], key[1], key[2], lot.code if lot else "", lot.expiry_date if lot else None,
                              on_hand.get(key, ZERO), reserved.get(key, ZERO), ZERO))
    return result


def product_availability(product) -> list[dict]:
    """Per active warehouse: on hand, reserved, available, incoming and the next expected date of a product
    (the product page's stock panel; the global search's answer to "stock of item X")."""
    rows = {r.warehouse_id: r for r in WarehouseStock.objects.filter(product=product)}
    result = []
    for warehouse in warehouses():
        row = rows.get(warehouse.pk)
        if row is None:
            continue
        result.append({"warehouse": warehouse, "on_hand": row.on_hand, "reserved": row.reserved,
                       "available": row.available, "incoming": row.incoming,
                       "expected_date": expected_date(product, warehouse) if row.incoming else None})
    return result


def availability_for_products(products) -> dict[int, list[dict]]:
    """{product id: [{warehouse, available}]} for a few products in one query (search results)."""
    ids = [p.pk for p in products]
    result: dict[int, list[dict]] = {pk: [] for pk in ids}
    for row in WarehouseStock.objects.filter(product_id__in=ids, warehouse__is_archived=False) \
            .select_related("warehouse").order_by("warehouse__code"):
        result[row.product_id].append({"warehouse": row.warehouse, "on_hand": row.on_hand,
                                       "available": row.available})
    return result


def levels_of(product, warehouse=None) -> QuerySet[StockLevel]:
    """On hand per location and lot (bins of the product page, the transfer form)."""
    qs = StockLevel.objects.filter(product=product).exclude(on_hand=0) \
        .select_related("location", "location__warehouse", "lot").order_by("location__warehouse__code",
                                                                             "location__code", "lot__expiry_date")
    if warehouse is not None:
        qs = qs.filter(location__warehouse=warehouse)
    return qs


def on_hand_at(product, location, lot) -> Decimal:
    value = StockLevel.objects.filter(product=product, location=location, lot=lot).values_list("on_hand", flat=True)
    return value.first() or ZERO


def moves(*, product=None, warehouse=None, location=None, kind: str | None = None,
          date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> QuerySet[StockMove]:
    """Stock moves, newest effective date first, filtered."""
    qs = StockMove.objects.select_related("product", "product__unit", "from_location", "from_location__warehouse",
                                          "to_location", "to_location__warehouse", "lot", "created_by") \
        .order_by("-effective_date", "-id")
    if product is not None:
        qs = qs.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(Q(from_location__warehouse=warehouse) | Q(to_location__warehouse=warehouse))
    if location is not None:
        qs = qs.filter(Q(from_location=location) | Q(to_location=location))
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(effective_date__gte=date_from)
    if date_to:
        qs = qs.filter(effective_date__lte=date_to)
    return qs


def lots(*, product=None, text: str = "", include_expired: bool = True) -> QuerySet[Lot]:
    qs = Lot.objects.select_related("product").order_by("product__sku", "expiry_date", "code")
    if product is not None:
        qs = qs.filter(product=product)
    if text:
        qs = qs.filter(code__icontains=text)
    if not include_expired:
        qs = qs.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=timezone.localdate()))
    return qs


def counts(*, warehouse=None, status: str | None = None) -> QuerySet[StockCount]:
    qs = StockCount.objects.select_related("warehouse").order_by("-count_date", "-id")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if status:
        qs = qs.filter(status=status)
    return qs


def count_lines(count: StockCount) -> list:
    """Lines of a count with the variance: counted − on hand (now for a draft, at posting for a posted one)."""
    lines = list(count.lines.select_related("product", "product__unit", "location", "lot").order_by("id"))
    if count.status == StockCount.Status.DRAFT:
        keys = {(line.product_id, line.location_id, line.lot_id) for line in lines}
        levels = {}
        if keys:
            rows = StockLevel.objects.filter(product_id__in={k[0] for k in keys},
                                             location_id__in={k[1] for k in keys})
            levels = {(r.product_id, r.location_id, r.lot_id): r.on_hand for r in rows}
        for line in lines:
            line.on_hand = levels.get((line.product_id, line.location_id, line.lot_id), ZERO)
    else:
        for line in lines:
            line.on_hand = line.on_hand_at_posting if line.on_hand_at_posting is not None else ZERO
    for line in lines:
        line.variance = line.counted - line.on_hand
    return lines


def sum_of_moves(product, location, lot=None) -> Decimal:
    """On hand recomputed from the moves (the invariant the property tests check against StockLevel)."""
    incoming = StockMove.objects.filter(product=product, to_location=location, lot=lot) \
        .aggregate(total=Sum("quantity"))["total"] or ZERO
    outgoing = StockMove.objects.filter(product=product, from_location=location, lot=lot) \
        .aggregate(total=Sum("quantity"))["total"] or ZERO
    return incoming - outgoing


