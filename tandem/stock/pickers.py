"""The searchable pickers of the stock forms (core.pickers): goods by SKU prefix or a part of the name,
showing the unit and what is on hand (PRODUCT_PICKER); locations by code or name, kept to a warehouse
(LOCATION_PICKER); lots of the chosen product by code, with expiry date and what is available
(LOT_PICKER). The sales shipment form uses the location and lot pickers too."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.catalog.models import Product
from tandem.core.formats import format_date, format_number
from tandem.core.pickers import PickerField, PickerOption, PickerSource
from tandem.stock.models import Location, Lot, Reservation, StockLevel, WarehouseStock


def stocked_products() -> QuerySet[Product]:
    """Goods that are not archived and not variant templates: what can be moved."""
    return Product.objects.filter(kind=Product.Kind.GOODS, is_archived=False).exclude(variants__isnull=False)


def search_products(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = text.strip()
    return qs.filter(Q(sku__istartswith=text) | Q(name__icontains=text)).select_related("unit").order_by("sku")


def exact_products(qs: QuerySet[Product], text: str) -> QuerySet[Product]:
    text = text.strip()
    return qs.filter(Q(sku__iexact=text) | Q(name__iexact=text))


def describe_products(rows: list[Product]) -> list[PickerOption]:
    """SKU and name; unit, tracking and on hand in all warehouses (one query for all rows)."""
    on_hand = dict(WarehouseStock.objects.filter(product_id__in=[p.pk for p in rows]).values("product_id")
                   .annotate(total=Sum("on_hand")).values_list("product_id", "total"))
    options = []
    for product in rows:
        parts = [product.unit.code]
        if product.tracking != Product.Tracking.NONE:
            parts.append(str(product.get_tracking_display()))
        total = on_hand.get(product.pk)
        if total is not None:
            parts.append(str(gettext_lazy("on hand %(quantity)s")) % {"quantity": format(total.normalize(), "f")})
        options.append(PickerOption(product.pk, f"{product.sku} {product.name}", " · ".join(parts)))
    return options


PRODUCT_PICKER = PickerSource(
    url_name="stock:product-picker",
    noun=gettext_lazy("product"),
    search=search_products,
    describe=describe_products,
    exact=exact_products,
    placeholder=gettext_lazy("SKU or name…"),
)


# --- Locations: a warehouse's bins, by code or name ------------------------------------------------------------


def search_locations(qs: QuerySet[Location], text: str) -> QuerySet[Location]:
    text = text.strip()
    return (qs.filter(Q(code__istartswith=text) | Q(name__icontains=text) | Q(warehouse__code__iexact=text))
            .select_related("warehouse").order_by("warehouse__code", "code"))


def exact_locations(qs: QuerySet[Location], text: str) -> QuerySet[Location]:
    """A location typed as its code ("A1") or as the picker shows it ("MAIN/A1")."""
    text = text.strip()
    warehouse, slash, code = text.rpartition("/")
    if slash:
        return qs.filter(warehouse__code__iexact=warehouse.strip(), code__iexact=code.strip())
    return qs.filter(code__iexact=text)


def describe_locations(rows: list[Location]) -> list[PickerOption]:
    """"MAIN/A1", with its name, kind (quarantine) and warehouse; the warehouse is the parent a dependent
    picker follows."""
    options = []
    for location in rows:
        parts = [location.name] if location.name else []
        if location.kind != Location.Kind.STORAGE:
            parts.append(str(location.get_kind_display()))
        parts.append(location.warehouse.name)
        options.append(PickerOption(location.pk, str(location), " · ".join(parts),
                                    parent_id=location.warehouse_id, parent_label=str(location.warehouse)))
    return options


LOCATION_PICKER = PickerSource(
    url_name="stock:location-picker",
    noun=gettext_lazy("location"),
    search=search_locations,
    describe=describe_locations,
    exact=exact_locations,
    parent="warehouse",
    placeholder=gettext_lazy("Bin code or name…"),
)


def location_field(label, **kwargs) -> PickerField:
    """A location picker over every active location; `fix_parent(warehouse_id)` (or `for_warehouse`) keeps it
    to one warehouse, offered and accepted."""
    return PickerField(LOCATION_PICKER, label=label, queryset=Location.objects.filter(is_archived=False)
                       .select_related("warehouse"), **kwargs)


def for_warehouse(field: PickerField, warehouse_id) -> None:
    """Only the warehouse's locations are offered and accepted (one of another is a form error on the field)."""
    field.queryset = field.queryset.filter(warehouse_id=warehouse_id)
    field.fix_parent(warehouse_id)


