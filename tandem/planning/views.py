"""Planning pages under /planning/: the proposals with the run button and bulk confirmation; panels on the
product page and the sales order page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.catalog.models import Product
from tandem.core.errors import BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import is_htmx
from tandem.planning import queries, services
from tandem.planning.forms import PlanningParameterForm
from tandem.planning.models import PlanningProposal
from tandem.purchasing.models import SupplierProfile
from tandem.stock.models import Warehouse

PER_PAGE = 100


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@login_required
@permission_required("planning.view_planningproposal", raise_exception=True)
def proposal_list(request):
    kind = request.GET.get("kind", "")
    if kind not in PlanningProposal.Kind.values:
        kind = ""
    status = request.GET.get("status", PlanningProposal.Status.OPEN)
    if status not in PlanningProposal.Status.values:
        status = ""
    supplier_id = _int(request.GET.get("supplier"))
    q = (request.GET.get("q") or "")[:50].strip()
    qs = queries.proposals(kind=kind, status=status, supplier_id=supplier_id)
    if q:
        qs = qs.filter(product__sku__icontains=q) | qs.filter(product__name__icontains=q)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    suppliers = (SupplierProfile.objects.filter(pk__in=PlanningProposal.objects.filter(status="open")
                                                .values("supplier_id"))
                 .select_related("counterparty").order_by("counterparty__legal_name"))
    return render(request, "planning/proposal_list.html", {
        "page_obj": page, "proposals": page.object_list, "kind": kind, "status": status, "q": q,
        "supplier": supplier_id, "suppliers": suppliers, "kinds": PlanningProposal.Kind.choices,
        "statuses": PlanningProposal.Status.choices, "run": queries.latest_run(),
        "may_run": request.user.has_perm("planning.add_planningrun"),
        "may_confirm": any(request.user.has_perm(p) for p in services.CONFIRM_PERMISSION.values())})


@login_required
@permission_required("planning.add_planningrun", raise_exception=True)
@require_POST
def run_planning(request):
    try:
        run = services.run_planning(by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Planning run done: %(count)s proposals.") % {"count": run.proposals})
    return redirect("planning:proposal-list")


@login_required
@require_POST
def confirm_selected(request):
    ids = [pk for pk in (_int(v) for v in request.POST.getlist("proposal")) if pk]
    try:
        made = services.confirm_proposals(ids, by=request.user)
    except BusinessRuleError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.message)
        return redirect("planning:proposal-list")
    numbers = [o.number for o in made["purchase_orders"] + made["production_orders"]]
    messages.success(request, _("Orders made: %(numbers)s.") % {"numbers": ", ".join(numbers)})
    return redirect("planning:proposal-list")


def product_proposals_panel(request, product) -> str | None:
    """The product page, "Planning proposals": open and confirmed proposals of the product."""
    if not request.user.has_perm("planning.view_planningproposal"):
        return None
    rows = list(queries.proposals(status="", product_id=product.pk)[:20])
    return render_to_string("planning/partials/_product_proposals.html", {"proposals": rows, "product": product},
                            request=request)


def order_availability_panel(request, order) -> dict | None:
    if not request.user.has_perm("planning.view_planningproposal") or order.status == order.Status.DRAFT:
        return None
    lines = queries.order_lines(order)
    states = queries.line_states(order, lines)
    if not states:
        return None
    html = render_to_string("planning/partials/_order_availability.html", {"states": states}, request=request)
    return {"id": "availability", "title": _("Availability"), "html": html}


# --- Planning parameters ---------------------------------------------------------------------------------------

@login_required
@permission_required("planning.view_planningparameter", raise_exception=True)
def parameter_list(request):
    """Every product's planning parameters per warehouse, searchable by product and filtered by warehouse."""
    warehouse_id = _int(request.GET.get("warehouse"))
    q = (request.GET.get("q") or "")[:50].strip()
    qs = queries.parameters(warehouse_id=warehouse_id)
    if q:
        qs = qs.filter(product__sku__icontains=q) | qs.filter(product__name__icontains=q)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "planning/parameter_list.html", {
        "page_obj": page, "parameters": page.object_list, "q": q, "warehouse": warehouse_id,
        "warehouses": Warehouse.objects.active().order_by("code")})


def _parameter_form(product, warehouse_id=None) -> PlanningParameterForm:
    """The form preset to the product's parameters in the chosen warehouse (else its first one, else defaults)."""
    rows = list(queries.parameters(product_id=product.pk))
    chosen = next((p for p in rows if p.warehouse_id == warehouse_id), None) if warehouse_id else None
    chosen = chosen or (rows[0] if rows and not warehouse_id else None)
    if chosen is None:
        return PlanningParameterForm(initial={"warehouse": warehouse_id or None})
    return PlanningParameterForm(initial={
        "warehouse": chosen.warehouse_id, "minimum_stock": f"{chosen.minimum_stock.normalize():f}",
        "safety_stock": f"{chosen.safety_stock.normalize():f}",
        "source": chosen.source, "make_lead_time_days": chosen.make_lead_time_days})


def _parameters_html(request, product, form=None) -> str:
    may_change = request.user.has_perm("planning.change_planningparameter")
    if may_change and form is None:
        form = _parameter_form(product)
    return render_to_string("planning/partials/_product_parameters.html", {
        "product": product, "parameters": list(queries.parameters(product_id=product.pk)),
        "form": form if may_change else None}, request=request)


def product_parameters_panel(request, product) -> str | None:
    """The product page, "Planning": minimum and safety stock, buy or make and make lead time per warehouse,
    with the form to set them for whoever may."""
    if not request.user.has_perm("planning.view_planningparameter") or product.kind != Product.Kind.GOODS:
        return None
    return _parameters_html(request, product)


@login_required
@permission_required("planning.change_planningparameter", raise_exception=True)
def product_parameters_edit(request, pk):
    """Set a product's planning parameters in a warehouse. htmx gets the redrawn panel (status 400 with the
    errors); a plain browser the product page, or this page again with the errors."""
    product = get_object_or_404(Product.objects.select_related("unit"), pk=pk)
    if request.method == "POST":
        form = PlanningParameterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = call_service(form, services.set_parameter, product=product, warehouse=data["warehouse"],
                                by=request.user, source=data["source"], minimum_stock=data["minimum_stock"],
                                safety_stock=data["safety_stock"],
                                make_lead_time_days=data["make_lead_time_days"])
            if done is not None:
                if is_htmx(request):
                    return HttpResponse(_parameters_html(request, product))
                messages.success(request, _("Planning parameters saved."))
                return redirect(reverse("catalog:product-detail", args=[product.pk]) + "#panel-planning-parameters")
        if is_htmx(request):
            return HttpResponse(_parameters_html(request, product, form), status=400)
        status = 400
    else:
        form = _parameter_form(product, _int(request.GET.get("warehouse")))
        status = 200
    return render(request, "planning/parameter_form.html", {"product": product, "form": form}, status=status)


urlpatterns = [
    path("", proposal_list, name="proposal-list"),
    path("parameters/", parameter_list, name="parameter-list"),
    path("products/<int:pk>/parameters/", product_parameters_edit, name="product-parameters-edit"),
    path("run/", run_planning, name="run"),
    path("confirm/", confirm_selected, name="confirm"),
]
