"""Writes of the assortment: units and conversions, categories, tax categories, products (barcodes, variants),
attributes, price groups and price lists.

Each service checks the permission, validates the values (a refusal names the field: 400 "invalid", 409
"duplicate"), writes in one transaction with the audit entry, and returns the row. Products and price lists
carry a `version`: an edit based on an older one is refused (409 "stale")."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
from tandem.core import archive, audit, deletion, limits
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission

UNIT_FIELDS = ("code", "name", "step")
CATEGORY_FIELDS = ("name", "parent")
TAX_CATEGORY_FIELDS = ("name", "rate")
PRODUCT_FIELDS = ("sku", "name", "kind", "category", "unit", "sale_unit", "purchase_unit", "tax_category",
                  "tracking", "template", "description", "weight")
PRICE_GROUP_FIELDS = ("name",)
PRICE_LIST_FIELDS = ("name", "currency", "price_group", "valid_from", "valid_to")
PRICE_ITEM_FIELDS = ("product", "min_quantity", "unit_price", "discount_percent")


def _refuse_unknown_fields(values: dict, allowed) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])


def _clean(obj, exclude=()) -> None:
    """Model validation (lengths, choices, validators, constraints) as a BusinessRuleError on the field."""
    try:
        obj.full_clean(exclude=[*exclude, "created_by", "archived_by", "search_key"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=None if field == "__all__" else field) from None


def _refuse_duplicate(model, field: str, value, *, exclude_pk=None, message: str, **scope) -> None:
    qs = model.objects.filter(**{f"{field}__iexact" if isinstance(value, str) else field: value}, **scope)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ConflictError("duplicate", message, field=field)


def _refuse_duplicate_name(model, values: dict, pk, message: str) -> None:
    """A renamed entry's name, trimmed (in `values`), refused 409 when another entry has it in any case."""
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()
        if values["name"]:
            _refuse_duplicate(model, "name", values["name"], exclude_pk=pk,
                              message=message % {"name": values["name"]})


def _save_new(obj, record, *, duplicate_field: str, duplicate_message: str):
    """Insert `obj` and call `record(obj)` (its audit entry) in one transaction; a unique index hit by a race
    answers 409 "duplicate" on `duplicate_field`."""
    try:
        with transaction.atomic():
            obj.save()
            record(obj)
    except IntegrityError:
        raise ConflictError("duplicate", duplicate_message, field=duplicate_field) from None
    return obj


def _update(obj, values: dict, fields, record, *, expected_version=None, check=None):
    """Lock, refuse a stale edit, set the values, validate, save, and call `record(row, changes)` (the audit
    entry) when something changed."""
    _refuse_unknown_fields(values, fields)
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        if hasattr(locked, "version"):
            refuse_stale(locked, expected_version)
        before = audit.snapshot(locked, fields)
        before_links = archive.link_ids(locked)
        for field, value in values.items():
            setattr(locked, field, "" if value is None and field in ("description",) else value)
        archive.refuse_archived_links(locked, before=before_links)
        if check:
            check(locked)
        _clean(locked)
        changes = audit.diff(before, audit.snapshot(locked, fields))
        if changes:
            if hasattr(locked, "version"):
                bump_version(locked)
            try:
                with transaction.atomic():
                    locked.save()
            except IntegrityError:
                field = next(iter(changes))
                raise ConflictError("duplicate", _("This value is already used."), field=field) from None
            record(locked, changes)
    return locked


# --- Units and conversions ------------------------------------------------------------------------------

def create_unit(*, by, code: str, name: str, step: Decimal = Decimal(1)) -> Unit:
    require_permission(by, "catalog.add_unit")
    unit = Unit(code=(code or "").strip(), name=(name or "").strip(), step=step, created_by=by)
    _clean(unit)
    message = _("Unit “%(code)s” already exists.") % {"code": unit.code}
    _refuse_duplicate(Unit, "code", unit.code, message=message)
    return _save_new(unit, lambda row: audit.record(
        row, "catalog.unit.created", by=by, changes=audit.snapshot(row, UNIT_FIELDS)),
        duplicate_field="code", duplicate_message=message)


