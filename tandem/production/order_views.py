"""Production order pages under /production/: list, new, detail (components, operations, outputs, costs and the
actions), consume / book time / produce, and the work-centre load. Thin: the rules live in production.services."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.catalog.models import Product
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.money import parse_decimal
from tandem.core.pagination import DeferredJoinPaginator
from tandem.production import queries, services
from tandem.production.models import ProductionOrder, ProductionOrderOperation
from tandem.production.order_forms import BookTimeForm, ProduceForm, ProductionOrderForm, StepForm
from tandem.stock.models import Location, Lot, StockLevel

PER_PAGE = 50
CHANGE = "production.change_productionorder"


def _order(pk) -> ProductionOrder:
    return get_object_or_404(ProductionOrder.objects.select_related(
        "product__unit", "warehouse", "company", "bom", "owner"), pk=pk)


@login_required
@permission_required("production.view_productionorder", raise_exception=True)
def order_list(request):
    status = request.GET.get("status", "")
    if status not in dict(ProductionOrder.Status.choices):
        status = ""
    product = None
    product_id = request.GET.get("product", "")
    if product_id.isdigit():
        product = Product.objects.filter(pk=int(product_id)).first()
    qs = queries.production_orders(status=status, product=product)
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    products = Product.objects.filter(pk__in=ProductionOrder.objects.values("product_id")).order_by("sku")[:200]
    return render(request, "production/order_list.html", {
        "page_obj": page, "orders": page.object_list, "statuses": ProductionOrder.Status.choices, "status": status,
        "product": product, "products": products})


@login_required
@permission_required("production.add_productionorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create(request):
    form = ProductionOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = call_service(form, services.create_production_order, by=request.user, product=data["product"],
                             quantity=data["quantity"], planned_start=data["planned_start"],
                             planned_end=data["planned_end"], warehouse=data["warehouse"], note=data["note"])
        if order is not None:
            messages.success(request, _("Production order %(number)s made.") % {"number": order.number})
            return redirect("production:mo-detail", pk=order.pk)
    return render(request, "production/order_form.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


ACTIONS = (("confirm", gettext_lazy("Confirm")), ("unconfirm", gettext_lazy("Back to draft")),
           ("start", gettext_lazy("Start")), ("finish", gettext_lazy("Finish")),
           ("cancel", gettext_lazy("Cancel order")))


def _context(request, order, *, produce_form=None, error=None):
    may_change = request.user.has_perm(CHANGE)
    components = list(order.components.select_related("product__unit").order_by("position", "id"))
    reserved = services.reserved_by_product(order)
    lot_rows = (StockLevel.objects.filter(product__in=[c.product_id for c in components], on_hand__gt=0,
                                          location__warehouse=order.warehouse, lot__isnull=False)
                .select_related("lot").order_by("lot__expiry_date", "lot__code"))
    lots: dict[int, list] = {}
    for level in lot_rows:
        if level.lot not in lots.setdefault(level.product_id, []):
            lots[level.product_id].append(level.lot)
    for component in components:
        component.reserved = reserved.get(component.product_id, 0)
        component.lot_choices = lots.get(component.product_id, [])
        component.tracked = component.product.tracking in ("lot", "serial")
    labels = dict(ACTIONS)
    return {
        "order": order, "components": components,
        "operations": list(order.operations.select_related("work_centre").order_by("sequence", "id")),
        "outputs": list(order.outputs.select_related("product__unit", "lot").order_by("id")),
        "locations": list(Location.objects.filter(warehouse=order.warehouse, is_archived=False).order_by(
            "-is_default", "code")),
        "actions": [(name, labels[name]) for name, _label in ACTIONS
                    if may_change and getattr(order, f"can_{name}")()],
        "may_work": may_change and order.is_in_progress,
        "produce_form": produce_form or ProduceForm(initial={"version": order.version,
                                                             "quantity": order.open_quantity or None}),
        "error": error, "history": list(entries_of(order)[:20]),
        "standard_of_produced": order.standard_unit_cost * order.produced_quantity,
    }


@login_required
@permission_required("production.view_productionorder", raise_exception=True)
def order_detail(request, pk):
    return render(request, "production/order_detail.html", _context(request, _order(pk)))


def _run(request, service, *args, **kwargs) -> BusinessRuleError | None:
    try:
        service(*args, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        return exc
    return None


def _refused(request, order, error: BusinessRuleError, **context):
    status = 409 if getattr(error, "status_code", 400) == 409 else 400
    return render(request, "production/order_detail.html", _context(request, _order(order.pk), error=error,
                                                                     **context), status=status)


def _step(name, service):
    @login_required
    @require_POST
    def view(request, pk):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        order = _order(pk)
        form = StepForm(request.POST)
        form.is_valid()
        error = _run(request, service, order, expected_version=form.cleaned_data.get("version"))
        if error is not None:
            return _refused(request, order, error)
        messages.success(request, _("Production order %(number)s: %(status)s.") % {
            "number": order.number, "status": _order(pk).get_status_display()})
        return redirect("production:mo-detail", pk=pk)

    view.__name__ = f"order_{name}"
    return view


order_confirm = _step("confirm", services.confirm_production_order)
order_unconfirm = _step("unconfirm", services.unconfirm_production_order)
order_start = _step("start", services.start_production_order)
order_finish = _step("finish", services.finish_production_order)
order_cancel = _step("cancel", services.cancel_production_order)


def _date(request) -> datetime.date | None:
    try:
        return parse_date(request.POST.get("date") or "") or None
    except ValueError:
        return None


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_consume(request, pk):
    """One row per component: the quantity consumed now, its lot (or its serials, several at once) and its
    location."""
    order = _order(pk)
    form = StepForm(request.POST)
    form.is_valid()
    lines = []
    for component in order.components.select_related("product"):
        raw = (request.POST.get(f"quantity-{component.pk}") or "").strip()
        if not raw:
            continue
        try:
            quantity = parse_decimal(raw)
        except ValueError:
            return _refused(request, order, BusinessRuleError("invalid", _("Enter a number."),
                                                              field=f"quantity-{component.pk}"))
        if not quantity:
            continue
        lot_ids = [int(value) for value in request.POST.getlist(f"lot-{component.pk}") if value.isdigit()]
        location_id = request.POST.get(f"location-{component.pk}") or ""
        chosen = {lot.pk: lot for lot in Lot.objects.filter(pk__in=lot_ids, product=component.product)}
        location = (Location.objects.filter(pk=int(location_id), warehouse=order.warehouse).first()
                    if location_id.isdigit() else None)
        if component.product.tracking == "serial" and lot_ids:  # several serials chosen at once: one unit each
            lines.append(services.Consumption(component, quantity, location=location,
                                              serials=[chosen[pk] for pk in lot_ids if pk in chosen]))
        else:
            lot = chosen.get(lot_ids[0]) if lot_ids else None
            lines.append(services.Consumption(component, quantity, lot=lot, location=location))
    error = _run(request, services.consume_components, order, lines=lines, effective_date=_date(request),
                 expected_version=form.cleaned_data.get("version"))
    if error is not None:
        return _refused(request, order, error)
    messages.success(request, _("Components consumed."))
    return redirect("production:mo-detail", pk=pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_book_time(request, pk):
    order = _order(pk)
    form = BookTimeForm(request.POST)
    if not form.is_valid():
        field, problems = next(iter(form.errors.items()))
        return _refused(request, order, BusinessRuleError("invalid", problems[0], field=field))
    operation = get_object_or_404(ProductionOrderOperation, pk=form.cleaned_data["operation"], order=order)
    error = _run(request, services.book_operation, order, operation=operation, minutes=form.cleaned_data["minutes"],
                 effective_date=_date(request), expected_version=form.cleaned_data.get("version"))
    if error is not None:
        return _refused(request, order, error)
    messages.success(request, _("Time booked on %(operation)s.") % {"operation": operation.name})
    return redirect("production:mo-detail", pk=pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def order_produce(request, pk):
    order = _order(pk)
    form = ProduceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        rows = form.by_products()
        form.name_by_product_fields(rows)
        form.service_field_names.update({f"serials.{i}": "serials" for i in range(len(data["serials"]))})
        by_products = [services.ByProduct(values["product"], values["quantity"], values["unit_cost"] or 0,
                                          values["lot_code"] or "") for _n, values in rows]
        done = call_service(form, services.produce_output, order, by=request.user, quantity=data["quantity"],
                            scrap=data["scrap"] or 0, lot_code=data["lot_code"], by_products=by_products,
                            serials=data["serials"],
                            effective_date=_date(request), expected_version=data.get("version"))
        if done is not None:
            messages.success(request, _("Output recorded."))
            return redirect("production:mo-detail", pk=pk)
    return render(request, "production/order_detail.html", _context(request, _order(pk), produce_form=form),
                  status=409 if getattr(form, "refusal", None) is not None
                  and getattr(form.refusal, "status_code", 400) == 409 else 400)


@login_required
@permission_required("production.view_productionorder", raise_exception=True)
def work_centre_load(request):
    try:
        start = parse_date(request.GET.get("start") or "") or timezone.localdate()
    except ValueError:  # well-formed but no such day (2026-02-31)
        start = timezone.localdate()
    try:
        weeks = min(max(int(request.GET.get("weeks") or 8), 1), 26)
    except ValueError:
        weeks = 8
    load = queries.work_centre_load(start=start, weeks=weeks)
    return render(request, "production/load.html", {"load": load, "start": load["start"], "weeks": weeks})


urlpatterns = [
    path("orders/", order_list, name="mo-list"),
    path("orders/new/", order_create, name="mo-create"),
    path("orders/<int:pk>/", order_detail, name="mo-detail"),
    path("orders/<int:pk>/confirm/", order_confirm, name="mo-confirm"),
    path("orders/<int:pk>/unconfirm/", order_unconfirm, name="mo-unconfirm"),
    path("orders/<int:pk>/start/", order_start, name="mo-start"),
    path("orders/<int:pk>/finish/", order_finish, name="mo-finish"),
    path("orders/<int:pk>/cancel/", order_cancel, name="mo-cancel"),
    path("orders/<int:pk>/consume/", order_consume, name="mo-consume"),
    path("orders/<int:pk>/book-time/", order_book_time, name="mo-book-time"),
    path("orders/<int:pk>/produce/", order_produce, name="mo-produce"),
    path("load/", work_centre_load, name="work-centre-load"),
]
