"""Pages of shipments and customer returns: lists, a shipment's page with its step buttons (from can_<action>())
and delivery note, the "Ship" form made from an order (what is left, per line, with location and lot), the
return form from an order, and the panels other pages show (order page, client card, deal page, complaint
page). Rules live in sales.services.shipments / returns."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.crm.queries.visibility import visible_complaints
from tandem.sales import pdf, queries
from tandem.sales.models import CustomerReturn, Order, Shipment, ShipmentLine
from tandem.sales.services import invoicing
from tandem.sales.services import returns as return_services
from tandem.sales.services import shipments as shipment_services
from tandem.sales.shipping_forms import ReturnForm, ShipmentDetailsForm, ShipmentForm

PER_PAGE = 50
PANEL_ROWS = 10
SHIPMENT_STEPS = (("pick", gettext_lazy("Confirm picked")), ("pack", gettext_lazy("Confirm packed")),
                  ("ship", gettext_lazy("Ship")), ("deliver", gettext_lazy("Mark delivered")),
                  ("cancel", gettext_lazy("Cancel shipment")))
RETURN_STEPS = (("receive", gettext_lazy("Receive")), ("cancel", gettext_lazy("Cancel return")))


def _order_from(request) -> Order | None:
    order_id = request.POST.get("order") or request.GET.get("order")
    if not order_id or not limits.is_id(order_id):
        return None
    return queries.visible_orders(request.user).select_related("client", "warehouse", "company").filter(
        pk=order_id).first()


# --- Shipments ------------------------------------------------------------------------------------------------

@login_required
@permission_required("sales.view_shipment", raise_exception=True)
def shipment_list(request):
    status = request.GET.get("status", "")
    if status not in dict(Shipment.Status.choices):
        status = ""
    q = request.GET.get("q", "")[:50]
    qs = queries.filter_shipments(queries.visible_shipments(request.user), status=status, q=q)
    page = DeferredJoinPaginator(qs.order_by("-shipment_date", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sales/shipment_list.html", {
        "page_obj": page, "shipments": page.object_list, "statuses": Shipment.Status.choices, "status": status,
        "q": q})


def _shipment(request, pk) -> Shipment:
    return queries.shipment_with_lines(queries.visible_shipments(request.user), pk)


def _steps_of(request, shipment) -> list[tuple[str, str]]:
    user = request.user
    allowed = {name for name, _label in SHIPMENT_STEPS if name != "cancel"} if user.has_perm(
        shipment_services.CONFIRM_PERMISSION) else set()
    if user.has_perm("sales.change_shipment"):
        allowed.add("cancel")
    return [(name, label) for name, label in SHIPMENT_STEPS if name in allowed and getattr(shipment, f"can_{name}")()]


@login_required
@permission_required("sales.view_shipment", raise_exception=True)
def shipment_detail(request, pk):
    shipment = _shipment(request, pk)
    lines = list(shipment.lines.select_related("product__unit", "location", "lot", "stock_move", "order_line"))
    return render(request, "sales/shipment_detail.html", {
        "shipment": shipment, "lines": lines, "steps": _steps_of(request, shipment),
        "details_form": ShipmentDetailsForm(initial={"carrier": shipment.carrier, "version": shipment.version,
                                                     "tracking_number": shipment.tracking_number}),
        "may_edit": request.user.has_perm("sales.change_shipment") and shipment.status != Shipment.Status.CANCELLED,
        "may_invoice": invoicing.can_invoice_shipment(request.user, shipment),
        "history": list(entries_of(shipment)[:20])})


def _shipping_rows(order) -> tuple[list[dict], dict]:
    rows = [row for row in shipment_services.shipping_summary(order) if row["left"] > 0]
    default = shipment_services.stock_default_location(order.warehouse)
    suggestions = {}
    for row in rows:
        suggestions[("location", row["line"].pk)] = default
        if default is not None and row["product"].tracking != "none":
            suggestions[("lot", row["line"].pk)] = shipment_services.suggest_lot(row["line"], default)
    return rows, suggestions


@login_required
@permission_required("sales.add_shipment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def shipment_create(request):
    """The "Ship" form of an order (?order=<id>): what is left per line, prefilled to ship it all."""
    order = _order_from(request)
    if order is None:
        messages.info(request, _("Choose the sales order to ship from."))
        return redirect("sales:order-list")
    rows, suggestions = _shipping_rows(order)
    form = ShipmentForm(request.POST or None, order=order, rows=rows, suggestions=suggestions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = form.lines()
        if not lines:
            form.add_error(None, _("Enter a quantity on at least one line."))
        else:
            shipment = call_service(form, shipment_services.create_shipment, order, by=request.user, lines=lines,
                                    shipment_date=data["shipment_date"], carrier=data["carrier"],
                                    tracking_number=data["tracking_number"], note=data["note"])
            if shipment is not None:
                messages.success(request, _("Shipment %(number)s made; the warehouse can pick it.")
                                 % {"number": shipment.number})
                return redirect("sales:shipment-detail", pk=shipment.pk)
    return render(request, "sales/shipment_form.html", {"form": form, "order": order, "rows": rows},
                  status=400 if form.is_bound and form.errors else 200)


def _shipment_step(request, pk, service, success, **extra):
    shipment = _shipment(request, pk)
    form = ShipmentDetailsForm(request.POST)
    form.is_valid()
    try:
        service(shipment, by=request.user, expected_version=form.cleaned_data.get("version"), **extra)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("sales:shipment-detail", pk=pk)
    messages.success(request, success)
    return redirect("sales:shipment-detail", pk=pk)


@login_required
@permission_required("sales.confirm_shipment", raise_exception=True)
@require_POST
def shipment_pick(request, pk):
    return _shipment_step(request, pk, shipment_services.pick_shipment, _("Shipment confirmed picked."))


@login_required
@permission_required("sales.confirm_shipment", raise_exception=True)
@require_POST
def shipment_pack(request, pk):
    return _shipment_step(request, pk, shipment_services.pack_shipment, _("Shipment confirmed packed."))


@login_required
@permission_required("sales.confirm_shipment", raise_exception=True)
@require_POST
def shipment_ship(request, pk):
    form = ShipmentDetailsForm(request.POST)
    form.is_valid()
    extra = {key: form.cleaned_data[key] for key in ("carrier", "tracking_number")
             if key in request.POST and key in form.cleaned_data}
    return _shipment_step(request, pk, shipment_services.ship_shipment,
                          _("Shipped; the stock moves are posted."), **extra)


@login_required
@permission_required("sales.confirm_shipment", raise_exception=True)
@require_POST
def shipment_deliver(request, pk):
    return _shipment_step(request, pk, shipment_services.deliver_shipment, _("Shipment marked delivered."))


@login_required
@permission_required("sales.change_shipment", raise_exception=True)
@require_POST
def shipment_cancel(request, pk):
    return _shipment_step(request, pk, shipment_services.cancel_shipment, _("Shipment cancelled."))


@login_required
@permission_required("sales.change_shipment", raise_exception=True)
@require_POST
def shipment_edit(request, pk):
    """Carrier and tracking number, from the shipment's page."""
    shipment = _shipment(request, pk)
    form = ShipmentDetailsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if call_service(form, shipment_services.update_shipment, shipment, by=request.user,
                        expected_version=data.get("version"), carrier=data["carrier"],
                        tracking_number=data["tracking_number"]) is not None:
            messages.success(request, _("Shipment %(number)s saved.") % {"number": shipment.number})
            return redirect("sales:shipment-detail", pk=pk)
    for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
        messages.error(request, error)
    return redirect("sales:shipment-detail", pk=pk)