def update_unit(unit: Unit, *, by, **values) -> Unit:
    require_permission(by, "catalog.change_unit")
    return _update(unit, values, UNIT_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.unit.updated", by=by, changes=changes))


def archive_unit(unit: Unit, *, by) -> Unit:
    require_permission(by, "catalog.change_unit")
    return archive.archive(unit, by=by)


def restore_unit(unit: Unit, *, by) -> Unit:
    require_permission(by, "catalog.change_unit")
    return archive.restore(unit, by=by)


def create_unit_conversion(*, by, from_unit: Unit, to_unit: Unit, factor: Decimal,
                           product: Product | None = None) -> UnitConversion:
    """"1 box = 12 pc" for a product, or "1 kg = 1000 g" for all (product=None)."""
    require_permission(by, "catalog.change_unit")
    conversion = UnitConversion(product=product, from_unit=from_unit, to_unit=to_unit, factor=factor, created_by=by)
    if from_unit.pk == to_unit.pk:
        raise BusinessRuleError("invalid", _("Choose two different units."), field="to_unit")
    if factor is None or Decimal(factor) <= 0:
        raise BusinessRuleError("invalid", _("The factor must be above zero."), field="factor")
    _clean(conversion)
    archive.refuse_archived_links(conversion)
    pair = UnitConversion.objects.filter(product=product).filter(
        from_unit__in=[from_unit, to_unit], to_unit__in=[from_unit, to_unit])
    message = _("A conversion between %(from)s and %(to)s already exists.") % {"from": from_unit, "to": to_unit}
    if pair.exists():
        raise ConflictError("duplicate", message, field="to_unit")
    root = product or conversion
    return _save_new(conversion, lambda row: audit.record(
        row, "catalog.unitconversion.created", by=by, root=root,
        changes=audit.snapshot(row, ("product", "from_unit", "to_unit", "factor"))),
        duplicate_field="to_unit", duplicate_message=message)


def delete_unit_conversion(conversion: UnitConversion, *, by) -> None:
    require_permission(by, "catalog.change_unit")
    with transaction.atomic():
        audit.record(conversion, "catalog.unitconversion.deleted", by=by, root=conversion.product,
                     changes=audit.snapshot(conversion, ("product", "from_unit", "to_unit", "factor")))
        conversion.delete()


# --- Categories and tax categories -----------------------------------------------------------------------

def _refuse_category_cycle(category: Category) -> None:
    seen = {category.pk}
    parent = category.parent
    while parent is not None:
        if parent.pk in seen:
            raise BusinessRuleError("cycle", _("A category cannot be inside itself."), field="parent")
        seen.add(parent.pk)
        parent = parent.parent


def create_category(*, by, name: str, parent: Category | None = None) -> Category:
    require_permission(by, "catalog.add_category")
    category = Category(name=(name or "").strip(), parent=parent, created_by=by)
    _clean(category)
    archive.refuse_archived_links(category)
    message = _("Category “%(name)s” already exists here.") % {"name": category.name}
    _refuse_duplicate(Category, "name", category.name, message=message, parent=parent)
    return _save_new(category, lambda row: audit.record(
        row, "catalog.category.created", by=by, changes=audit.snapshot(row, CATEGORY_FIELDS)),
        duplicate_field="name", duplicate_message=message)


def update_category(category: Category, *, by, **values) -> Category:
    require_permission(by, "catalog.change_category")
    return _update(category, values, CATEGORY_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.category.updated", by=by, changes=changes),
                   check=_refuse_category_cycle)


def archive_category(category: Category, *, by) -> Category:
    require_permission(by, "catalog.change_category")
    return archive.archive(category, by=by)


def restore_category(category: Category, *, by) -> Category:
    require_permission(by, "catalog.change_category")
    return archive.restore(category, by=by)


def create_tax_category(*, by, name: str, rate: Decimal) -> TaxCategory:
    require_permission(by, "catalog.add_taxcategory")
    tax = TaxCategory(name=(name or "").strip(), rate=rate, created_by=by)
    _check_percent(rate, "rate")
    _clean(tax)
    message = _("Tax category “%(name)s” already exists.") % {"name": tax.name}
    _refuse_duplicate(TaxCategory, "name", tax.name, message=message)
    return _save_new(tax, lambda row: audit.record(
        row, "catalog.taxcategory.created", by=by, changes=audit.snapshot(row, TAX_CATEGORY_FIELDS)),
        duplicate_field="name", duplicate_message=message)


def update_tax_category(tax: TaxCategory, *, by, **values) -> TaxCategory:
    require_permission(by, "catalog.change_taxcategory")
    if "rate" in values:
        _check_percent(values["rate"], "rate")
    _refuse_duplicate_name(TaxCategory, values, tax.pk, _("Tax category “%(name)s” already exists."))
    return _update(tax, values, TAX_CATEGORY_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.taxcategory.updated", by=by, changes=changes))


def archive_tax_category(tax: TaxCategory, *, by) -> TaxCategory:
    """Out of the product form's picker; products and documents that use it keep showing it."""
    require_permission(by, "catalog.change_taxcategory")
    return archive.archive(tax, by=by)


def restore_tax_category(tax: TaxCategory, *, by) -> TaxCategory:
    require_permission(by, "catalog.change_taxcategory")
    return archive.restore(tax, by=by)


def _check_percent(value, field: str) -> None:
    if value is None or not Decimal(0) <= Decimal(value) <= Decimal(100):
        raise BusinessRuleError("invalid", _("Enter a percentage from 0 to 100."), field=field)


# --- Products ------------------------------------------------------------------------------------------

def _check_product(product: Product) -> None:
    if product.template_id:
        if product.template_id == product.pk:
            raise BusinessRuleError("invalid", _("A product cannot be its own template."), field="template")
        if product.template.template_id:
            raise BusinessRuleError("invalid", _("A variant cannot serve as a template."), field="template")
    if product.kind == Product.Kind.SERVICE and product.tracking != Product.Tracking.NONE:
        raise BusinessRuleError("invalid", _("Services are not tracked by lot or serial number."), field="tracking")
    if product.weight is not None and product.weight < 0:
        raise BusinessRuleError("invalid", _("A weight cannot be negative."), field="weight")


def create_product(*, by, sku: str, name: str, unit: Unit, barcodes=(), attribute_values=(), **values) -> Product:
    """A new product or service. SKUs are unique (ignoring case): 409 "duplicate" on "sku"."""
    require_permission(by, "catalog.add_product")
    _refuse_unknown_fields(values, PRODUCT_FIELDS)
    product = Product(sku=(sku or "").strip(), name=(name or "").strip(), unit=unit, created_by=by, **values)
    product.description = product.description or ""
    _clean(product)
    _check_product(product)
    archive.refuse_archived_links(product)
    message = _("A product with SKU “%(sku)s” already exists.") % {"sku": product.sku}
    _refuse_duplicate(Product, "sku", product.sku, message=message)
    codes = [_clean_barcode(code) for code in barcodes if code]
    try:
        with transaction.atomic():
            product.save()
            for code in codes:
                _add_barcode(product, code, by=by)
            if attribute_values:
                product.attribute_values.set(attribute_values)
            audit.record(product, "catalog.product.created", by=by, changes=audit.snapshot(product, PRODUCT_FIELDS))
    except IntegrityError:
        raise ConflictError("duplicate", message, field="sku") from None
    return product


def update_product(product: Product, *, by, expected_version: int | None = None, **values) -> Product:
    """Change a product; `expected_version` the version the user saw (409 "stale" when it changed since)."""
    require_permission(by, "catalog.change_product")
    if "sku" in values:
        values["sku"] = (values["sku"] or "").strip()
        _refuse_duplicate(Product, "sku", values["sku"], exclude_pk=product.pk,
                          message=_("A product with SKU “%(sku)s” already exists.") % {"sku": values["sku"]})
    return _update(product, values, PRODUCT_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.product.updated", by=by, changes=changes),
                   expected_version=expected_version, check=_check_product)


def archive_product(product: Product, *, by) -> Product:
    """Out of pickers and the default list; documents keep showing it. Archiving a template archives its
    variants too."""
    require_permission(by, "catalog.change_product")
    with transaction.atomic():
        for variant in product.variants.filter(is_archived=False).order_by("pk"):
            archive.archive(variant, by=by)
        return archive.archive(product, by=by)


def restore_product(product: Product, *, by) -> Product:
    require_permission(by, "catalog.change_product")
    return archive.restore(product, by=by)


def delete_product(product: Product, *, by) -> None:
    """Only a product nothing refers to (refused 409 naming the references otherwise): archive it instead."""
    require_permission(by, "catalog.delete_product")
    deletion.delete(product, by=by, changes=audit.snapshot(product, ("sku", "name")))


def _clean_barcode(code: str) -> str:
    from tandem.catalog.models import validate_barcode

    code = "".join((code or "").split())
    try:
        validate_barcode(code)
    except ValidationError as exc:
        raise BusinessRuleError("invalid", exc.messages[0], field="barcode") from None
    if ProductBarcode.objects.filter(code=code).exists():
        raise ConflictError("duplicate", _("Barcode %(code)s is already on another product.") % {"code": code},
                            field="barcode")
    return code


def _add_barcode(product: Product, code: str, *, by, unit: Unit | None = None) -> ProductBarcode:
    barcode = ProductBarcode.objects.create(product=product, code=code, unit=unit, created_by=by)
    audit.record(barcode, "catalog.productbarcode.created", by=by, root=product, changes={"code": code})
    return barcode


def add_barcode(product: Product, *, by, code: str, unit: Unit | None = None) -> ProductBarcode:
    """An EAN/GTIN with a correct check digit, not on any other product (400 "invalid" / 409 "duplicate")."""
    require_permission(by, "catalog.change_product")
    code = _clean_barcode(code)
    try:
        with transaction.atomic():
            return _add_barcode(product, code, by=by, unit=unit)
    except IntegrityError:
        raise ConflictError("duplicate", _("Barcode %(code)s is already on another product.") % {"code": code},
                            field="barcode") from None


def remove_barcode(barcode: ProductBarcode, *, by) -> None:
    require_permission(by, "catalog.change_product")
    with transaction.atomic():
        audit.record(barcode, "catalog.productbarcode.deleted", by=by, root=barcode.product,
                     changes={"code": barcode.code})
        barcode.delete()


# --- Attributes and variants ---------------------------------------------------------------------------

def create_attribute(*, by, name: str, values=()) -> Attribute:
    """"Size" with values "S", "M", "L" (in that order)."""
    require_permission(by, "catalog.change_product")
    attribute = Attribute(name=(name or "").strip(), created_by=by)
    _clean(attribute)
    message = _("Attribute “%(name)s” already exists.") % {"name": attribute.name}
    _refuse_duplicate(Attribute, "name", attribute.name, message=message)
    with transaction.atomic():
        _save_new(attribute, lambda row: audit.record(
        row, "catalog.attribute.created", by=by, changes=audit.snapshot(row, ("name",))),
        duplicate_field="name", duplicate_message=message)
        for value in values:
            add_attribute_value(attribute, by=by, value=value)
    return attribute


def add_attribute_value(attribute: Attribute, *, by, value: str) -> AttributeValue:
    require_permission(by, "catalog.change_product")
    value = (value or "").strip()
    row = AttributeValue(attribute=attribute, value=value, position=attribute.values.count(), created_by=by)
    _clean(row)
    message = _("“%(value)s” is already a value of %(attribute)s.") % {"value": value, "attribute": attribute}
    _refuse_duplicate(AttributeValue, "value", value, message=message, attribute=attribute)
    return _save_new(row, lambda row: audit.record(
        row, "catalog.attributevalue.created", by=by, changes=audit.snapshot(row, ("value",)), root=attribute),
        duplicate_field="value", duplicate_message=message)


def _slug(text: str) -> str:
    return "".join(ch for ch in text.upper().replace(" ", "-") if ch.isalnum() or ch == "-")[:16]


def generate_variants(template: Product, *, by, attribute_values) -> list[Product]:
    """One variant per combination of the given values (grouped by attribute): T-shirt × {S, M} × {Red, Blue}
    makes 4 variants "TSHIRT-S-RED" "T-shirt S Red" sharing the template's unit, category, tax and tracking.
    Combinations that already have a variant are skipped; returns the new variants."""
    require_permission(by, "catalog.add_product")
    if template.template_id:
        raise BusinessRuleError("invalid", _("A variant cannot serve as a template."), field="template")
    values = sorted(attribute_values, key=lambda v: (v.attribute.name, v.position, v.pk))
    if not values:
        raise BusinessRuleError("required", _("Choose at least one attribute value."), field="attribute_values")
    groups = [list(group) for _key, group in itertools.groupby(values, key=lambda v: v.attribute_id)]
    existing = {frozenset(v.attribute_values.values_list("pk", flat=True))
                for v in template.variants.prefetch_related("attribute_values")}
    created = []
    with transaction.atomic():
        for combination in itertools.product(*groups):
            key = frozenset(v.pk for v in combination)
            if key in existing:
                continue
            sku = "-".join([template.sku, *(_slug(v.value) for v in combination)])[:64]
            name = " ".join([template.name, *(v.value for v in combination)])[:300]
            created.append(create_product(
                by=by, sku=sku, name=name, unit=template.unit, kind=template.kind, category=template.category,
                sale_unit=template.sale_unit, purchase_unit=template.purchase_unit,
                tax_category=template.tax_category, tracking=template.tracking, template=template,
                attribute_values=list(combination)))
    return created


# --- Price groups and price lists ----------------------------------------------------------------------

def create_price_group(*, by, name: str) -> PriceGroup:
    require_permission(by, "catalog.add_pricelist")
    group = PriceGroup(name=(name or "").strip(), created_by=by)
    _clean(group)
    message = _("Price group “%(name)s” already exists.") % {"name": group.name}
    _refuse_duplicate(PriceGroup, "name", group.name, message=message)
    return _save_new(group, lambda row: audit.record(
        row, "catalog.pricegroup.created", by=by, changes=audit.snapshot(row, PRICE_GROUP_FIELDS)),
        duplicate_field="name", duplicate_message=message)


def update_price_group(group: PriceGroup, *, by, **values) -> PriceGroup:
    require_permission(by, "catalog.change_pricelist")
    _refuse_duplicate_name(PriceGroup, values, group.pk, _("Price group “%(name)s” already exists."))
    return _update(group, values, PRICE_GROUP_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.pricegroup.updated", by=by, changes=changes))


def archive_price_group(group: PriceGroup, *, by) -> PriceGroup:
    require_permission(by, "catalog.change_pricelist")
    return archive.archive(group, by=by)


def restore_price_group(group: PriceGroup, *, by) -> PriceGroup:
    require_permission(by, "catalog.change_pricelist")
    return archive.restore(group, by=by)


def _check_price_list(price_list: PriceList) -> None:
    if price_list.valid_from and price_list.valid_to and price_list.valid_to < price_list.valid_from:
        raise BusinessRuleError("invalid", _("The end date is before the start date."), field="valid_to")
    for field in ("valid_from", "valid_to"):
        if getattr(price_list, field):
            limits.check_date(getattr(price_list, field), field=field)


def create_price_list(*, by, name: str, currency: str, price_group: PriceGroup | None = None, valid_from=None,
                      valid_to=None) -> PriceList:
    require_permission(by, "catalog.add_pricelist")
    price_list = PriceList(name=(name or "").strip(), currency=(currency or "").upper().strip(),
                           price_group=price_group, valid_from=valid_from, valid_to=valid_to, created_by=by)
    _check_price_list(price_list)
    _clean(price_list)
    archive.refuse_archived_links(price_list)
    with transaction.atomic():
        price_list.save()
        audit.record(price_list, "catalog.pricelist.created", by=by,
                     changes=audit.snapshot(price_list, PRICE_LIST_FIELDS))
    return price_list


def update_price_list(price_list: PriceList, *, by, expected_version: int | None = None, **values) -> PriceList:
    require_permission(by, "catalog.change_pricelist")
    if values.get("currency"):
        values["currency"] = values["currency"].upper().strip()
    return _update(price_list, values, PRICE_LIST_FIELDS,
                   lambda row, changes: audit.record(row, "catalog.pricelist.updated", by=by, changes=changes),
                   expected_version=expected_version, check=_check_price_list)


def archive_price_list(price_list: PriceList, *, by) -> PriceList:
    require_permission(by, "catalog.change_pricelist")
    return archive.archive(price_list, by=by)


def restore_price_list(price_list: PriceList, *, by) -> PriceList:
    require_permission(by, "catalog.change_pricelist")
    return archive.restore(price_list, by=by)


def set_price_list_item(price_list: PriceList, *, by, product: Product, unit_price: Decimal,
                        min_quantity: Decimal = Decimal(0), discount_percent: Decimal = Decimal(0)) -> PriceListItem:
    """The product's unit price (per stock unit) on the list from `min_quantity` on; replaces the item of the
    same break. Counts as a change of the list (its version goes up)."""
    require_permission(by, "catalog.change_pricelist")
    min_quantity = Decimal(min_quantity if min_quantity is not None else 0)
    discount_percent = Decimal(discount_percent if discount_percent is not None else 0)
    limits.check_amount(unit_price, field="unit_price", high=limits.MAX_RATE)
    limits.check_amount(min_quantity, field="min_quantity")
    _check_percent(discount_percent, "discount_percent")
    archive.refuse_archived_links(PriceListItem(price_list=price_list, product=product), fields=["product"])
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        item = PriceListItem.objects.filter(price_list=locked, product=product, min_quantity=min_quantity).first()
        before = audit.snapshot(item, PRICE_ITEM_FIELDS) if item else {}
        item = item or PriceListItem(price_list=locked, product=product, min_quantity=min_quantity, created_by=by)
        item.unit_price, item.discount_percent = unit_price, discount_percent
        _clean(item, exclude=("price_list",))
        item.save()
        item.refresh_from_db()
        changes = audit.diff(before, audit.snapshot(item, PRICE_ITEM_FIELDS)) if before else \
            audit.snapshot(item, PRICE_ITEM_FIELDS)
        if changes:
            locked.save(update_fields=bump_version(locked) + ["updated_at"])
            audit.record(item, "catalog.pricelistitem.saved", by=by, root=locked, changes=changes)
    return item


def remove_price_list_item(item: PriceListItem, *, by) -> None:
    require_permission(by, "catalog.change_pricelist")
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=item.price_list_id)
        audit.record(item, "catalog.pricelistitem.deleted", by=by, root=locked,
                     changes=audit.snapshot(item, PRICE_ITEM_FIELDS))
        item.delete()
        locked.save(update_fields=bump_version(locked) + ["updated_at"])
