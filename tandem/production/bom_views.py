"""Pages of bills of materials and work centres under /production/: work centres (list, new, edit, archive),
BOM versions (list searchable by product, new or copied, the version page with its lines and operations
edited in place, archive/restore), the multi-level explosion with its cost roll-up, and the product page's
"Bills of materials" and "Where used" panels. Thin: the rules live in bom_services, the reads in bom_queries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.catalog.models import Product
from tandem.catalog.queries import search_products
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.services import base_currency
from tandem.production import bom_queries, bom_services
from tandem.production.bom_forms import (
    BomCreateForm,
    BomForm,
    BomLineEditForm,
    BomLineForm,
    BomOperationEditForm,
    BomOperationForm,
    ExplosionForm,
    WorkCentreForm,
)
from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre

PER_PAGE = 50


def _status(form) -> int:
    refusal = getattr(form, "refusal", None)
    return 409 if refusal is not None and refusal.status_code == 409 else 400


def _run(request, service, *args, **kwargs) -> bool:
    """A button's service: a refusal becomes a message on the page it returns to."""
    try:
        service(*args, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return False
    return True


def _posted_version(request) -> int | None:
    raw = (request.POST.get("version") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


# --- Work centres ----------------------------------------------------------------------------------------------

@login_required
@permission_required("production.view_workcentre", raise_exception=True)
def workcentre_list(request):
    archived = request.GET.get("archived") == "1"
    centres = WorkCentre.objects.filter(is_archived=archived).order_by("code", "pk")
    return render(request, "production/workcentre_list.html", {"centres": centres, "archived": archived,
                                                               "currency": base_currency()})


@login_required
@permission_required("production.add_workcentre", raise_exception=True)
@require_http_methods(["GET", "POST"])
def workcentre_create(request):
    form = WorkCentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, bom_services.create_work_centre, by=request.user, **form.values()) is not None:
            messages.success(request, _("Work centre added."))
            return redirect("production:workcentre-list")
    return render(request, "production/workcentre_form.html", {"form": form},
                  status=_status(form) if form.is_bound and form.errors else 200)


@login_required
@permission_required("production.view_workcentre", raise_exception=True)
@require_http_methods(["GET", "POST"])
def workcentre_detail(request, pk):
    centre = get_object_or_404(WorkCentre, pk=pk)
    may_edit = request.user.has_perm("production.change_workcentre")
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    initial = {name: getattr(centre, name) for name in bom_services.WORK_CENTRE_FIELDS} | {"version": centre.version}
    form = WorkCentreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(form, bom_services.update_work_centre, centre, by=request.user,
                        expected_version=form.cleaned_data["version"], **form.values()) is not None:
            messages.success(request, _("Work centre saved."))
            return redirect("production:workcentre-list")
    return render(request, "production/workcentre_form.html", {
        "form": form, "centre": centre, "may_edit": may_edit, "history": list(entries_of(centre)[:20])},
        status=_status(form) if form.is_bound and form.errors else 200)


def _archive_view(model, service, target, perm):
    @login_required
    @require_POST
    def view(request, pk):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        record = get_object_or_404(model, pk=pk)
        if _run(request, service, record):
            messages.success(request, _("Saved."))
        return redirect(target, pk=pk) if target.endswith("detail") else redirect(target)

    view.__name__ = service.__name__
    return view


workcentre_archive = _archive_view(WorkCentre, bom_services.archive_work_centre, "production:workcentre-list",
                                   "production.change_workcentre")
workcentre_restore = _archive_view(WorkCentre, bom_services.restore_work_centre, "production:workcentre-list",
                                   "production.change_workcentre")


# --- BOM versions ----------------------------------------------------------------------------------------------

def _boms():
    return Bom.objects.select_related("product__unit")


@login_required
@permission_required("production.view_bom", raise_exception=True)
def bom_list(request):
    q = request.GET.get("q", "")[:50]
    archived = request.GET.get("archived") == "1"
    qs = _boms().filter(is_archived=archived).order_by("product__sku", "-valid_from", "-id")
    product = None
    product_id = request.GET.get("product", "")
    if product_id.isdigit() and len(product_id) < 19:
        product = Product.objects.filter(pk=int(product_id)).first()
        qs = qs.filter(product_id=int(product_id))
    if q:
        qs = qs.filter(product__in=search_products(Product.objects.all(), q).values("pk"))
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    in_force = bom_queries.boms_in_force({b.product_id for b in page.object_list}, today)
    return render(request, "production/bom_list.html", {
        "page_obj": page, "boms": page.object_list, "q": q, "archived": archived, "product": product,
        "in_force_ids": {b.pk for b in in_force.values()}})


@login_required
@permission_required("production.add_bom", raise_exception=True)
@require_http_methods(["GET", "POST"])
def bom_create(request):
    """A new version; `?copy_from=<id>` starts from that version's lines and operations, `?product=<id>` presets
    the product."""
    source = None
    raw = request.GET.get("copy_from") or request.POST.get("copy_from") or ""
    if raw.isdigit() and len(raw) < 19:
        source = Bom.objects.select_related("product").filter(pk=int(raw)).first()
    initial = {"valid_from": timezone.localdate(), "quantity": Decimal(1)}
    if source is not None:
        initial |= {"product": source.product_id, "quantity": source.quantity, "copy_from": source.pk}
    else:
        raw_product = request.GET.get("product", "")
        if raw_product.isdigit() and len(raw_product) < 19:
            initial["product"] = int(raw_product)
    form = BomCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.pop("copy_from", None)
        bom = call_service(form, bom_services.create_bom, by=request.user, copy_from=source, **values)
        if bom is not None:
            messages.success(request, _("Version %(code)s made; add its components and operations.")
                             % {"code": bom.code})
            return redirect("production:bom-detail", pk=bom.pk)
    return render(request, "production/bom_form.html", {"form": form, "source": source},
                  status=_status(form) if form.is_bound and form.errors else 200)


def _field_attrs(form, form_id: str) -> None:
    for field in form.fields.values():
        field.widget.attrs["form"] = form_id


def _bom_context(request, bom: Bom, *, header_form=None, line_form=None, operation_form=None, bad_row=None):
    user = request.user
    may_change = user.has_perm("production.change_bom")
    editable = may_change and bom_services.is_editable(bom)
    lines = list(bom.lines.select_related("component__unit").order_by("position", "id"))
    operations = list(bom.operations.select_related("work_centre").order_by("sequence", "id"))
    if editable:
        centres = list(WorkCentre.objects.filter(
            Q(is_archived=False) | Q(pk__in=[op.work_centre_id for op in operations])).order_by("code", "pk"))
        for line in lines:
            form = bad_row if bad_row is not None and bad_row.prefix == f"line-{line.pk}" else BomLineEditForm(
                prefix=f"line-{line.pk}", initial={"quantity": line.quantity, "scrap_percent": line.scrap_percent,
                                                   "note": line.note, "version": bom.version})
            _field_attrs(form, f"line-form-{line.pk}")
            line.form = form
        for operation in operations:
            form = bad_row if bad_row is not None and bad_row.prefix == f"op-{operation.pk}" else BomOperationEditForm(
                prefix=f"op-{operation.pk}", current_centre_id=operation.work_centre_id, centres=centres, initial={
                    "name": operation.name, "work_centre": operation.work_centre_id,
                    "minutes_per_unit": operation.minutes_per_unit, "setup_minutes": operation.setup_minutes,
                    "sequence": operation.sequence, "version": bom.version})
            _field_attrs(form, f"op-form-{operation.pk}")
            operation.form = form
    versions = list(Bom.objects.filter(product_id=bom.product_id).order_by("-valid_from", "-id"))
    in_force = bom_queries.boms_in_force([bom.product_id], timezone.localdate()).get(bom.product_id)
    return {
        "bom": bom, "lines": lines, "operations": operations, "versions": versions, "in_force": in_force,
        "may_change": may_change, "editable": editable, "may_add": user.has_perm("production.add_bom"),
        "header_form": header_form or BomForm(prefix="header", initial={
            "code": bom.code, "quantity": bom.quantity, "valid_from": bom.valid_from, "valid_to": bom.valid_to,
            "note": bom.note, "version": bom.version}),
        "line_form": line_form or BomLineForm(initial={"version": bom.version}),
        "operation_form": operation_form or BomOperationForm(initial={"version": bom.version}),
        "history": list(entries_of(bom)[:20]),
    }


def _bom(pk) -> Bom:
    return get_object_or_404(_boms(), pk=pk)


@login_required
@permission_required("production.view_bom", raise_exception=True)
def bom_detail(request, pk):
    return render(request, "production/bom_detail.html", _bom_context(request, _bom(pk)))


def _save(request, pk, form, service, target, context_key: str, *, saved: bool = False):
    """A BOM page form posted: the service run on `target` with the form's values and the version the person saw,
    then back to the BOM page; a refusal shows the page again with the form (and its errors) under `context_key`."""
    if form.is_valid() and call_service(form, service, target, by=request.user,
                                        expected_version=form.cleaned_data["version"], **form.values()) is not None:
        if saved:
            messages.success(request, _("Saved."))
        return redirect("production:bom-detail", pk=pk)
    return render(request, "production/bom_detail.html", _bom_context(request, _bom(pk), **{context_key: form}),
                  status=_status(form))


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_edit(request, pk):
    bom = _bom(pk)
    form = BomForm(request.POST, prefix="header")
    return _save(request, pk, form, bom_services.update_bom, bom, "header_form", saved=True)


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_line_add(request, pk):
    bom = _bom(pk)
    form = BomLineForm(request.POST)
    return _save(request, pk, form, bom_services.add_bom_line, bom, "line_form")


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_line_edit(request, pk, bomline_pk):
    bom = _bom(pk)
    line = get_object_or_404(BomLine.objects.select_related("bom"), pk=bomline_pk, bom=bom)
    form = BomLineEditForm(request.POST, prefix=f"line-{line.pk}")
    return _save(request, pk, form, bom_services.update_bom_line, line, "bad_row")


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_line_remove(request, pk, bomline_pk):
    bom = _bom(pk)
    line = get_object_or_404(BomLine.objects.select_related("bom"), pk=bomline_pk, bom=bom)
    _run(request, bom_services.remove_bom_line, line, expected_version=_posted_version(request))
    return redirect("production:bom-detail", pk=pk)


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_operation_add(request, pk):
    bom = _bom(pk)
    form = BomOperationForm(request.POST)
    return _save(request, pk, form, bom_services.add_bom_operation, bom, "operation_form")


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_operation_edit(request, pk, bomoperation_pk):
    bom = _bom(pk)
    operation = get_object_or_404(BomOperation.objects.select_related("bom"), pk=bomoperation_pk, bom=bom)
    form = BomOperationEditForm(request.POST, prefix=f"op-{operation.pk}",
                                current_centre_id=operation.work_centre_id)
    return _save(request, pk, form, bom_services.update_bom_operation, operation, "bad_row")


@login_required
@permission_required("production.change_bom", raise_exception=True)
@require_POST
def bom_operation_remove(request, pk, bomoperation_pk):
    bom = _bom(pk)
    operation = get_object_or_404(BomOperation.objects.select_related("bom"), pk=bomoperation_pk, bom=bom)
    _run(request, bom_services.remove_bom_operation, operation, expected_version=_posted_version(request))
    return redirect("production:bom-detail", pk=pk)


bom_archive = _archive_view(Bom, bom_services.archive_bom, "production:bom-detail", "production.change_bom")
bom_restore = _archive_view(Bom, bom_services.restore_bom, "production:bom-detail", "production.change_bom")


# --- Explosion -------------------------------------------------------------------------------------------------

def may_see_costs(user) -> bool:
    """Standard costs come from stock values: shown to those who read stock valuation and to those who keep
    BOMs (engineers price their versions); quantities are for every reader of BOMs."""
    return user.has_perm("stock.view_valuation") or user.has_perm("production.change_bom")


def explosion_rows(explosion) -> dict:
    """The explosion in Decimals for pages and the API: quantities with 4 places (rounded up), money in the base
    currency's precision only when shown (the sums are exact)."""
    q = bom_queries.as_decimal

    def money(value):
        return q(value, 6, rounding=ROUND_HALF_UP) if value is not None else None

    return {
        "rows": [{"level": row.level, "indent": "· " * (row.level - 1), "product": row.product,
                  "quantity": q(row.quantity),
                  "line_quantity": row.line.quantity, "scrap_percent": row.line.scrap_percent,
                  "is_made": row.is_made, "bom": row.bom, "unit_cost": money(row.unit_cost), "cost": money(row.cost)}
                 for row in explosion.rows],
        "operations": [{"level": op.level, "product": op.product, "name": op.name, "work_centre": op.work_centre,
                        "minutes": q(op.minutes), "cost": money(op.cost)} for op in explosion.operations],
        "material_cost": money(explosion.material_cost), "operation_cost": money(explosion.operation_cost),
        "total_cost": money(explosion.total_cost), "unit_cost": money(explosion.unit_cost),
        "missing_costs": explosion.missing_costs, "levels": explosion.levels,
    }


@login_required
@permission_required("production.view_bom", raise_exception=True)
def bom_explosion(request, pk):
    bom = _bom(pk)
    form = ExplosionForm(request.GET or None)
    quantity, on_date = bom.quantity, timezone.localdate()
    if form.is_bound and form.is_valid():
        quantity = form.cleaned_data["quantity"] or quantity
        on_date = form.cleaned_data["date"] or on_date
    explosion = bom_queries.explode(bom.product, quantity, on_date, bom=bom)
    return render(request, "production/bom_explosion.html", {
        "bom": bom, "form": form, "quantity": quantity, "on_date": on_date, "currency": base_currency(),
        "show_costs": may_see_costs(request.user),
        **explosion_rows(explosion)}, status=400 if form.is_bound and form.errors else 200)


# --- Product page panels ---------------------------------------------------------------------------------------

def product_boms_panel(request, product) -> str | None:
    """"Bills of materials": the product's versions, the one in force today, links to each and to a new one."""
    if not request.user.has_perm("production.view_bom"):
        return None
    versions = list(Bom.objects.filter(product=product).order_by("-valid_from", "-id"))
    in_force = bom_queries.boms_in_force([product.pk], timezone.localdate()).get(product.pk)
    return render_to_string("production/partials/_product_boms.html", {
        "versions": versions, "in_force": in_force, "product": product,
        "may_add": request.user.has_perm("production.add_bom")}, request=request)


def product_where_used_panel(request, product) -> str | None:
    """"Where used": the live BOM versions using the product, and those using them, up the levels."""
    if not request.user.has_perm("production.view_bom"):
        return None
    used = bom_queries.where_used(product)
    if not used:
        return None
    return render_to_string("production/partials/_product_where_used.html", {"used": used, "product": product,
                                                                            "today": timezone.localdate()},
                            request=request)


urlpatterns = [
    path("work-centres/", workcentre_list, name="workcentre-list"),
    path("work-centres/new/", workcentre_create, name="workcentre-create"),
    path("work-centres/<int:pk>/", workcentre_detail, name="workcentre-detail"),
    path("work-centres/<int:pk>/archive/", workcentre_archive, name="workcentre-archive"),
    path("work-centres/<int:pk>/restore/", workcentre_restore, name="workcentre-restore"),
    path("boms/", bom_list, name="bom-list"),
    path("boms/new/", bom_create, name="bom-create"),
    path("boms/<int:pk>/", bom_detail, name="bom-detail"),
    path("boms/<int:pk>/edit/", bom_edit, name="bom-edit"),
    path("boms/<int:pk>/archive/", bom_archive, name="bom-archive"),
    path("boms/<int:pk>/restore/", bom_restore, name="bom-restore"),
    path("boms/<int:pk>/explosion/", bom_explosion, name="bom-explosion"),
    path("boms/<int:pk>/lines/add/", bom_line_add, name="bom-line-add"),
    path("boms/<int:pk>/lines/<int:bomline_pk>/", bom_line_edit, name="bom-line-edit"),
    path("boms/<int:pk>/lines/<int:bomline_pk>/remove/", bom_line_remove, name="bom-line-remove"),
    path("boms/<int:pk>/operations/add/", bom_operation_add, name="bom-operation-add"),
    path("boms/<int:pk>/operations/<int:bomoperation_pk>/", bom_operation_edit, name="bom-operation-edit"),
    path("boms/<int:pk>/operations/<int:bomoperation_pk>/remove/", bom_operation_remove,
         name="bom-operation-remove"),
]
