"""REST endpoints of work centres and bills of materials under /api/v1/production/ (thin: look up, check the
permission, one service; the rules live in bom_services, the reads in bom_queries)."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from tandem.catalog.models import Product
from tandem.core import limits
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import DecimalString, Id
from tandem.core.services import base_currency
from tandem.production import bom_queries, bom_services
from tandem.production.bom_schemas import (
    BomExplosionOut,
    BomIn,
    BomLineIn,
    BomLinePatch,
    BomOperationIn,
    BomOperationPatch,
    BomOut,
    BomPatch,
    BomSummaryOut,
    BomWhereUsedOut,
    WorkCentreIn,
    WorkCentreOut,
    WorkCentrePatch,
)
from tandem.production.models import Bom, BomLine, BomOperation, WorkCentre

router = Router(tags=["production"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed it since, nothing is written: 409 `stale`.")


@contextmanager
def _prefixed(prefix: str):
    """A service's refusal about one item of a list names it: `lines.2.quantity`."""
    try:
        yield
    except BusinessRuleError as exc:
        exc.field = f"{prefix}{exc.field}" if exc.field else prefix.rstrip(".")
        raise


# --- Work centres ----------------------------------------------------------------------------------------------

@router.get("/work-centres", response=Page[WorkCentreOut], summary="List work centres")
def list_work_centres(request, pagination: Query[PageParams], archived: bool = False):
    require_permission(request, "production.view_workcentre")
    return paginate(WorkCentre.objects.filter(is_archived=archived).order_by("code", "pk"), pagination)


@router.post("/work-centres", response={201: WorkCentreOut}, summary="Add a work centre")
def create_work_centre(request, payload: WorkCentreIn):
    require_permission(request, "production.add_workcentre")
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return 201, bom_services.create_work_centre(by=request.user, **values)


@router.get("/work-centres/{work_centre_id}", response=WorkCentreOut, summary="Get a work centre")
def get_work_centre(request, work_centre_id: Id, response: HttpResponse):
    require_permission(request, "production.view_workcentre")
    centre = resolve_visible(WorkCentre, work_centre_id)
    response["ETag"] = etag_for(centre.version)
    return centre


@router.patch("/work-centres/{work_centre_id}", response=WorkCentreOut, summary="Change a work centre",
              description=_VERSION)
