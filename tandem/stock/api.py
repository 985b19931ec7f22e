"""REST endpoints of stock under /api/v1/stock/ (thin: parse, resolve ids, check the permission, call one
service or query, return the schema). Every write runs in one service transaction: all of it or nothing."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile

from tandem.catalog.models import Product
from tandem.core.errors import BusinessRuleError
from tandem.core.models import LegalEntity
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id, patch_values
from tandem.core.services import default_legal_entity
from tandem.stock import origins, queries, services
from tandem.stock.models import ExpectedReceipt, Location, Lot, StockCount, StockCountLine, StockMove, Warehouse
from tandem.stock.schemas import (
    AdjustmentIn,
    BalanceFilters,
    BalanceOut,
    ClearIn,
    CountDetailOut,
    CountFilters,
    CountImportOut,
    CountIn,
    CountLineIn,
    CountOut,
    ExpectedReceiptIn,
    ExpectedReceiptOut,
    LocationIn,
    LocationOut,
    LocationPatch,
    LotFilters,
    LotIn,
    LotOut,
    MoveFilters,
    MoveLineIn,
    MoveOut,
    ReceiptIn,
    StockHitOut,
    TransferIn,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)
from tandem.stock.search import find_stock

router = Router(tags=["stock"])
READ = "stock.view_stockmove"
QUANTUM = Decimal("0.0001")
MAX_CSV_BYTES = 2 * 1024 * 1024


def _products() -> QuerySet[Product]:
    return Product.objects.select_related("unit")


def _active_product(product_id: int, field: str) -> Product:
    product = resolve_visible(_products(), product_id, field)
    if product.is_archived:
        raise BusinessRuleError("archived", _("“%(name)s” is archived: restore it before linking to it.")
                                % {"name": product}, field=field)
    return product


def _location(location_id: int, field: str) -> Location:
    return resolve_visible(Location.objects.select_related("warehouse", "warehouse__company"), location_id, field)



def _warehouse_dict(warehouse: Warehouse) -> dict:
    return {**{f: getattr(warehouse, f) for f in ("id", "company_id", "code", "name", "allow_negative",
                                                  "is_archived", "archived_at")},
            "locations": list(warehouse.locations.order_by("code"))}


def _q(value) -> str:
    """A quantity as the API shows it: four decimal places, as stored."""
    return str(Decimal(value).quantize(QUANTUM))


def _move_dict(move: StockMove) -> dict:
    if not hasattr(move, "origin_document"):  # one move alone; lists attach theirs at once (origins.attach)
        origins.attach([move])
    return {
        "id": move.pk, "kind": move.kind, "product_id": move.product_id, "product_sku": move.product.sku,
        "quantity": _q(move.quantity), "from_location_id": move.from_location_id,
        "to_location_id": move.to_location_id,
        "from_warehouse_id": move.from_location.warehouse_id if move.from_location else None,
        "to_warehouse_id": move.to_location.warehouse_id if move.to_location else None,
        "lot_id": move.lot_id, "lot_code": move.lot.code if move.lot else None,
        "effective_date": move.effective_date, "unit_cost": None if move.unit_cost is None else str(move.unit_cost),
        "reason": move.reason, "created_at": move.created_at, "created_by_id": move.created_by_id,
        "origin": move.origin_document,
    }


def _balance_dict(balance) -> dict:
    return {"product_id": balance.product_id, "warehouse_id": balance.warehouse_id, "lot_id": balance.lot_id,
            "lot_code": balance.lot_code, "expiry_date": balance.expiry_date, "on_hand": _q(balance.on_hand),
            "reserved": _q(balance.reserved), "available": _q(balance.available),
            "incoming": _q(balance.incoming)}


def _count_dict(count: StockCount, *, lines: bool = False) -> dict:
    actions = [name for name in ("edit", "post", "cancel") if getattr(count, f"can_{name}")()]
    data = {"id": count.pk, "warehouse_id": count.warehouse_id, "count_date": count.count_date,
            "status": count.status, "note": count.note, "actions": actions}
    if lines:
        data["lines"] = [{"id": line.pk, "product_id": line.product_id, "product_sku": line.product.sku,
                          "location_id": line.location_id, "lot_id": line.lot_id, "counted": _q(line.counted),
                          "on_hand": _q(line.on_hand), "variance": _q(line.variance)}
                         for line in queries.count_lines(count)]
    return data


def _lot(product: Product, lot_id: int | None, field: str) -> Lot | None:
    if lot_id is None:
        return None
    return resolve_visible(Lot.objects.filter(product=product), lot_id, field)


def _lines(lines: list[MoveLineIn]) -> list[services.MoveLine]:
    result = []
    for index, line in enumerate(lines):
        product = _active_product(line.product_id, f"lines.{index}.product_id")
        result.append(services.MoveLine(
            product=product, quantity=line.quantity, lot=_lot(product, line.lot_id, f"lines.{index}.lot_id"),
            unit_cost=line.unit_cost, lot_code=line.lot_code or "", expiry_date=line.expiry_date))
    return result


# --- Warehouses and locations ---------------------------------------------------------------------------------

@router.get("/stock/warehouses", response=list[WarehouseOut], summary="List warehouses with their locations")
def list_warehouses(request, archived: ArchivedFilter = "false"):
    require_permission(request, "stock.view_warehouse")
    qs = Warehouse.objects.in_archive_state(archived).order_by("code").prefetch_related("locations")
    return [_warehouse_dict(w) for w in qs]


@router.post("/stock/warehouses", response={201: WarehouseOut}, summary="Create a warehouse",
             description="Comes with a default location, STOCK.")
def create_warehouse(request, payload: WarehouseIn):
    require_permission(request, "stock.add_warehouse")
    company = (resolve_visible(LegalEntity, payload.company_id, "company_id") if payload.company_id
               else default_legal_entity())
    warehouse = services.create_warehouse(company=company, code=payload.code, name=payload.name,
                                          allow_negative=payload.allow_negative, by=request.user)
    return _warehouse_dict(warehouse)


@router.get("/stock/warehouses/{warehouse_id}", response=WarehouseOut, summary="Get a warehouse")
def get_warehouse(request, warehouse_id: Id):
    require_permission(request, "stock.view_warehouse")
    return _warehouse_dict(resolve_visible(Warehouse, warehouse_id))


@router.patch("/stock/warehouses/{warehouse_id}", response=WarehouseOut, summary="Change a warehouse")
def update_warehouse(request, warehouse_id: Id, payload: WarehousePatch):
    warehouse = resolve_visible(Warehouse, warehouse_id)
    require_permission(request, "stock.change_warehouse")
    return _warehouse_dict(services.update_warehouse(warehouse, by=request.user, **patch_values(payload, Warehouse)))


@router.post("/stock/warehouses/{warehouse_id}/archive", response=WarehouseOut, summary="Archive a warehouse",
             description="Refused (409) while it holds, reserves or expects stock.")
def archive_warehouse(request, warehouse_id: Id):
    warehouse = resolve_visible(Warehouse, warehouse_id)
    require_permission(request, "stock.change_warehouse")
    return _warehouse_dict(services.archive_warehouse(warehouse, by=request.user))


@router.post("/stock/warehouses/{warehouse_id}/restore", response=WarehouseOut, summary="Restore a warehouse")
def restore_warehouse(request, warehouse_id: Id):
    warehouse = resolve_visible(Warehouse, warehouse_id)
    require_permission(request, "stock.change_warehouse")
    return _warehouse_dict(services.restore_warehouse(warehouse, by=request.user))


@router.get("/stock/warehouses/{warehouse_id}/locations", response=list[LocationOut],
            summary="List a warehouse's locations")
def list_locations(request, warehouse_id: Id, archived: ArchivedFilter = "false"):
    require_permission(request, "stock.view_location")
    warehouse = resolve_visible(Warehouse, warehouse_id)
    return list(Location.objects.filter(warehouse=warehouse).in_archive_state(archived).order_by("code"))


@router.post("/stock/warehouses/{warehouse_id}/locations", response={201: LocationOut},
             summary="Create a location (bin) in a warehouse")
def create_location(request, warehouse_id: Id, payload: LocationIn):
    warehouse = resolve_visible(Warehouse, warehouse_id)
    require_permission(request, "stock.add_location")
    return services.create_location(warehouse=warehouse, by=request.user, **payload.dict())


@router.patch("/stock/locations/{location_id}", response=LocationOut, summary="Change a location")
def update_location(request, location_id: Id, payload: LocationPatch):
    location = resolve_visible(Location, location_id)
    require_permission(request, "stock.change_location")
    return services.update_location(location, by=request.user, **patch_values(payload, Location))


@router.post("/stock/locations/{location_id}/archive", response=LocationOut, summary="Archive a location",
             description="Refused while it holds stock or is the warehouse's default.")
def archive_location(request, location_id: Id):
    location = resolve_visible(Location.objects.select_related("warehouse"), location_id)
    require_permission(request, "stock.change_location")
    return services.archive_location(location, by=request.user)


@router.post("/stock/locations/{location_id}/restore", response=LocationOut, summary="Restore a location")
def restore_location(request, location_id: Id):
    location = resolve_visible(Location.objects.select_related("warehouse"), location_id)
    require_permission(request, "stock.change_location")
    return services.restore_location(location, by=request.user)


# --- Moves --------------------------------------------------------------------------------------------------

@router.get("/stock/moves", response=Page[MoveOut], summary="List stock moves",
            description="Newest effective date first. `warehouse_id`/`location_id`: moves in or out of it.")
def list_moves(request, filters: Query[MoveFilters], pagination: Query[PageParams]):
    require_permission(request, READ)
    qs = queries.moves(
        product=resolve_visible(Product, filters.product_id, "product_id") if filters.product_id else None,
        warehouse=resolve_visible(Warehouse, filters.warehouse_id, "warehouse_id") if filters.warehouse_id else None,
        location=resolve_visible(Location, filters.location_id, "location_id") if filters.location_id else None,
        kind=filters.kind, date_from=filters.date_from, date_to=filters.date_to)
    page = paginate(qs, pagination)
    page["items"] = [_move_dict(m) for m in origins.attach(page["items"])]
    return page


@router.post("/stock/receipts", response={201: list[MoveOut]}, summary="Receive goods into a location",
             description="One move per line, all or none; a tracked product needs `lot_id` or `lot_code`.")
def create_receipt(request, payload: ReceiptIn):
    require_permission(request, "stock.add_stockmove")
    to_location = _location(payload.to_location_id, "to_location_id")
    moves = services.record_moves(lines=_lines(payload.lines), kind=StockMove.Kind.RECEIPT, to_location=to_location,
                                  effective_date=payload.effective_date, reason=payload.reason, by=request.user)
    return [_move_dict(m) for m in origins.attach(moves)]


@router.post("/stock/transfers", response={201: list[MoveOut]}, summary="Move goods between locations",
             description="Between bins of a warehouse or between warehouses; all lines or none.")
def create_transfer(request, payload: TransferIn):
    require_permission(request, "stock.add_stockmove")
    from_location = _location(payload.from_location_id, "from_location_id")
    to_location = _location(payload.to_location_id, "to_location_id")
    moves = services.record_moves(lines=_lines(payload.lines), kind=StockMove.Kind.TRANSFER,
                                  from_location=from_location, to_location=to_location,
                                  effective_date=payload.effective_date, reason=payload.reason, by=request.user)
    return [_move_dict(m) for m in origins.attach(moves)]


@router.post("/stock/adjustments", response={201: MoveOut}, summary="Adjust stock in a location, with a reason")
def create_adjustment(request, payload: AdjustmentIn):
    require_permission(request, "stock.add_stockmove")
    product = _active_product(payload.product_id, "product_id")
    move = services.adjust_stock(product=product, location=_location(payload.location_id, "location_id"),
                                 quantity=payload.quantity, reason=payload.reason,
                                 lot=_lot(product, payload.lot_id, "lot_id"), lot_code=payload.lot_code or "",
                                 expiry_date=payload.expiry_date, effective_date=payload.effective_date,
                                 by=request.user)
    return _move_dict(move)


# --- Balances, lots, expected receipts -------------------------------------------------------------------------

@router.get("/stock/balances", response=list[BalanceOut], summary="On hand, reserved, available and incoming",
            description="Per product and warehouse, or per lot with `by_lot=true`; at most 1000 rows.")
def list_balances(request, filters: Query[BalanceFilters]):
    require_permission(request, READ)
    product = resolve_visible(Product, filters.product_id, "product_id") if filters.product_id else None
    warehouse = resolve_visible(Warehouse, filters.warehouse_id, "warehouse_id") if filters.warehouse_id else None
    return [_balance_dict(b) for b in queries.balances(product=product, warehouse=warehouse,
                                                       by_lot=filters.by_lot)]


@router.get("/stock/lots", response=Page[LotOut], summary="List lots and serial numbers")
def list_lots(request, filters: Query[LotFilters], pagination: Query[PageParams]):
    require_permission(request, "stock.view_lot")
    product = resolve_visible(Product, filters.product_id, "product_id") if filters.product_id else None
    return paginate(queries.lots(product=product, text=filters.q), pagination)


@router.post("/stock/lots", response={201: LotOut}, summary="Create a lot or serial number",
             description="An existing code of the product is answered as it is (its empty expiry date filled).")
def create_lot(request, payload: LotIn):
    require_permission(request, "stock.add_lot")
    product = _active_product(payload.product_id, "product_id")
    return services.get_or_create_lot(product=product, code=payload.code, expiry_date=payload.expiry_date,
                                           by=request.user)


@router.get("/stock/expected-receipts", response=Page[ExpectedReceiptOut], summary="List expected receipts")
def list_expected_receipts(request, pagination: Query[PageParams], product_id: Id | None = None,
                           warehouse_id: Id | None = None):
    require_permission(request, READ)
    qs = ExpectedReceipt.objects.order_by("expected_date", "id")
    if product_id:
        qs = qs.filter(product_id=product_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    page = paginate(qs, pagination)
    page["items"] = [{"id": e.pk, "product_id": e.product_id, "warehouse_id": e.warehouse_id,
                      "expected_date": e.expected_date, "quantity": _q(e.quantity), "note": e.note}
                     for e in page["items"]]
    return page


@router.post("/stock/expected-receipts", response={201: ExpectedReceiptOut}, summary="Expect goods on a date",
             description="Raises incoming; sales shows the date for a shortage.")
def create_expected_receipt(request, payload: ExpectedReceiptIn):
    require_permission(request, "stock.add_expectedreceipt")
    expected = services.expect_receipt(
        product=_active_product(payload.product_id, "product_id"),
        warehouse=resolve_visible(Warehouse, payload.warehouse_id, "warehouse_id"),
        quantity=payload.quantity, expected_date=payload.expected_date, note=payload.note, by=request.user)
    return {"id": expected.pk, "product_id": expected.product_id, "warehouse_id": expected.warehouse_id,
                 "expected_date": expected.expected_date, "quantity": _q(expected.quantity), "note": expected.note}


@router.post("/stock/expected-receipts/{expected_id}/clear", response={204: None},
             summary="Clear (part of) an expected receipt", description="The goods came or will not come.")
def clear_expected_receipt(request, expected_id: Id, payload: ClearIn):
    expected = resolve_visible(ExpectedReceipt.objects.select_related("product", "warehouse"), expected_id)
    require_permission(request, "stock.change_expectedreceipt")
    services.clear_expected_receipt(expected, quantity=payload.quantity, by=request.user)
    return None


# --- Counts -------------------------------------------------------------------------------------------------------

def _count(count_id: int) -> StockCount:
    return resolve_visible(StockCount.objects.select_related("warehouse"), count_id)


@router.get("/stock/counts", response=Page[CountOut], summary="List stock counts")
def list_counts(request, filters: Query[CountFilters], pagination: Query[PageParams]):
    require_permission(request, "stock.view_stockcount")
    warehouse = resolve_visible(Warehouse, filters.warehouse_id, "warehouse_id") if filters.warehouse_id else None
    page = paginate(queries.counts(warehouse=warehouse, status=filters.status), pagination)
    page["items"] = [_count_dict(c) for c in page["items"]]
    return page


@router.post("/stock/counts", response={201: CountDetailOut}, summary="Start a stock count")
def create_count(request, payload: CountIn):
    require_permission(request, "stock.add_stockcount")
    warehouse = resolve_visible(Warehouse, payload.warehouse_id, "warehouse_id")
    count = services.create_count(warehouse=warehouse, count_date=payload.count_date, note=payload.note,
                                  by=request.user)
    return _count_dict(count, lines=True)


@router.get("/stock/counts/{count_id}", response=CountDetailOut, summary="Get a stock count with its variances")
def get_count(request, count_id: Id):
    require_permission(request, "stock.view_stockcount")
    return _count_dict(_count(count_id), lines=True)


@router.post("/stock/counts/{count_id}/lines", response=CountDetailOut, summary="Enter a counted quantity",
             description="Sets the line of this product, location and lot (a second entry replaces the first).")
def set_count_line(request, count_id: Id, payload: CountLineIn):
    count = _count(count_id)
    require_permission(request, "stock.change_stockcount")
    product = resolve_visible(_products(), payload.product_id, "product_id")
    location = resolve_visible(Location, payload.location_id, "location_id")
    services.set_count_line(count, product=product, location=location, counted=payload.counted,
                            lot=_lot(product, payload.lot_id, "lot_id"), lot_code=payload.lot_code or "",
                            by=request.user)
    return _count_dict(_count(count_id), lines=True)


@router.delete("/stock/counts/{count_id}/lines/{line_id}", response={204: None},
               summary="Delete a line of a draft stock count",
               description="409 once the count is posted or cancelled; 404 for a line of another count.")
def delete_count_line(request, count_id: Id, line_id: Id):
    count = _count(count_id)
    require_permission(request, "stock.change_stockcount")
    line = resolve_visible(StockCountLine.objects.filter(count=count), line_id)
    services.remove_count_line(line, by=request.user)
    return 204, None


@router.post("/stock/counts/{count_id}/import", response=CountImportOut, summary="Import counted quantities (CSV)",
             description="Columns sku, location, lot, counted (header row; comma or semicolon). All rows or none: "
                         "a bad file answers 400 with `errors` per row.")
def import_count(request, count_id: Id, file: File[UploadedFile] = None):
    count = _count(count_id)
    require_permission(request, "stock.change_stockcount")
    if file is None:
        raise BusinessRuleError("required", _("Attach a CSV file."), field="file")
    if file.size > MAX_CSV_BYTES:
        raise BusinessRuleError("too_large", _("The file is larger than 2 MB."), field="file")
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BusinessRuleError("encoding", _("Save the file as UTF-8."), field="file") from None
    result = services.import_count_csv(count, text, by=request.user)
    return {"lines": result.lines}


@router.post("/stock/counts/{count_id}/post", response=CountDetailOut, summary="Post a stock count",
             description="Each variance becomes an adjustment move dated the count date; 409 unless draft.")
def post_count(request, count_id: Id):
    count = _count(count_id)
    require_permission(request, "stock.change_stockcount")
    return _count_dict(services.post_count(count, by=request.user), lines=True)


@router.post("/stock/counts/{count_id}/cancel", response=CountDetailOut, summary="Cancel a draft stock count")
def cancel_count(request, count_id: Id):
    count = _count(count_id)
    require_permission(request, "stock.change_stockcount")
    return _count_dict(services.cancel_count(count, by=request.user), lines=True)




@router.get("/stock/search", response=list[StockHitOut], summary="Stock of an item: available per warehouse",
            description="Products whose SKU or name contains `q` (ignoring case and accents; at least 2 characters) "
                        "or whose barcode is `q`, "
                        "each with on hand, reserved, available and incoming per warehouse.")
def search_stock(request, q: str = ""):
    require_permission(request, READ)
    hits = []
    for hit in find_stock(q[:100]):
        product = hit["product"]
        hits.append({"product_id": product.pk, "sku": product.sku, "name": product.name,
                     "available": [_balance_dict(b) for b in queries.balances(product=product)]})
    return hits
