"""Stock pages: warehouses (settings) with their locations, the stock list per warehouse, moves, the forms
for receipts, transfers and adjustments, stock counts. Thin: parse, call one service or query, render."""

from __future__ import annotations

import dataclasses
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.errors import BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import parent_id, render_child_options, render_options
from tandem.core.services import default_legal_entity
from tandem.stock import origins, queries, services
from tandem.stock import pickers as stock_pickers
from tandem.stock.forms import (
    AdjustmentForm,
    CountForm,
    CountImportForm,
    CountLineForm,
    LocationForm,
    MoveFilterForm,
    ReceiptForm,
    StockFilterForm,
    TransferForm,
    WarehouseForm,
)
from tandem.stock.models import Location, StockCount, StockCountLine, StockMove, Warehouse
from tandem.stock.pickers import LOCATION_PICKER, LOT_PICKER, PRODUCT_PICKER, stocked_products

STOCK_PER_PAGE = 50
MOVES_PER_PAGE = 50


# --- Warehouses and locations (settings) ---------------------------------------------------------------------

@login_required
@permission_required("stock.view_warehouse", raise_exception=True)
@require_http_methods(["GET", "POST"])
def warehouse_list(request):
    """Warehouses with their locations; an administrator adds one from the same page."""
    show_all = request.GET.get("archived") == "all"
    form = WarehouseForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("stock.add_warehouse"):
            raise PermissionDenied
        if form.is_valid():
            warehouse = call_service(form, services.create_warehouse, company=default_legal_entity(),
                                     by=request.user, **form.cleaned_data)
            if warehouse is not None:
                messages.success(request, _("Warehouse %(warehouse)s created.") % {"warehouse": warehouse})
                return redirect("stock:warehouse-edit", pk=warehouse.pk)
    rows = queries.warehouses(include_archived=show_all).prefetch_related("locations")
    return render(request, "stock/warehouse_list.html", {"warehouses": rows, "form": form, "show_all": show_all},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("stock.change_warehouse", raise_exception=True)
@require_http_methods(["GET", "POST"])
def warehouse_edit(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = WarehouseForm(request.POST or None, instance=Warehouse.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, services.update_warehouse, warehouse, by=request.user, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("stock:warehouse-edit", pk=pk)
    return _warehouse_page(request, warehouse, form, LocationForm(), status=400 if form.errors else 200)


def _warehouse_page(request, warehouse, form, location_form, status=200):
    locations = Location.objects.filter(warehouse=warehouse).order_by("is_archived", "code")
    return render(request, "stock/warehouse_form.html", {"warehouse": warehouse, "form": form,
                                                         "location_form": location_form, "locations": locations},
                  status=status)


@login_required
@permission_required("stock.add_location", raise_exception=True)
@require_POST
def location_add(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = LocationForm(request.POST)
    if form.is_valid() and call_service(form, services.create_location, warehouse=warehouse, by=request.user,
                                        **form.cleaned_data) is not None:
        return redirect(f"{reverse('stock:warehouse-edit', args=[pk])}#locations")
    return _warehouse_page(request, warehouse, WarehouseForm(instance=warehouse), form, status=400)


@login_required
@permission_required("stock.change_location", raise_exception=True)
@require_http_methods(["GET", "POST"])
def location_edit(request, pk: int):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    form = LocationForm(request.POST or None, instance=Location.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_location, location, by=request.user, **form.cleaned_data):
            return redirect(f"{reverse('stock:warehouse-edit', args=[location.warehouse_id])}#locations")
    return render(request, "stock/location_form.html", {"location": location, "form": form},
                  status=400 if form.errors else 200)


def _archive_action(request, service, obj, target):
    try:
        service(obj, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect(target)


@login_required
@permission_required("stock.change_warehouse", raise_exception=True)
@require_POST
def warehouse_archive(request, pk: int):
    return _archive_action(request, services.archive_warehouse, get_object_or_404(Warehouse, pk=pk),
                           "stock:warehouse-list")


@login_required
@permission_required("stock.change_warehouse", raise_exception=True)
@require_POST
def warehouse_restore(request, pk: int):
    return _archive_action(request, services.restore_warehouse, get_object_or_404(Warehouse, pk=pk),
                           "stock:warehouse-list")


@login_required
@permission_required("stock.change_location", raise_exception=True)
@require_POST
def location_archive(request, pk: int):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    return _archive_action(request, services.archive_location, location,
                           reverse("stock:warehouse-edit", args=[location.warehouse_id]))


@login_required
@permission_required("stock.change_location", raise_exception=True)
@require_POST
def location_restore(request, pk: int):
    location = get_object_or_404(Location.objects.select_related("warehouse"), pk=pk)
    return _archive_action(request, services.restore_location, location,
                           reverse("stock:warehouse-edit", args=[location.warehouse_id]))


# --- Stock list and moves -------------------------------------------------------------------------------------

@login_required
@permission_required("stock.view_stockmove", raise_exception=True)
def stock_list(request):
    """One warehouse's stock, 50 products a page: on hand, reserved, available, incoming."""
    data = request.GET.copy()
    first = queries.warehouses().first()
    if not data.get("warehouse") and first is not None:
        data["warehouse"] = str(first.pk)
    form = StockFilterForm(data)
    warehouse = form.cleaned_data.get("warehouse") if form.is_valid() else first
    page = None
    if warehouse is not None:
        qs = queries.warehouse_stock(warehouse, text=form.cleaned_data.get("q", "") if form.is_valid() else "",
                                     only_in_stock=form.is_valid() and form.cleaned_data.get("in_stock"))
        page = Paginator(qs, STOCK_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stock/stock_list.html", {"form": form, "warehouse": warehouse, "page_obj": page,
                                                     "rows": page.object_list if page else []})


@login_required
@permission_required("stock.view_stockmove", raise_exception=True)
def move_list(request):
    form = MoveFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.moves(product=filters.get("product"), warehouse=filters.get("warehouse"),
                       kind=filters.get("kind") or None, date_from=filters.get("date_from"),
                       date_to=filters.get("date_to"))
    page = DeferredJoinPaginator(qs, MOVES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stock/move_list.html", {"form": form, "page_obj": page,
                                                    "moves": origins.attach(page.object_list)})


def _move_form_page(request, form_class, title, perform):
    warehouse = queries.warehouses().first()
    default = queries.default_location(warehouse) if warehouse is not None else None
    form = form_class(request.POST or None, initial={"warehouse": warehouse, "to_location": default,
                                                     "location": default})
    if request.method == "POST" and form.is_valid():
        move = call_service(form, perform, form.cleaned_data)
        if move is not None:
            messages.success(request, _("%(kind)s of %(quantity)s × %(product)s recorded.") % {
                "kind": move.get_kind_display(), "quantity": format(move.quantity.normalize(), "f"),
                "product": move.product.sku})
            warehouse = (move.to_location or move.from_location).warehouse_id
            return redirect(f"{reverse('stock:stock-list')}?warehouse={warehouse}")
    return render(request, "stock/move_form.html", {"form": form, "title": title},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("stock.add_stockmove", raise_exception=True)
@require_http_methods(["GET", "POST"])
def receipt_new(request):
    def perform(data):
        line = services.MoveLine(product=data["product"], quantity=data["quantity"], unit_cost=data.get("unit_cost"),
                                 lot=data.get("lot"), lot_code=data.get("lot_code") or "",
                                 expiry_date=data.get("expiry_date"))
        return services.record_moves(lines=[line], kind=StockMove.Kind.RECEIPT, to_location=data["to_location"],
                                     effective_date=data.get("effective_date"), reason=data.get("reason", ""),
                                     by=request.user)[0]

    return _move_form_page(request, ReceiptForm, _("Receive goods"), perform)


@login_required
@permission_required("stock.add_stockmove", raise_exception=True)
@require_http_methods(["GET", "POST"])
def transfer_new(request):
    def perform(data):
        line = services.MoveLine(product=data["product"], quantity=data["quantity"], lot=data.get("lot"))
        return services.record_moves(lines=[line], kind=StockMove.Kind.TRANSFER,
                                     from_location=data["from_location"], to_location=data["to_location"],
                                     effective_date=data.get("effective_date"), reason=data.get("reason", ""),
                                     by=request.user)[0]

    return _move_form_page(request, TransferForm, _("Transfer stock"), perform)


@login_required
@permission_required("stock.add_stockmove", raise_exception=True)
@require_http_methods(["GET", "POST"])
def adjustment_new(request):
    def perform(data):
        return services.adjust_stock(product=data["product"], location=data["location"], quantity=data["quantity"],
                                     reason=data["reason"], lot=data.get("lot"), lot_code=data.get("lot_code") or "",
                                     effective_date=data.get("effective_date"), by=request.user)

    return _move_form_page(request, AdjustmentForm, _("Adjust stock"), perform)


@login_required
@permission_required("stock.view_stockmove", raise_exception=True)
@fragment
def product_picker(request):
    return render_options(request, PRODUCT_PICKER, stocked_products())


@login_required
@permission_required("stock.view_location", raise_exception=True)
@fragment
def location_picker(request):
    """Options of a location picker: the warehouse's locations (?warehouse=), or all active ones."""
    return render_child_options(request, LOCATION_PICKER, Location.objects.filter(is_archived=False)
                                .select_related("warehouse"), ordering=("code",))


@login_required
@permission_required("stock.view_stockmove", raise_exception=True)
@fragment
def lot_picker(request):
    """Options of a lot picker: the product's lots (?product=), earliest expiry first, each with what is
    available in the warehouse (?warehouse=) or in all. ?shippable=1 (the shipment form): only lots with stock
    in that warehouse that have not expired."""
    warehouse_id = parent_id(request, LOCATION_PICKER)
    product_id = parent_id(request, LOT_PICKER)
    queryset = stock_pickers.lots()
    if request.GET.get("shippable") and product_id and warehouse_id:
        queryset = stock_pickers.shippable_lots(product_id, warehouse_id)
    source = dataclasses.replace(LOT_PICKER, describe=functools.partial(stock_pickers.describe_lots,
                                                                        warehouse_id=warehouse_id))
    return render_child_options(request, source, queryset, ordering=("expiry_date", "code", "id"))


# --- Stock counts -------------------------------------------------------------------------------------------

@login_required
@permission_required("stock.view_stockcount", raise_exception=True)
def count_list(request):
    page = Paginator(queries.counts(), 50).get_page(request.GET.get("page"))
    return render(request, "stock/count_list.html", {"page_obj": page, "counts": page.object_list})


@login_required
@permission_required("stock.add_stockcount", raise_exception=True)
@require_http_methods(["GET", "POST"])
def count_new(request):
    form = CountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = call_service(form, services.create_count, by=request.user, **form.cleaned_data)
        if count is not None:
            return redirect("stock:count-detail", pk=count.pk)
    return render(request, "stock/count_form.html", {"form": form}, status=400 if form.errors else 200)


def _count_page(request, count, line_form=None, import_form=None, status=200):
    return render(request, "stock/count_detail.html", {
        "count": count, "lines": queries.count_lines(count),
        "line_form": line_form or CountLineForm(warehouse=count.warehouse),
        "import_form": import_form or CountImportForm()}, status=status)


@login_required
@permission_required("stock.view_stockcount", raise_exception=True)
def count_detail(request, pk: int):
    return _count_page(request, get_object_or_404(StockCount.objects.select_related("warehouse"), pk=pk))


@login_required
@permission_required("stock.change_stockcount", raise_exception=True)
@require_POST
def count_line_add(request, pk: int):
    count = get_object_or_404(StockCount.objects.select_related("warehouse"), pk=pk)
    form = CountLineForm(request.POST, warehouse=count.warehouse)
    if form.is_valid():
        data = form.cleaned_data
        if call_service(form, services.set_count_line, count, product=data["product"], location=data["location"],
                        counted=data["counted"], lot=data.get("lot"), lot_code=data.get("lot_code") or "",
                        by=request.user):
            return redirect(f"{reverse('stock:count-detail', args=[pk])}#lines")
    return _count_page(request, count, line_form=form, status=400)


@login_required
@permission_required("stock.change_stockcount", raise_exception=True)
@require_POST
def count_line_delete(request, pk: int, line_id: int):
    """Delete a line of a draft count; once posted or cancelled the page says why not (409)."""
    count = get_object_or_404(StockCount.objects.select_related("warehouse"), pk=pk)
    line = get_object_or_404(StockCountLine, pk=line_id, count=count)
    try:
        services.remove_count_line(line, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return _count_page(request, count, status=exc.status_code)
    messages.success(request, _("Line deleted."))
    return redirect(f"{reverse('stock:count-detail', args=[pk])}#lines")


@login_required
@permission_required("stock.change_stockcount", raise_exception=True)
@require_POST
def count_import(request, pk: int):
    count = get_object_or_404(StockCount.objects.select_related("warehouse"), pk=pk)
    form = CountImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > 2 * 1024 * 1024:
                raise BusinessRuleError("too_large", _("The file is larger than 2 MB."), field="file")
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as UTF-8."))
        except BusinessRuleError as exc:
            form.add_error("file", exc.message)
        else:
            try:
                result = services.import_count_csv(count, text, by=request.user)
            except BusinessRuleError as exc:
                form.add_error("file", exc.message)
                for row in exc.extra.get("errors", []):
                    form.add_error("file", _("Row %(row)s, %(field)s: %(message)s") % row)
            else:
                messages.success(request, _("%(count)s lines imported.") % {"count": result.lines})
                return redirect("stock:count-detail", pk=pk)
    return _count_page(request, count, import_form=form, status=400)


@login_required
@permission_required("stock.change_stockcount", raise_exception=True)
@require_POST
def count_post(request, pk: int):
    count = get_object_or_404(StockCount, pk=pk)
    try:
        services.post_count(count, by=request.user)
        messages.success(request, _("Stock count posted: the differences are adjusted."))
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect("stock:count-detail", pk=pk)


@login_required
@permission_required("stock.change_stockcount", raise_exception=True)
@require_POST
def count_cancel(request, pk: int):
    count = get_object_or_404(StockCount, pk=pk)
    try:
        services.cancel_count(count, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return redirect("stock:count-detail", pk=pk)


# --- Panels other pages show (wired through registries, never imported by lower apps) ---------------------------

def product_stock_panel(request, product) -> str:
    """The product page's stock panel: per warehouse on hand, reserved, available, incoming; bins and lots;
    the last moves. The catalog's product page shows it through its panel registry."""
    if not request.user.has_perm("stock.view_stockmove") or not product.is_stocked:
        return ""
    return render_to_string("stock/partials/_product_stock.html", {
        "product": product, "rows": queries.product_availability(product), "levels": queries.levels_of(product),
        "moves": queries.moves(product=product)[:10]}, request=request)


MOVES_PANEL_LIMIT = 20


def product_stock_section(request, product) -> dict | None:
    """Product page, "Stock per warehouse": on hand, reserved, available, incoming per warehouse; bins and lots.
    Quantities only: costs and values stay on the valuation pages (stock.view_valuation)."""
    if not request.user.has_perm("stock.view_stockmove") or not product.is_stocked:
        return None
    rows = queries.product_availability(product)
    return {"rows": rows, "levels": list(queries.levels_of(product)), "lots": _lot_balances(product, rows),
            "show_value": request.user.has_perm("stock.view_valuation")}


def _lot_balances(product, rows) -> list[dict]:
    """Per warehouse and lot: on hand, reserved, available (the query of the API's /stock/balances?by_lot)."""
    if product.tracking == "none":
        return []
    names = {row["warehouse"].pk: row["warehouse"] for row in rows}
    return [{"warehouse": names.get(b.warehouse_id), "lot_code": b.lot_code, "expiry_date": b.expiry_date,
             "on_hand": b.on_hand, "reserved": b.reserved, "available": b.available}
            for b in queries.balances(product=product, by_lot=True) if b.lot_id and (b.on_hand or b.reserved)]


def product_moves_section(request, product) -> dict | None:
    """Product page, "Moves history": the last moves, with a link to the moves list filtered to the product."""
    if not request.user.has_perm("stock.view_stockmove") or not product.is_stocked:
        return None
    return {"moves": origins.attach(queries.moves(product=product)[:MOVES_PANEL_LIMIT])}