def update_work_centre(request, work_centre_id: Id, payload: WorkCentrePatch, response: HttpResponse):
    require_permission(request, "production.change_workcentre")
    centre = resolve_visible(WorkCentre, work_centre_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    seen = expected_version(request, values.pop("version", None))
    centre = bom_services.update_work_centre(centre, by=request.user, expected_version=seen, **values)
    response["ETag"] = etag_for(centre.version)
    return centre


@router.post("/work-centres/{work_centre_id}/archive", response=WorkCentreOut, summary="Archive a work centre")
def archive_work_centre(request, work_centre_id: Id):
    require_permission(request, "production.change_workcentre")
    return bom_services.archive_work_centre(resolve_visible(WorkCentre, work_centre_id), by=request.user)


@router.post("/work-centres/{work_centre_id}/restore", response=WorkCentreOut, summary="Restore a work centre")
def restore_work_centre(request, work_centre_id: Id):
    require_permission(request, "production.change_workcentre")
    return bom_services.restore_work_centre(resolve_visible(WorkCentre, work_centre_id), by=request.user)


# --- BOM versions ----------------------------------------------------------------------------------------------

def _boms():
    return Bom.objects.select_related("product__unit")


def _bom(request, bom_id: int) -> Bom:
    require_permission(request, "production.view_bom")
    return resolve_visible(_boms(), bom_id)


def _out(bom: Bom, response: HttpResponse) -> Bom:
    fresh = _boms().get(pk=bom.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


class BomFilters(Schema):
    product_id: Id | None = None
    q: str = ""
    archived: bool = False


@router.get("/boms", response=Page[BomSummaryOut], summary="List BOM versions",
            description="`q`: part of the product's SKU or name; `product_id`: the versions of one product.")
def list_boms(request, filters: Query[BomFilters], pagination: Query[PageParams]):
    require_permission(request, "production.view_bom")
    qs = _boms().filter(is_archived=filters.archived)
    if filters.product_id:
        qs = qs.filter(product_id=filters.product_id)
    if filters.q:
        from tandem.catalog.queries import search_products

        qs = qs.filter(product__in=search_products(Product.objects.all(), filters.q[:50]).values("pk"))
    return paginate(qs.order_by("product__sku", "-valid_from", "-id"), pagination)


def _line_values(values: dict, prefix: str = "") -> dict:
    if values.get("component_id") is not None:
        values["component"] = resolve_visible(Product, values.pop("component_id"), f"{prefix}component_id")
    values.pop("component_id", None)
    return {k: v for k, v in values.items() if v is not None}


def _operation_values(values: dict, prefix: str = "") -> dict:
    if values.get("work_centre_id") is not None:
        values["work_centre"] = resolve_visible(WorkCentre, values.pop("work_centre_id"), f"{prefix}work_centre_id")
    values.pop("work_centre_id", None)
    return {k: v for k, v in values.items() if v is not None}


@router.post("/boms", response={201: BomOut}, summary="Make a BOM version",
             description="With `copy_from_id` it starts from that version's lines and operations; `lines` and "
                         "`operations` are added after (all or nothing). Versions of one product must not "
                         "overlap (400 `overlap` on `valid_from`); a component that is the product or is made "
                         "from it at any level is refused (400 `self_component` / `cycle`).")
def create_bom(request, payload: BomIn, response: HttpResponse):
    require_permission(request, "production.add_bom")
    values = payload.dict()
    product = resolve_visible(Product, values.pop("product_id"), "product_id")
    source = resolve_visible(_boms(), values.pop("copy_from_id"), "copy_from_id")
    lines, operations = values.pop("lines"), values.pop("operations")
    values = {k: v for k, v in values.items() if v is not None or k == "valid_to"}
    with transaction.atomic():
        bom = bom_services.create_bom(product=product, by=request.user, copy_from=source, **values)
        for index, line in enumerate(lines):
            prefix = f"lines.{index}."
            with _prefixed(prefix):
                bom_services.add_bom_line(bom, by=request.user, **_line_values(line, prefix))
        for index, operation in enumerate(operations):
            prefix = f"operations.{index}."
            with _prefixed(prefix):
                bom_services.add_bom_operation(bom, by=request.user, **_operation_values(operation, prefix))
    return 201, _out(bom, response)


@router.get("/boms/{bom_id}", response=BomOut, summary="Get a BOM version with its lines and operations",
            description="The `ETag` header carries the version's `version`.")
def get_bom(request, bom_id: Id, response: HttpResponse):
    return _out(_bom(request, bom_id), response)


@router.patch("/boms/{bom_id}", response=BomOut, summary="Change a BOM version's name, quantity or validity",
              description=_VERSION)
def update_bom(request, bom_id: Id, payload: BomPatch, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "valid_to"}
    seen = expected_version(request, values.pop("version", None))
    bom_services.update_bom(bom, by=request.user, expected_version=seen, **values)
    return _out(bom, response)


@router.post("/boms/{bom_id}/archive", response=BomOut, summary="Archive a BOM version")
def archive_bom(request, bom_id: Id, response: HttpResponse):
    bom = _bom(request, bom_id)
    bom_services.archive_bom(bom, by=request.user)
    return _out(bom, response)


@router.post("/boms/{bom_id}/restore", response=BomOut, summary="Restore a BOM version",
             description="Refused (400 `overlap`) when another live version covers its dates.")
def restore_bom(request, bom_id: Id, response: HttpResponse):
    bom = _bom(request, bom_id)
    bom_services.restore_bom(bom, by=request.user)
    return _out(bom, response)


@router.post("/boms/{bom_id}/lines", response={201: BomOut}, summary="Add a component", description=_VERSION)
def add_bom_line(request, bom_id: Id, payload: BomLineIn, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    bom_services.add_bom_line(bom, by=request.user, expected_version=expected_version(request, None),
                              **_line_values(payload.dict()))
    return 201, _out(bom, response)


def _line(bom: Bom, line_id: int) -> BomLine:
    return resolve_visible(BomLine.objects.filter(bom=bom).select_related("bom", "component"), line_id)


@router.patch("/boms/{bom_id}/lines/{bom_line_id}", response=BomOut, summary="Change a component line",
              description=_VERSION)
def update_bom_line(request, bom_id: Id, bom_line_id: Id, payload: BomLinePatch, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    bom_services.update_bom_line(_line(bom, bom_line_id), by=request.user, expected_version=seen,
                                 **_line_values(values))
    return _out(bom, response)


@router.delete("/boms/{bom_id}/lines/{bom_line_id}", response=BomOut, summary="Remove a component line",
               description=_VERSION)
def remove_bom_line(request, bom_id: Id, bom_line_id: Id, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    bom_services.remove_bom_line(_line(bom, bom_line_id), by=request.user,
                                 expected_version=expected_version(request, None))
    return _out(bom, response)


@router.post("/boms/{bom_id}/operations", response={201: BomOut}, summary="Add an operation",
             description=_VERSION)
def add_bom_operation(request, bom_id: Id, payload: BomOperationIn, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    bom_services.add_bom_operation(bom, by=request.user, expected_version=expected_version(request, None),
                                   **_operation_values(payload.dict()))
    return 201, _out(bom, response)


def _operation(bom: Bom, operation_id: int) -> BomOperation:
    return resolve_visible(BomOperation.objects.filter(bom=bom).select_related("bom", "work_centre"), operation_id)


@router.patch("/boms/{bom_id}/operations/{bom_operation_id}", response=BomOut, summary="Change an operation",
              description=_VERSION)
def update_bom_operation(request, bom_id: Id, bom_operation_id: Id, payload: BomOperationPatch,
                         response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    bom_services.update_bom_operation(_operation(bom, bom_operation_id), by=request.user, expected_version=seen,
                                      **_operation_values(values))
    return _out(bom, response)


@router.delete("/boms/{bom_id}/operations/{bom_operation_id}", response=BomOut, summary="Remove an operation",
               description=_VERSION)
def remove_bom_operation(request, bom_id: Id, bom_operation_id: Id, response: HttpResponse):
    bom = _bom(request, bom_id)
    require_permission(request, "production.change_bom")
    bom_services.remove_bom_operation(_operation(bom, bom_operation_id), by=request.user,
                                      expected_version=expected_version(request, None))
    return _out(bom, response)


# --- Explosion and where-used ----------------------------------------------------------------------------------

class BomExplosionQuery(Schema):
    quantity: DecimalString = None
    date: limits.Date | None = None


def _ref(product) -> dict:
    return {"id": product.pk, "sku": product.sku, "name": product.name, "unit": product.unit.code}


def _explosion_out(explosion, *, costs: bool) -> dict:
    def text(value, places=4):
        return None if value is None else str(bom_queries.as_decimal(value, places))

    def money(value):
        from decimal import ROUND_HALF_UP

        if not costs or value is None:
            return None
        return str(bom_queries.as_decimal(value, 6, rounding=ROUND_HALF_UP))

    return {
        "product": _ref(explosion.product), "bom_id": explosion.bom.pk if explosion.bom else None,
        "quantity": text(explosion.quantity), "date": explosion.on_date, "currency": base_currency(),
        "levels": explosion.levels, "material_cost": money(explosion.material_cost),
        "operation_cost": money(explosion.operation_cost), "total_cost": money(explosion.total_cost),
        "unit_cost": money(explosion.unit_cost),
        "missing_costs": [_ref(p) for p in explosion.missing_costs] if costs else [],
        "rows": [{"level": row.level, "path": list(row.path), "product": _ref(row.product),
                  "bom_id": row.bom.pk if row.bom else None, "line_quantity": text(row.line.quantity),
                  "scrap_percent": text(row.line.scrap_percent), "quantity": text(row.quantity),
                  "unit_cost": money(row.unit_cost), "cost": money(row.cost)} for row in explosion.rows],
        "operations": [{"level": op.level, "product": _ref(op.product), "name": op.name,
                        "work_centre": op.work_centre.code, "minutes": text(op.minutes), "cost": money(op.cost)}
                       for op in explosion.operations],
    }


def may_see_costs(user) -> bool:
    """As on the explosion page: costs for readers of stock valuation and keepers of BOMs; null for others."""
    return user.has_perm("stock.view_valuation") or user.has_perm("production.change_bom")


_EXPLOSION = ("Every level down to bought components: quantities for the whole `quantity` with the scrap of "
              "every level multiplied in (4 places, rounded up); the standard cost roll-up in the base currency "
              "(6 places; bought components at their stock valuation cost, operations at the work centres' "
              "rates; null for users who neither read stock valuation nor keep BOMs). "
              "`missing_costs`: bought components without a known cost (counted as zero).")


@router.get("/boms/{bom_id}/explosion", response=BomExplosionOut, summary="Explode a BOM version",
            description=_EXPLOSION + " Sub-assemblies use their versions in force on `date` (default today).")
def explode_bom(request, bom_id: Id, params: Query[BomExplosionQuery]):
    bom = _bom(request, bom_id)
    quantity = params.quantity if params.quantity else bom.quantity
    on_date = params.date or timezone.localdate()
    return _explosion_out(bom_queries.explode(bom.product, quantity, on_date, bom=bom),
                          costs=may_see_costs(request.user))


@router.get("/products/{product_id}/explosion", response=BomExplosionOut, summary="Explode a product",
            description=_EXPLOSION + " Uses the product's version in force on `date` (default today); none: no rows.")
def explode_product(request, product_id: Id, params: Query[BomExplosionQuery]):
    require_permission(request, "production.view_bom")
    product = resolve_visible(Product.objects.select_related("unit"), product_id)
    on_date: datetime.date = params.date or timezone.localdate()
    return _explosion_out(bom_queries.explode(product, params.quantity or 1, on_date),
                          costs=may_see_costs(request.user))


@router.get("/products/{product_id}/where-used", response=list[BomWhereUsedOut],
            summary="Where a product is used",
            description="The live BOM versions naming the product (level 1), those naming their products (level 2), "
                        "up to the top. `date`: only versions in force on that date.")
def where_used(request, product_id: Id, date: limits.Date | None = None):
    require_permission(request, "production.view_bom")
    product = resolve_visible(Product, product_id)
    return bom_queries.where_used(product, on_date=date)
