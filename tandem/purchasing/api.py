"""REST endpoints of purchasing under /api/v1/purchasing/ (thin: look up, check the permission, one service)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.catalog.models import Product
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.errors import BusinessRuleError
from tandem.core.models import LegalEntity
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.pdf import pdf_response
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.parties.models import Counterparty
from tandem.purchasing import queries, services
from tandem.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice, SupplierProfile
from tandem.purchasing.pdf import pdf_filename, render_purchase_order_pdf
from tandem.purchasing.schemas import (
    PurchaseConvertIn,
    PurchaseLineIn,
    PurchaseLinePatch,
    PurchaseOrderFilters,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPatch,
    PurchaseOrderSummaryOut,
    PurchaseQuoteIn,
    PurchaseReceiptIn,
    PurchaseStepIn,
    PurchasingSettingsOut,
    PurchasingSettingsPatch,
    PurchasingSupplierCardOut,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
    SupplierPriceIn,
    SupplierPriceOut,
    SupplierPricePatch,
)
from tandem.stock.models import Location, Warehouse

router = Router(tags=["purchasing"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the order since, nothing is written: 409 `stale`.")


# --- Suppliers ------------------------------------------------------------------------------------------------

def _suppliers():
    return SupplierProfile.objects.select_related("counterparty")


@router.get("/suppliers", response=Page[SupplierOut], summary="List suppliers")
def list_suppliers(request, pagination: Query[PageParams]):
    require_permission(request, "purchasing.view_supplierprofile")
    return paginate(_suppliers().order_by("counterparty__legal_name", "pk"), pagination)


@router.post("/suppliers", response={201: SupplierOut}, summary="Make a counterparty a supplier")
def create_supplier(request, payload: SupplierIn):
    require_permission(request, "purchasing.add_supplierprofile")
    values = payload.dict()
    counterparty = resolve_visible(Counterparty.objects.select_related("client"), values.pop("counterparty_id"),
                                   "counterparty_id")
    return 201, services.create_supplier(counterparty=counterparty, by=request.user, **values)


@router.get("/suppliers/{supplier_id}", response=SupplierOut, summary="Get a supplier")
def get_supplier(request, supplier_id: Id):
    require_permission(request, "purchasing.view_supplierprofile")
    return resolve_visible(_suppliers(), supplier_id)


@router.get("/suppliers/{supplier_id}/card", response=PurchasingSupplierCardOut, summary="The supplier card",
            description="Recent orders and receipts, the on-time delivery rate of the last 365 days (quantity "
                        "received on or before the order line's expected date ÷ quantity received), and — for "
                        "users who read invoices — recent bills and the balance owed per currency.")
def get_supplier_card(request, supplier_id: Id):
    require_permission(request, "purchasing.view_supplierprofile")
    supplier = resolve_visible(_suppliers(), supplier_id)
    return queries.supplier_card(supplier, user=request.user)


@router.patch("/suppliers/{supplier_id}", response=SupplierOut, summary="Change a supplier")
def update_supplier(request, supplier_id: Id, payload: SupplierPatch):
    require_permission(request, "purchasing.change_supplierprofile")
    supplier = resolve_visible(_suppliers(), supplier_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "note"}
    if values.get("note") is None and "note" in values:
        values["note"] = ""
    return services.update_supplier(supplier, by=request.user, **values)


# --- Supplier prices ------------------------------------------------------------------------------------------

def _prices():
    return SupplierPrice.objects.select_related("supplier__counterparty", "product")


@router.get("/supplier-prices", response=Page[SupplierPriceOut], summary="List supplier prices")
def list_supplier_prices(request, pagination: Query[PageParams], product_id: Id | None = None,
                         supplier_id: Id | None = None):
    require_permission(request, "purchasing.view_supplierprice")
    qs = _prices()
    if product_id:
        qs = qs.filter(product_id=product_id)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return paginate(qs.order_by("product_id", "-is_preferred", "unit_price", "pk"), pagination)


@router.post("/supplier-prices", response={201: SupplierPriceOut}, summary="Add a supplier price",
             description="`is_preferred`: this supplier becomes the product's preferred one (the previous loses it).")
def create_supplier_price(request, payload: SupplierPriceIn):
    require_permission(request, "purchasing.add_supplierprice")
    values = {key: value for key, value in payload.dict().items() if value is not None or key == "valid_from"}
    supplier = resolve_visible(_suppliers(), values.pop("supplier_id"), "supplier_id")
    product = resolve_visible(Product, values.pop("product_id"), "product_id")
    price = services.add_supplier_price(supplier=supplier, product=product, by=request.user, **values)
    return 201, _prices().get(pk=price.pk)


@router.patch("/supplier-prices/{supplier_price_id}", response=SupplierPriceOut, summary="Change a supplier price")
def update_supplier_price(request, supplier_price_id: Id, payload: SupplierPricePatch):
    require_permission(request, "purchasing.change_supplierprice")
    price = resolve_visible(_prices(), supplier_price_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items()
              if v is not None or k in ("valid_from", "valid_to")}
    services.update_supplier_price(price, by=request.user, **values)
    return _prices().get(pk=price.pk)


@router.delete("/supplier-prices/{supplier_price_id}", response={204: None}, summary="Remove a supplier price")
def delete_supplier_price(request, supplier_price_id: Id):
    require_permission(request, "purchasing.delete_supplierprice")
    services.remove_supplier_price(resolve_visible(_prices(), supplier_price_id), by=request.user)
    return 204, None


# --- Settings of a legal entity -------------------------------------------------------------------------------

def _settings(entity_id: int):
    entity = resolve_visible(LegalEntity, entity_id)
    found = services.settings_for(entity)
    found.company = entity
    return found


@router.get("/settings/{entity_id}", response=PurchasingSettingsOut, summary="Purchasing settings of a legal entity",
            description="The approval threshold and the receipt and bill tolerances; a legal entity that never "
                        "changed them shows the defaults.")
def get_purchasing_settings(request, entity_id: Id):
    require_permission(request, "purchasing.view_purchasingsettings")
    return _settings(entity_id)


@router.patch("/settings/{entity_id}", response=PurchasingSettingsOut,
              summary="Change the purchasing settings of a legal entity",
              description="Send only what changes. Negative, a percentage above 100, or more decimals than the "
                          "base currency has (the threshold) or than 4 (percentages): 400 naming the field; "
                          "nothing is written.")
def update_purchasing_settings(request, entity_id: Id, payload: PurchasingSettingsPatch):
    require_permission(request, "purchasing.change_purchasingsettings")
    entity = resolve_visible(LegalEntity, entity_id)
    values = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    services.update_purchasing_settings(entity, by=request.user, **values)
    return _settings(entity.pk)


# --- Purchase orders ------------------------------------------------------------------------------------------

def _orders():
    return PurchaseOrder.objects.select_related("supplier__counterparty", "warehouse", "company", "approved_by")


def _order(request, order_id: int) -> PurchaseOrder:
    require_permission(request, "purchasing.view_purchaseorder")
    return resolve_visible(_orders(), order_id)


def _out(order, response: HttpResponse):
    fresh = _orders().get(pk=order.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


def _header(values: dict) -> dict:
    for key, name, source in (("supplier_id", "supplier", _suppliers()), ("company_id", "company", LegalEntity),
                              ("warehouse_id", "warehouse", Warehouse)):
        if key in values:
            values[name] = resolve_visible(source, values.pop(key), key)
    if values.get("note", "") is None:
        values["note"] = ""
    if "lines" in values:
        values["lines"] = [_line_values(line, f"lines.{i}.") for i, line in enumerate(values["lines"])]
    return values


def _line_values(values: dict, prefix: str = "") -> dict:
    if "product_id" in values:
        values["product"] = resolve_visible(Product, values.pop("product_id"), f"{prefix}product_id")
    return {key: value for key, value in values.items() if value is not None}


@router.get("/orders", response=Page[PurchaseOrderSummaryOut], summary="List purchase orders")
def list_purchase_orders(request, filters: Query[PurchaseOrderFilters], pagination: Query[PageParams]):
    require_permission(request, "purchasing.view_purchaseorder")
    qs = _orders()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.supplier_id:
        qs = qs.filter(supplier_id=filters.supplier_id)
    if filters.q:
        qs = qs.filter(number__icontains=filters.q)
    return paginate(qs.order_by("-order_date", "-id"), pagination)


@router.post("/orders", response={201: PurchaseOrderOut}, summary="Make a draft purchase order or an RFQ",
             description="Lines without `unit_price` take the supplier's price for the quantity. `as_rfq`: a "
                         "request for quotation (status `rfq`), whose lines may wait for the supplier's price.")
def create_purchase_order(request, payload: PurchaseOrderIn, response: HttpResponse):
    require_permission(request, "purchasing.add_purchaseorder")
    order = services.create_purchase_order(by=request.user, **_header(payload.dict(exclude_unset=True)))
    return 201, _out(order, response)


@router.get("/orders/{purchase_order_id}", response=PurchaseOrderOut, summary="Get a purchase order",
            description="The `ETag` header carries the order's `version`.")
def get_purchase_order(request, purchase_order_id: Id, response: HttpResponse):
    order = _order(request, purchase_order_id)
    response["ETag"] = etag_for(order.version)
    return order


@router.patch("/orders/{purchase_order_id}", response=PurchaseOrderOut, summary="Change a draft purchase order",
              description=_VERSION)
def update_purchase_order(request, purchase_order_id: Id, payload: PurchaseOrderPatch, response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    order = services.update_purchase_order(order, by=request.user, expected_version=seen, **_header(values))
    return _out(order, response)


@router.post("/orders/{purchase_order_id}/lines", response={201: PurchaseOrderOut},
             summary="Add a line to a draft order",
             description=_VERSION)
def add_purchase_order_line(request, purchase_order_id: Id, payload: PurchaseLineIn, response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    services.add_purchase_order_line(order, by=request.user, expected_version=expected_version(request, None),
                                     **_line_values(payload.dict()))
    return 201, _out(order, response)


def _line(order, line_id: int) -> PurchaseOrderLine:
    return resolve_visible(PurchaseOrderLine.objects.filter(order=order).select_related("order", "product"), line_id)


@router.patch("/orders/{purchase_order_id}/lines/{purchase_line_id}", response=PurchaseOrderOut,
              summary="Change a line of a draft order", description=_VERSION)
def update_purchase_order_line(request, purchase_order_id: Id, purchase_line_id: Id, payload: PurchaseLinePatch,
                               response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    values = {k: v for k, v in payload.dict(exclude_unset=True).items()
              if v is not None or k == "expected_date"}
    seen = expected_version(request, values.pop("version", None))
    services.update_purchase_order_line(_line(order, purchase_line_id), by=request.user, expected_version=seen,
                                        **values)
    return _out(order, response)


@router.delete("/orders/{purchase_order_id}/lines/{purchase_line_id}", response=PurchaseOrderOut,
               summary="Remove a line of a draft order", description=_VERSION)
def remove_purchase_order_line(request, purchase_order_id: Id, purchase_line_id: Id, response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    services.remove_purchase_order_line(_line(order, purchase_line_id), by=request.user,
                                        expected_version=expected_version(request, None))
    return _out(order, response)


def _step(request, purchase_order_id, payload, service, perm="purchasing.change_purchaseorder"):
    order = _order(request, purchase_order_id)
    require_permission(request, perm)
    return service(order, by=request.user,
                   expected_version=expected_version(request, payload.version if payload else None))


@router.post("/orders/{purchase_order_id}/quote", response=PurchaseOrderOut,
             summary="Record the supplier's quoted prices of a request for quotation",
             description="Each line's price becomes the quoted one. Not an RFQ: 409 `not_rfq`. " + _VERSION)
def quote_purchase_order(request, purchase_order_id: Id, payload: PurchaseQuoteIn, response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    prices = [(resolve_visible(PurchaseOrderLine.objects.filter(order=order), item.line_id,
                               f"lines.{index}.line_id"), item.unit_price) for index, item in enumerate(payload.lines)]
    services.record_quoted_prices(order, prices=prices, by=request.user,
                                  expected_version=expected_version(request, payload.version))
    return _out(order, response)


@router.post("/orders/{purchase_order_id}/convert", response=PurchaseOrderOut,
             summary="Convert a request for quotation to a draft purchase order",
             description="RFQ → draft. A line still without a price: 400 `awaiting_price` naming "
                         "`lines.<i>.unit_price`. `save_prices`: the quoted prices go to the supplier's price list.")
def convert_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                           payload: PurchaseConvertIn | None = None):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.change_purchaseorder")
    save = bool(payload and payload.save_prices)
    if save:
        require_permission(request, "purchasing.add_supplierprice")
        require_permission(request, "purchasing.change_supplierprice")
    return _out(services.convert_rfq(order, by=request.user, save_prices=save,
                                     expected_version=expected_version(request, payload.version if payload else None)),
                response)


@router.post("/orders/{purchase_order_id}/submit", response=PurchaseOrderOut, summary="Submit a draft purchase order",
             description="Draft → approved, or → awaiting approval (`to_approve`) when the total in our base "
                         "currency reaches the legal entity's approval threshold and the buyer may not approve.")
def submit_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                          payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.submit_purchase_order), response)


@router.post("/orders/{purchase_order_id}/approve", response=PurchaseOrderOut, summary="Approve a purchase order",
             description="Awaiting approval → approved; needs the permission to approve purchase orders.")
def approve_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                           payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.approve_purchase_order,
                      "purchasing.approve_purchaseorder"), response)


@router.post("/orders/{purchase_order_id}/return-to-draft", response=PurchaseOrderOut,
             summary="Send a purchase order awaiting approval back to draft",
             description="Awaiting approval → draft, so the buyer can change it and submit it again; needs the "
                         "permission to approve purchase orders. Not awaiting approval: 409 `invalid_transition`. "
                         + _VERSION)
def return_purchase_order_to_draft(request, purchase_order_id: Id, response: HttpResponse,
                                   payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.reject_purchase_order,
                      "purchasing.approve_purchaseorder"), response)


@router.post("/orders/{purchase_order_id}/send", response=PurchaseOrderOut, summary="Mark a purchase order sent",
             description="Approved → sent; each goods line becomes expected (incoming) in the warehouse.")
def send_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                        payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.send_purchase_order), response)


@router.post("/orders/{purchase_order_id}/cancel", response=PurchaseOrderOut, summary="Cancel a purchase order",
             description="Before any receipt; nothing stays expected.")
def cancel_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                          payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.cancel_purchase_order), response)


@router.post("/orders/{purchase_order_id}/close", response=PurchaseOrderOut, summary="Close a (partly) received order",
             description="What was not delivered is no longer expected.")
def close_purchase_order(request, purchase_order_id: Id, response: HttpResponse,
                         payload: PurchaseStepIn | None = None):
    return _out(_step(request, purchase_order_id, payload, services.close_purchase_order), response)


@router.post("/orders/{purchase_order_id}/receive", response=PurchaseOrderOut, summary="Receive goods of a sent order",
             description="Stock receipt moves at each line's cost (in our base currency); the rest stays expected. "
                         "More than ordered plus the tolerance: 409 `over_receipt` naming `lines.<i>.quantity`. "
                         "Tracked products need `lot`. All lines or none.")
def receive_purchase_order(request, purchase_order_id: Id, payload: PurchaseReceiptIn, response: HttpResponse):
    order = _order(request, purchase_order_id)
    require_permission(request, "purchasing.receive_purchaseorder")
    lines = []
    for index, item in enumerate(payload.lines):
        line = resolve_visible(PurchaseOrderLine.objects.filter(order=order), item.line_id, f"lines.{index}.line_id")
        location = resolve_visible(Location.objects.select_related("warehouse"), item.location_id,
                                   f"lines.{index}.location_id")
        if item.quantity is None:
            raise BusinessRuleError("required", "Enter the received quantity.", field=f"lines.{index}.quantity")
        lines.append(services.ReceiptLine(line, item.quantity, item.lot or None, location))
    order = services.receive_purchase_order(order, lines=lines, date=payload.date, by=request.user,
                                            expected_version=expected_version(request, payload.version))
    return _out(order, response)


@router.get("/orders/{purchase_order_id}/pdf", response={200: None}, summary="The purchase order as PDF",
            description="On our legal entity's letterhead.")
def purchase_order_pdf(request, purchase_order_id: Id):
    order = _order(request, purchase_order_id)
    return pdf_response(render_purchase_order_pdf(order, request=request), pdf_filename(order))


# --- Landed costs (purchasing.landed_cost_api) ------------------------------------------------------------------

from tandem.purchasing.landed_cost_api import router as _landed_cost_router  # noqa: E402

router.add_router("", _landed_cost_router)
# --- Supplier bills and their three-way match: their own router, tandem/purchasing/bill_api.py ----------------------
from tandem.purchasing.bill_api import router as _bills_router  # noqa: E402

router.add_router("", _bills_router)
