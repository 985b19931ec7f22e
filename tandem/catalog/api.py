"""REST endpoints of the assortment under /api/v1/catalog/ (thin: parse, check the permission, call one service
or query, return the schema)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from tandem.catalog import queries, services
from tandem.catalog.errors import NoPrice
from tandem.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    PriceGroup,
    PriceList,
    PriceListItem,
    Product,
    ProductBarcode,
    TaxCategory,
    Unit,
    UnitConversion,
)
from tandem.catalog.pricing import price_for
from tandem.catalog.schemas import (
    AttributeIn,
    AttributeOut,
    AttributeValueIn,
    AttributeValueOut,
    BarcodeIn,
    BarcodeOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    PriceGroupIn,
    PriceGroupOut,
    PriceGroupPatch,
    PriceListDetailOut,
    PriceListFilters,
    PriceListIn,
    PriceListItemIn,
    PriceListItemOut,
    PriceListOut,
    PriceListPatch,
    PriceOut,
    PriceQuery,
    ProductFilters,
    ProductIn,
    ProductOut,
    ProductPatch,
    TaxCategoryIn,
    TaxCategoryOut,
    TaxCategoryPatch,
    UnitConversionIn,
    UnitConversionOut,
    UnitIn,
    UnitOut,
    UnitPatch,
    VariantsIn,
)
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.errors import BusinessRuleError
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import ArchivedFilter, Id, patch_values

router = Router(tags=["catalog"])

_REFERENCES = {"category_id": Category, "unit_id": Unit, "sale_unit_id": Unit, "purchase_unit_id": Unit,
               "tax_category_id": TaxCategory, "template_id": Product, "parent_id": Category,
               "price_group_id": PriceGroup, "product_id": Product, "from_unit_id": Unit, "to_unit_id": Unit}


def _values(data: dict) -> dict:
    """Schema fields -> service keyword arguments: `<name>_id` resolved to the row (400 naming the field)."""
    for key in [k for k in data if k in _REFERENCES]:
        data[key.removesuffix("_id")] = resolve_visible(_REFERENCES[key], data.pop(key), key)
    return data


def _product_out(product: Product) -> Product:
    return queries.with_list_details(Product.objects.filter(pk=product.pk)).get()


# --- Products -----------------------------------------------------------------------------------------

@router.get("/products", response=Page[ProductOut], summary="List products")
def list_products(request, filters: Query[ProductFilters], pagination: Query[PageParams]):
    require_permission(request, "catalog.view_product")
    qs = queries.filter_products(q=filters.q, category_id=filters.category_id, kind=filters.kind or "",
                                 tracking=filters.tracking or "", template_id=filters.template_id,
                                 archived=filters.archived, sort=filters.sort)
    return paginate(queries.with_list_details(qs), pagination)


@router.post("/products", response={201: ProductOut}, summary="Create a product or service")
def create_product(request, payload: ProductIn):
    require_permission(request, "catalog.add_product")
    product = services.create_product(by=request.user, **_values(payload.dict()))
    return _product_out(product)


@router.get("/products/{product_id}", response=ProductOut, summary="Get a product",
            description="The `ETag` header carries the product's `version`; send it back in `If-Match`.")
def get_product(request, product_id: Id, response: HttpResponse):
    require_permission(request, "catalog.view_product")
    product = _product_out(resolve_visible(Product, product_id))
    response["ETag"] = etag_for(product.version)
    return product


@router.patch("/products/{product_id}", response=ProductOut, summary="Change a product",
              description="Send the version you saw (`If-Match` or `version`); a stale one is refused with 409 "
                          "`stale` and nothing is written.")
def update_product(request, product_id: Id, payload: ProductPatch, response: HttpResponse):
    require_permission(request, "catalog.change_product")
    product = resolve_visible(Product, product_id)
    data = patch_values(payload, Product)
    seen = expected_version(request, data.pop("version", None))
    product = services.update_product(product, by=request.user, expected_version=seen, **_values(data))
    response["ETag"] = etag_for(product.version)
    return _product_out(product)


@router.delete("/products/{product_id}", response={204: None}, summary="Delete a product nothing refers to",
               description="409 `referenced` while price lists, variants or documents refer to it: archive it.")
def delete_product(request, product_id: Id):
    require_permission(request, "catalog.delete_product")
    services.delete_product(resolve_visible(Product, product_id), by=request.user)


@router.post("/products/{product_id}/archive", response=ProductOut, summary="Archive a product (and its variants)")
def archive_product(request, product_id: Id):
    require_permission(request, "catalog.change_product")
    return _product_out(services.archive_product(resolve_visible(Product, product_id), by=request.user))


@router.post("/products/{product_id}/restore", response=ProductOut, summary="Restore an archived product")
def restore_product(request, product_id: Id):
    require_permission(request, "catalog.change_product")
    return _product_out(services.restore_product(resolve_visible(Product, product_id), by=request.user))


@router.post("/products/{product_id}/barcodes", response={201: BarcodeOut}, summary="Add a barcode")
def add_barcode(request, product_id: Id, payload: BarcodeIn):
    require_permission(request, "catalog.change_product")
    product = resolve_visible(Product, product_id)
    unit = resolve_visible(Unit, payload.unit_id, "unit_id")
    return services.add_barcode(product, by=request.user, code=payload.code, unit=unit)


@router.delete("/products/{product_id}/barcodes/{barcode_id}", response={204: None}, summary="Remove a barcode")
def remove_barcode(request, product_id: Id, barcode_id: Id):
    require_permission(request, "catalog.change_product")
    barcode = resolve_visible(ProductBarcode.objects.filter(product_id=product_id), barcode_id)
    services.remove_barcode(barcode, by=request.user)


@router.post("/products/{product_id}/variants", response={201: list[ProductOut]},
             summary="Generate variants from attribute values",
             description="One variant per combination of the values (grouped by attribute); existing "
                         "combinations are skipped.")
def generate_variants(request, product_id: Id, payload: VariantsIn):
    require_permission(request, "catalog.add_product")
    template = resolve_visible(Product, product_id)
    values = [resolve_visible(AttributeValue.objects.select_related("attribute"), pk, "attribute_value_ids")
              for pk in payload.attribute_value_ids]
    created = services.generate_variants(template, by=request.user, attribute_values=values)
    return list(queries.with_list_details(Product.objects.filter(pk__in=[p.pk for p in created])))


@router.get("/products/{product_id}/price", response=PriceOut, summary="The price a client gets, explained",
            description="The most specific price list valid on `date` in `currency` (a list of one of "
                        "`price_group` over a general list), the highest quantity break not above `quantity`. "
                        "404 `no_price` when no list prices the product.")
def product_price(request, product_id: Id, query: Query[PriceQuery]):
    require_permission(request, "catalog.view_product")
    product = resolve_visible(Product.objects.select_related("unit"), product_id)
    unit = resolve_visible(Unit, query.unit_id, "unit_id")
    result = price_for(product, quantity=query.quantity, on_date=query.date or timezone.localdate(),
                       currency=query.currency.upper(), price_groups=query.price_group, unit=unit)
    if result is None:
        raise NoPrice()
    return {"unit_price": str(result.unit_price), "discount_percent": f"{result.discount_percent.normalize():f}",
            "net_unit_price": str(result.net_unit_price), "currency": result.price_list.currency,
            "price_list_id": result.price_list.pk, "price_list": result.price_list.name,
            "item_id": result.item.pk, "explanation": result.explanation}


# --- Categories, units, conversions, tax categories ----------------------------------------------------

@router.get("/categories", response=list[CategoryOut], summary="List product categories")
def list_categories(request, archived: ArchivedFilter = "false"):
    require_permission(request, "catalog.view_category")
    return list(Category.objects.in_archive_state(archived).order_by("name", "id")[:1000])


@router.post("/categories", response={201: CategoryOut}, summary="Create a product category")
def create_category(request, payload: CategoryIn):
    require_permission(request, "catalog.add_category")
    return services.create_category(by=request.user, **_values(payload.dict()))


@router.patch("/categories/{category_id}", response=CategoryOut, summary="Change a product category")
def update_category(request, category_id: Id, payload: CategoryPatch):
    require_permission(request, "catalog.change_category")
    category = resolve_visible(Category, category_id)
    return services.update_category(category, by=request.user, **_values(patch_values(payload, Category)))


@router.post("/categories/{category_id}/archive", response=CategoryOut, summary="Archive a product category")
def archive_category(request, category_id: Id):
    require_permission(request, "catalog.change_category")
    return services.archive_category(resolve_visible(Category, category_id), by=request.user)


@router.post("/categories/{category_id}/restore", response=CategoryOut, summary="Restore a product category")
def restore_category(request, category_id: Id):
    require_permission(request, "catalog.change_category")
    return services.restore_category(resolve_visible(Category, category_id), by=request.user)


@router.get("/units", response=list[UnitOut], summary="List units of measure")
def list_units(request, archived: ArchivedFilter = "false"):
    require_permission(request, "catalog.view_unit")
    return list(Unit.objects.in_archive_state(archived).order_by("code")[:1000])


@router.post("/units", response={201: UnitOut}, summary="Create a unit of measure")
def create_unit(request, payload: UnitIn):
    require_permission(request, "catalog.add_unit")
    return services.create_unit(by=request.user, **payload.dict())


@router.patch("/units/{unit_id}", response=UnitOut, summary="Change a unit of measure")
def update_unit(request, unit_id: Id, payload: UnitPatch):
    require_permission(request, "catalog.change_unit")
    return services.update_unit(resolve_visible(Unit, unit_id), by=request.user, **patch_values(payload, Unit))


@router.get("/unit-conversions", response=list[UnitConversionOut], summary="List unit conversions")
def list_unit_conversions(request, product_id: Id | None = None):
    require_permission(request, "catalog.view_unit")
    qs = UnitConversion.objects.select_related("from_unit", "to_unit")
    qs = qs.filter(product_id=product_id) if product_id else qs.filter(product__isnull=True)
    return list(qs[:1000])


@router.post("/unit-conversions", response={201: UnitConversionOut}, summary="Add a unit conversion",
             description="1 from_unit = factor to_unit, for one product or (without product_id) for all.")
def create_unit_conversion(request, payload: UnitConversionIn):
    require_permission(request, "catalog.change_unit")
    return services.create_unit_conversion(by=request.user, **_values(payload.dict()))


@router.delete("/unit-conversions/{conversion_id}", response={204: None}, summary="Remove a unit conversion")
def delete_unit_conversion(request, conversion_id: Id):
    require_permission(request, "catalog.change_unit")
    services.delete_unit_conversion(resolve_visible(UnitConversion, conversion_id), by=request.user)


@router.get("/tax-categories", response=list[TaxCategoryOut], summary="List tax categories")
def list_tax_categories(request, archived: ArchivedFilter = "false"):
    require_permission(request, "catalog.view_taxcategory")
    return list(TaxCategory.objects.in_archive_state(archived)[:1000])


@router.post("/tax-categories", response={201: TaxCategoryOut}, summary="Create a tax category")
def create_tax_category(request, payload: TaxCategoryIn):
    require_permission(request, "catalog.add_taxcategory")
    return services.create_tax_category(by=request.user, **payload.dict())


@router.patch("/tax-categories/{tax_category_id}", response=TaxCategoryOut, summary="Change a tax category")
def update_tax_category(request, tax_category_id: Id, payload: TaxCategoryPatch):
    require_permission(request, "catalog.change_taxcategory")
    return services.update_tax_category(resolve_visible(TaxCategory, tax_category_id), by=request.user,
                                        **patch_values(payload, TaxCategory))


@router.post("/tax-categories/{tax_category_id}/archive", response=TaxCategoryOut, summary="Archive a tax category",
             description="No longer offered for products; products and documents using it keep it.")
def archive_tax_category(request, tax_category_id: Id):
    require_permission(request, "catalog.change_taxcategory")
    return services.archive_tax_category(resolve_visible(TaxCategory, tax_category_id), by=request.user)


@router.post("/tax-categories/{tax_category_id}/restore", response=TaxCategoryOut, summary="Restore a tax category")
def restore_tax_category(request, tax_category_id: Id):
    require_permission(request, "catalog.change_taxcategory")
    return services.restore_tax_category(resolve_visible(TaxCategory, tax_category_id), by=request.user)


@router.get("/attributes", response=list[AttributeOut], summary="List variant attributes with their values")
def list_attributes(request):
    require_permission(request, "catalog.view_product")
    return list(Attribute.objects.active().prefetch_related("values__attribute")[:1000])


@router.post("/attributes", response={201: AttributeOut}, summary="Create a variant attribute with values")
def create_attribute(request, payload: AttributeIn):
    require_permission(request, "catalog.change_product")
    attribute = services.create_attribute(by=request.user, **payload.dict())
    return Attribute.objects.prefetch_related("values__attribute").get(pk=attribute.pk)


@router.post("/attributes/{attribute_id}/values", response={201: AttributeValueOut},
             summary="Add a value to a variant attribute")
def add_attribute_value(request, attribute_id: Id, payload: AttributeValueIn):
    require_permission(request, "catalog.change_product")
    attribute = resolve_visible(Attribute, attribute_id)
    return services.add_attribute_value(attribute, by=request.user, value=payload.value)


# --- Price groups and price lists ----------------------------------------------------------------------

@router.get("/price-groups", response=list[PriceGroupOut], summary="List price groups")
def list_price_groups(request, archived: ArchivedFilter = "false"):
    require_permission(request, "catalog.view_pricelist")
    return list(PriceGroup.objects.in_archive_state(archived)[:1000])


@router.post("/price-groups", response={201: PriceGroupOut}, summary="Create a price group")
def create_price_group(request, payload: PriceGroupIn):
    require_permission(request, "catalog.add_pricelist")
    return services.create_price_group(by=request.user, **payload.dict())


@router.patch("/price-groups/{price_group_id}", response=PriceGroupOut, summary="Rename a price group")
def update_price_group(request, price_group_id: Id, payload: PriceGroupPatch):
    require_permission(request, "catalog.change_pricelist")
    return services.update_price_group(resolve_visible(PriceGroup, price_group_id), by=request.user,
                                       **patch_values(payload, PriceGroup))


@router.post("/price-groups/{price_group_id}/archive", response=PriceGroupOut, summary="Archive a price group",
             description="No longer offered for new price lists or clients; those using it keep it.")
def archive_price_group(request, price_group_id: Id):
    require_permission(request, "catalog.change_pricelist")
    return services.archive_price_group(resolve_visible(PriceGroup, price_group_id), by=request.user)


@router.post("/price-groups/{price_group_id}/restore", response=PriceGroupOut, summary="Restore a price group")
def restore_price_group(request, price_group_id: Id):
    require_permission(request, "catalog.change_pricelist")
    return services.restore_price_group(resolve_visible(PriceGroup, price_group_id), by=request.user)


@router.get("/price-lists", response=Page[PriceListOut], summary="List price lists")
def list_price_lists(request, filters: Query[PriceListFilters], pagination: Query[PageParams]):
    require_permission(request, "catalog.view_pricelist")
    qs = PriceList.objects.in_archive_state(filters.archived)
    if filters.currency:
        qs = qs.filter(currency=filters.currency.upper())
    if filters.price_group_id:
        qs = qs.filter(price_group_id=filters.price_group_id)
    return paginate(qs.order_by("name", "id"), pagination)


@router.post("/price-lists", response={201: PriceListDetailOut}, summary="Create a price list (with items)")
def create_price_list(request, payload: PriceListIn):
    require_permission(request, "catalog.add_pricelist")
    data = payload.dict()
    items = data.pop("items")
    with transaction.atomic():  # a refused item leaves no half-written list
        price_list = services.create_price_list(by=request.user, **_values(data))
        for position, item in enumerate(items):
            try:
                values = _values(dict(item))
            except BusinessRuleError as exc:
                exc.field = f"items.{position}.{exc.field}"
                raise
            try:
                services.set_price_list_item(price_list, by=request.user, **values)
            except BusinessRuleError as exc:
                exc.field = f"items.{position}.{exc.field}" if exc.field else f"items.{position}"
                raise
    return queries.price_list_with_items(PriceList.objects.filter(pk=price_list.pk)).get()


@router.get("/price-lists/{price_list_id}", response=PriceListDetailOut, summary="Get a price list with items")
def get_price_list(request, price_list_id: Id, response: HttpResponse):
    require_permission(request, "catalog.view_pricelist")
    price_list = resolve_visible(queries.price_list_with_items(PriceList.objects.all()), price_list_id)
    response["ETag"] = etag_for(price_list.version)
    return price_list


@router.patch("/price-lists/{price_list_id}", response=PriceListOut, summary="Change a price list")
def update_price_list(request, price_list_id: Id, payload: PriceListPatch):
    require_permission(request, "catalog.change_pricelist")
    price_list = resolve_visible(PriceList, price_list_id)
    data = patch_values(payload, PriceList)
    seen = expected_version(request, data.pop("version", None))
    return services.update_price_list(price_list, by=request.user, expected_version=seen, **_values(data))


@router.post("/price-lists/{price_list_id}/archive", response=PriceListOut, summary="Archive a price list")
def archive_price_list(request, price_list_id: Id):
    require_permission(request, "catalog.change_pricelist")
    return services.archive_price_list(resolve_visible(PriceList, price_list_id), by=request.user)


@router.post("/price-lists/{price_list_id}/restore", response=PriceListOut, summary="Restore a price list")
def restore_price_list(request, price_list_id: Id):
    require_permission(request, "catalog.change_pricelist")
    return services.restore_price_list(resolve_visible(PriceList, price_list_id), by=request.user)


@router.post("/price-lists/{price_list_id}/items", response={201: PriceListItemOut},
             summary="Set a product's price on the list",
             description="Replaces the item of the same product and quantity break.")
def set_price_list_item(request, price_list_id: Id, payload: PriceListItemIn):
    require_permission(request, "catalog.change_pricelist")
    price_list = resolve_visible(PriceList, price_list_id)
    return services.set_price_list_item(price_list, by=request.user, **_values(payload.dict()))


@router.delete("/price-lists/{price_list_id}/items/{item_id}", response={204: None},
               summary="Remove a price from the list")
def remove_price_list_item(request, price_list_id: Id, item_id: Id):
    require_permission(request, "catalog.change_pricelist")
    item = resolve_visible(PriceListItem.objects.filter(price_list_id=price_list_id), item_id)
    services.remove_price_list_item(item, by=request.user)
