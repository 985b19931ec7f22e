"""Landed-cost pages under /purchasing/landed-costs/: list (filtered by purchase order from the order's page),
new and edit (searchable pickers for orders and receipt lines), detail with the allocation per receipt (share,
unit cost before and after) and the Allocate / Cancel buttons. Thin: the rules live in purchasing.landed_costs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import render_options
from tandem.purchasing import landed_cost_pickers as pickers
from tandem.purchasing import landed_costs
from tandem.purchasing.landed_cost_forms import LandedCostForm, LandedCostStepForm
from tandem.purchasing.models import LandedCost, PurchaseOrder

PER_PAGE = 50


def _landed_costs():
    return LandedCost.objects.select_related("company", "supplier__counterparty")


def _landed_cost(pk) -> LandedCost:
    return get_object_or_404(_landed_costs(), pk=pk)


@login_required
@permission_required("purchasing.view_landedcost", raise_exception=True)
def landed_cost_list(request):
    qs = _landed_costs().order_by("-date", "-id")
    status = request.GET.get("status", "")
    if status in LandedCost.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    order = None
    order_id = request.GET.get("order", "")
    if order_id.isdigit() and len(order_id) < 19:
        order = PurchaseOrder.objects.filter(pk=int(order_id)).first()
        if order is not None:
            qs = qs.filter(pk__in=landed_costs.landed_costs_of(order).values("pk"))
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "purchasing/landed_cost_list.html", {
        "page_obj": page, "landed_costs": page.object_list, "statuses": LandedCost.Status.choices,
        "status": status, "order": order})


@login_required
@permission_required("purchasing.add_landedcost", raise_exception=True)
@require_http_methods(["GET", "POST"])
def landed_cost_create(request):
    initial = {}
    order_id = request.GET.get("order", "")
    if order_id.isdigit() and len(order_id) < 19:
        initial["orders"] = pickers.received_orders().filter(pk=int(order_id)).first()
    form = LandedCostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        landed_cost = call_service(form, landed_costs.create_landed_cost, by=request.user, **form.header(),
                                   **form.chosen())
        if landed_cost is not None:
            messages.success(request, _("Landed cost %(number)s entered.") % {"number": landed_cost.number})
            return redirect("purchasing:landed-cost-detail", pk=landed_cost.pk)
    return render(request, "purchasing/landed_cost_form.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("purchasing.change_landedcost", raise_exception=True)
@require_http_methods(["GET", "POST"])
def landed_cost_edit(request, pk):
    landed_cost = _landed_cost(pk)
    if not landed_cost.can_edit():
        messages.error(request, _("Only a draft landed cost can be changed."))
        return redirect("purchasing:landed-cost-detail", pk=pk)
    form = LandedCostForm(request.POST or None, landed_cost=landed_cost)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        receipts = None
        if chosen["receipts"]:
            receipts = [line.move for line in landed_cost.lines.select_related("move")] + chosen["receipts"]
        changed = call_service(form, landed_costs.update_landed_cost, landed_cost, by=request.user,
                               expected_version=form.cleaned_data["version"], orders=chosen["orders"],
                               receipts=receipts, **form.header())
        if changed is not None:
            messages.success(request, _("Landed cost %(number)s saved.") % {"number": changed.number})
            return redirect("purchasing:landed-cost-detail", pk=pk)
    return render(request, "purchasing/landed_cost_form.html", {"form": form, "landed_cost": landed_cost},
                  status=400 if form.is_bound and form.errors else 200)


def _context(request, landed_cost) -> dict:
    user = request.user
    lines = list(landed_cost.lines.select_related("move__product__unit", "move__to_location__warehouse")
                 .order_by("move_id"))
    orders = landed_costs.order_lines_of([line.move for line in lines])
    for line in lines:
        line.order_line = orders.get(line.move_id)
    return {
        "landed_cost": landed_cost, "lines": lines,
        "base_currency": landed_cost.company.base_currency,
        "may_edit": user.has_perm("purchasing.change_landedcost") and landed_cost.can_edit(),
        "may_allocate": user.has_perm("purchasing.allocate_landedcost") and landed_cost.can_allocate(),
        "history": list(entries_of(landed_cost)[:20]),
    }


@login_required
@permission_required("purchasing.view_landedcost", raise_exception=True)
def landed_cost_detail(request, pk):
    return render(request, "purchasing/landed_cost_detail.html", _context(request, _landed_cost(pk)))


def _run(request, service, *args, **kwargs) -> bool:
    try:
        service(*args, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return False
    return True


def _step(service, perm, done):
    @login_required
    @require_POST
    def view(request, pk):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        landed_cost = _landed_cost(pk)
        form = LandedCostStepForm(request.POST)
        form.is_valid()
        if _run(request, service, landed_cost, expected_version=form.cleaned_data.get("version")):
            messages.success(request, done() % {"number": landed_cost.number})
        return redirect("purchasing:landed-cost-detail", pk=pk)

    return view


landed_cost_allocate = _step(landed_costs.allocate_landed_cost, "purchasing.allocate_landedcost",
                             lambda: _("Landed cost %(number)s allocated: the receipts' unit costs changed."))
landed_cost_cancel = _step(landed_costs.cancel_landed_cost, "purchasing.change_landedcost",
                           lambda: _("Landed cost %(number)s cancelled."))


@login_required
@permission_required("purchasing.change_landedcost", raise_exception=True)
@require_POST
def landed_cost_receipt_remove(request, pk, move_pk):
    landed_cost = _landed_cost(pk)
    form = LandedCostStepForm(request.POST)
    form.is_valid()
    _run(request, landed_costs.remove_receipt, landed_cost, move_pk, expected_version=form.cleaned_data.get("version"))
    return redirect("purchasing:landed-cost-detail", pk=pk)


@login_required
def order_picker(request):
    if not request.user.has_perm("purchasing.view_landedcost"):
        raise PermissionDenied
    return render_options(request, pickers.ORDER_PICKER, pickers.received_orders())


@login_required
def receipt_picker(request):
    if not request.user.has_perm("purchasing.view_landedcost"):
        raise PermissionDenied
    return render_options(request, pickers.RECEIPT_PICKER, landed_costs.purchase_receipts())


urlpatterns = [
    path("landed-costs/", landed_cost_list, name="landed-cost-list"),
    path("landed-costs/new/", landed_cost_create, name="landed-cost-create"),
    path("landed-costs/<int:pk>/", landed_cost_detail, name="landed-cost-detail"),
    path("landed-costs/<int:pk>/edit/", landed_cost_edit, name="landed-cost-edit"),
    path("landed-costs/<int:pk>/allocate/", landed_cost_allocate, name="landed-cost-allocate"),
    path("landed-costs/<int:pk>/cancel/", landed_cost_cancel, name="landed-cost-cancel"),
    path("landed-costs/<int:pk>/receipts/<int:move_pk>/remove/", landed_cost_receipt_remove,
         name="landed-cost-receipt-remove"),
    path("landed-costs/orders/picker/", order_picker, name="landed-order-picker"),
    path("landed-costs/receipts/picker/", receipt_picker, name="landed-receipt-picker"),
]