@login_required
@permission_required("sales.view_shipment", raise_exception=True)
def shipment_pdf(request, pk):
    shipment = _shipment(request, pk)
    return pdf.pdf_response(pdf.render_delivery_note_pdf(shipment, request=request), f"{shipment.number}.pdf")


# --- Customer returns -----------------------------------------------------------------------------------------

@login_required
@permission_required("sales.view_customerreturn", raise_exception=True)
def return_list(request):
    status = request.GET.get("status", "")
    if status not in dict(CustomerReturn.Status.choices):
        status = ""
    q = request.GET.get("q", "")[:50].strip()
    qs = queries.visible_returns(request.user).select_related("client", "order", "location__warehouse")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(order__number__icontains=q)
    page = DeferredJoinPaginator(qs.order_by("-return_date", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sales/return_list.html", {
        "page_obj": page, "returns": page.object_list, "statuses": CustomerReturn.Status.choices,
        "status": status, "q": q})


def _return(request, pk) -> CustomerReturn:
    return queries.return_with_lines(queries.visible_returns(request.user), pk)


@login_required
@permission_required("sales.view_customerreturn", raise_exception=True)
def return_detail(request, pk):
    customer_return = _return(request, pk)
    may = request.user.has_perm("sales.change_customerreturn")
    return render(request, "sales/return_detail.html", {
        "customer_return": customer_return,
        "lines": list(customer_return.lines.select_related("product__unit", "lot", "stock_move")),
        "steps": [(name, label) for name, label in RETURN_STEPS if may and getattr(customer_return, f"can_{name}")()],
        "may_credit": invoicing.can_credit_return(request.user, customer_return),
        "history": list(entries_of(customer_return)[:20])})