# --- Lots: a product's lots by code, with expiry and what is available ---------------------------------------


def search_lots(qs: QuerySet[Lot], text: str) -> QuerySet[Lot]:
    return qs.filter(code__istartswith=text.strip()).order_by("expiry_date", "code", "id")


def exact_lots(qs: QuerySet[Lot], text: str) -> QuerySet[Lot]:
    return qs.filter(code__iexact=text.strip())


def describe_lots(rows: list[Lot], warehouse_id: int | None = None) -> list[PickerOption]:
    """The lot code; expiry date ("expired" once past) and what is available (on hand less reserved) in the
    warehouse, or in all warehouses: two queries for all rows. The product is the parent."""
    ids = [lot.pk for lot in rows]
    levels = StockLevel.objects.filter(lot_id__in=ids)
    held = Reservation.objects.filter(lot_id__in=ids)
    if warehouse_id:
        levels, held = levels.filter(location__warehouse_id=warehouse_id), held.filter(warehouse_id=warehouse_id)
    on_hand = dict(levels.values("lot_id").annotate(total=Sum("on_hand")).values_list("lot_id", "total"))
    reserved = dict(held.values("lot_id").annotate(total=Sum("quantity")).values_list("lot_id", "total"))
    today = timezone.localdate()
    options = []
    for lot in rows:
        parts = []
        if lot.expiry_date is not None:
            parts.append((str(gettext_lazy("expired %(date)s")) if lot.expiry_date < today
                          else str(gettext_lazy("expires %(date)s"))) % {"date": format_date(lot.expiry_date)})
        available = (on_hand.get(lot.pk) or Decimal(0)) - (reserved.get(lot.pk) or Decimal(0))
        parts.append(str(gettext_lazy("available %(quantity)s")) % {"quantity": format_number(available)})
        options.append(PickerOption(lot.pk, lot.code, " · ".join(parts), parent_id=lot.product_id,
                                    parent_label=f"{lot.product.sku} {lot.product.name}"))
    return options


LOT_PICKER = PickerSource(
    url_name="stock:lot-picker",
    noun=gettext_lazy("lot"),
    search=search_lots,
    describe=describe_lots,
    exact=exact_lots,
    parent="product",
    placeholder=gettext_lazy("Lot or serial number…"),
)


def lots() -> QuerySet[Lot]:
    return Lot.objects.select_related("product").order_by("expiry_date", "code", "id")


def shippable_lots(product, warehouse_id, on_date: datetime.date | None = None) -> QuerySet[Lot]:
    """The product's lots with stock in the warehouse that have not expired: what a shipment may take."""
    on_date = on_date or timezone.localdate()
    in_stock = StockLevel.objects.filter(product=product, location__warehouse_id=warehouse_id, on_hand__gt=0,
                                         lot__isnull=False).values("lot_id")
    return lots().filter(product=product, pk__in=in_stock).filter(
        Q(expiry_date__isnull=True) | Q(expiry_date__gte=on_date))


def lot_field(label, **kwargs) -> PickerField:
    """A lot picker following the form's product picker: only the chosen product's lots are offered; a lot of
    another product is a form error on the field (the form narrows it, see `narrow_lot`)."""
    return PickerField(LOT_PICKER, label=label, queryset=lots(), depends_on="product", **kwargs)


def narrow_lot(form, product_field: str = "product", lot_field_name: str = "lot") -> None:
    """Typed text matches only the posted product's lots, and a lot of another product is refused by clean()."""
    product_id = form.data.get(product_field) if form.is_bound else None
    if product_id and str(product_id).isdigit():
        form.fields[lot_field_name].narrow = {"product_id": int(product_id)}


def check_lot_of_product(form, product_field: str = "product", lot_field_name: str = "lot") -> None:
    """In clean(): the chosen lot must be one of the chosen product's (an error naming the lot field)."""
    product, lot = form.cleaned_data.get(product_field), form.cleaned_data.get(lot_field_name)
    if product is not None and lot is not None and lot.product_id != product.pk:
        form.add_error(lot_field_name, _("%(lot)s is a lot of %(product)s, not of %(chosen)s.") % {
            "lot": lot.code, "product": lot.product.sku, "chosen": product.sku})