def _return_rows(order) -> list[dict]:
    rows = []
    for row in shipment_services.shipping_summary(order):
        if row["shipped"] - row["returned"] > 0:
            row["shipped_lots"] = list(ShipmentLine.objects.filter(
                order_line=row["line"], stock_move__isnull=False, lot__isnull=False).values_list("lot_id", flat=True))
            rows.append(row)
    return rows


@login_required
@permission_required("sales.add_customerreturn", raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_create(request):
    """The return form of an order (?order=<id>, optionally &complaint=<id>): shipped lines, quantities back."""
    order = _order_from(request)
    if order is None:
        messages.info(request, _("Choose the sales order the goods come back from."))
        return redirect("sales:order-list")
    rows = _return_rows(order)
    complaints = visible_complaints(request.user).filter(client_id=order.client_id).order_by("-created_at")
    complaint_id = request.GET.get("complaint")
    initial = {}
    if complaint_id and limits.is_id(complaint_id):
        initial["complaint"] = complaints.filter(pk=complaint_id).first()
    may_receive = request.user.has_perm("sales.change_customerreturn")
    form = ReturnForm(request.POST or None, order=order, rows=rows, complaints=complaints, initial=initial,
                      default_location=return_services.default_return_location(order), may_receive=may_receive)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lines = form.lines()
        if not lines:
            form.add_error(None, _("Enter a quantity on at least one line."))
        else:
            created = call_service(form, return_services.create_return, order, by=request.user, lines=lines,
                                   location=data["location"], complaint=data["complaint"],
                                   return_date=data["return_date"], reason=data["reason"],
                                   receive=bool(data.get("receive")))
            if created is not None:
                messages.success(request, _("Customer return %(number)s recorded.") % {"number": created.number})
                return redirect("sales:return-detail", pk=created.pk)
    return render(request, "sales/return_form.html", {"form": form, "order": order, "rows": rows},
                  status=400 if form.is_bound and form.errors else 200)


def _return_step(request, pk, service, success):
    customer_return = _return(request, pk)
    form = ShipmentDetailsForm(request.POST)
    form.is_valid()
    try:
        service(customer_return, by=request.user, expected_version=form.cleaned_data.get("version"))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("sales:return-detail", pk=pk)
    messages.success(request, success)
    return redirect("sales:return-detail", pk=pk)


@login_required
@permission_required("sales.change_customerreturn", raise_exception=True)
@require_POST
def return_receive(request, pk):
    return _return_step(request, pk, return_services.receive_return, _("Return received; the stock moves are posted."))


@login_required
@permission_required("sales.change_customerreturn", raise_exception=True)
@require_POST
def return_cancel(request, pk):
    return _return_step(request, pk, return_services.cancel_return, _("Return cancelled."))


# --- Panels on other pages ------------------------------------------------------------------------------------

def order_shipping_panel(request, order) -> str:
    """The order page's section: shipped and left per line, its shipments and returns, Ship / Return buttons."""
    user = request.user
    if not user.has_perm("sales.view_shipment"):
        return ""
    summary = shipment_services.shipping_summary(order) if order.status != Order.Status.DRAFT else []
    left = any(row["left"] > 0 for row in summary)
    shipped = any(row["shipped"] > row["returned"] for row in summary)
    return render_to_string("sales/partials/_order_shipping.html", {
        "order": order, "summary": summary,
        "shipments": list(queries.visible_shipments(user).filter(order=order).order_by("-shipment_date", "-id")),
        "returns": list(queries.visible_returns(user).filter(order=order).select_related("location")
                        .order_by("-return_date", "-id")),
        "may_ship": user.has_perm("sales.add_shipment") and left and order.status in shipment_services.SHIPPABLE,
        "may_return": user.has_perm("sales.add_customerreturn") and shipped,
    }, request=request)


def _shipments_panel(request, shipments, panel_id: str) -> dict:
    rows = list(shipments[:PANEL_ROWS])
    return {"id": panel_id, "title": _("Shipments"), "count": len(rows) if rows else None, "open": bool(rows),
            "html": render_to_string("sales/partials/_shipments_panel.html", {"shipments": rows}, request=request)}


def client_card_panels(request, client) -> list[dict]:
    if not request.user.has_perm("sales.view_shipment"):
        return []
    return [_shipments_panel(request, queries.shipments_of_client(request.user, client), "sales-shipments")]


def deal_page_panels(request, deal) -> list[dict]:
    if not request.user.has_perm("sales.view_shipment"):
        return []
    return [_shipments_panel(request, queries.shipments_of_deal(request.user, deal), "sales-shipments")]


def complaint_page_panels(request, complaint) -> list[dict]:
    """The complaint page shows the customer returns that answer it."""
    user = request.user
    if not user.has_perm("sales.view_customerreturn"):
        return []
    rows = list(queries.returns_of_complaint(user, complaint).prefetch_related("lines__product__unit"))
    orders = []
    if user.has_perm("sales.add_customerreturn"):
        orders = list(queries.visible_orders(user).filter(
            client_id=complaint.client_id, status__in=[Order.Status.PARTLY_SHIPPED, Order.Status.SHIPPED,
                                                       Order.Status.CLOSED]).order_by("-order_date", "-id")[:5])
    return [{"id": "sales-returns", "title": _("Customer returns"), "count": len(rows), "open": True,
             "html": render_to_string("sales/partials/_returns_panel.html", {
                 "returns": rows, "orders": orders, "complaint": complaint}, request=request)}]


urlpatterns = [
    path("shipments/", shipment_list, name="shipment-list"),
    path("shipments/new/", shipment_create, name="shipment-create"),
    path("shipments/<int:pk>/", shipment_detail, name="shipment-detail"),
    path("shipments/<int:pk>/edit/", shipment_edit, name="shipment-edit"),
    path("shipments/<int:pk>/pick/", shipment_pick, name="shipment-pick"),
    path("shipments/<int:pk>/pack/", shipment_pack, name="shipment-pack"),
    path("shipments/<int:pk>/ship/", shipment_ship, name="shipment-ship"),
    path("shipments/<int:pk>/deliver/", shipment_deliver, name="shipment-deliver"),
    path("shipments/<int:pk>/cancel/", shipment_cancel, name="shipment-cancel"),
    path("shipments/<int:pk>/pdf/", shipment_pdf, name="shipment-pdf"),
    path("returns/", return_list, name="return-list"),
    path("returns/new/", return_create, name="return-create"),
    path("returns/<int:pk>/", return_detail, name="return-detail"),
    path("returns/<int:pk>/receive/", return_receive, name="return-receive"),
    path("returns/<int:pk>/cancel/", return_cancel, name="return-cancel"),
]

