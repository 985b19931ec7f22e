"""The price a client gets: one function, `price_for`, and the sentence that explains it.

Which list: among price lists in the currency, not archived and valid on the date (open ends allowed), a list
for one of the client's price groups beats a general list (no group); among group lists, the group named
first in `price_groups` wins; then the list valid from the latest date; then the newest list. Only lists with
an applicable item compete: a group list without the product (or whose lowest break is above the quantity)
leaves the client to the general list.

Which item: the product's own items before its template's (variants inherit the template's prices); the
highest quantity break not above the quantity (compared in the product's stock unit). Items price one
stock unit; asked in another unit ("box"), the unit price is converted (catalog.units) to that unit.

The result carries the list price and the discount separately; `net_unit_price` applies the discount.
Unit prices have 6 decimal places (ARCHITECTURE.md "Money and quantities"); amounts are rounded by the
document that multiplies them (core.money.quantize)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.catalog.models import PriceGroup, PriceList, PriceListItem, Product, Unit
from tandem.catalog.units import conversion_ratio
from tandem.core.formats import format_number
from tandem.core.prepared import prepared

UNIT_PRICE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class PriceResult:
    unit_price: Decimal
    discount_percent: Decimal
    price_list: PriceList
    item: PriceListItem
    explanation: str

    @property
    def net_unit_price(self) -> Decimal:
        """The unit price after the discount, 6 decimal places."""
        return (self.unit_price * (100 - self.discount_percent) / 100).quantize(UNIT_PRICE_PLACES, ROUND_HALF_UP)


def _group_ids(price_groups: Iterable) -> list[int]:
    ids = []
    for group in price_groups or ():
        group_id = group.pk if isinstance(group, PriceGroup) else int(group)
        if group_id not in ids:
            ids.append(group_id)
    return ids


def item_rank(item: PriceListItem, *, product_id: int, group_ids: Sequence[int]) -> tuple:
    """Sort key of a candidate item: the smallest wins (see the module docstring)."""
    price_list = item.price_list
    group_id = price_list.price_group_id
    valid_from = price_list.valid_from.toordinal() if price_list.valid_from else 0
    return (
        0 if group_id is not None else 1,
        group_ids.index(group_id) if group_id in group_ids else len(group_ids),
        -valid_from,
        -price_list.pk,
        0 if item.product_id == product_id else 1,
        -item.min_quantity,
    )


def candidate_items(product: Product, *, quantity: Decimal, on_date: datetime.date, currency: str,
                    group_ids: Sequence[int]):
    """Items that could price `quantity` (stock unit) of `product` on `on_date` in `currency`."""
    product_ids = [product.pk] + ([product.template_id] if product.template_id else [])
    return _items(product_ids, on_date=on_date, currency=currency, group_ids=group_ids) \
        .filter(min_quantity__lte=quantity)


def _items(product_ids, *, on_date: datetime.date, currency: str, group_ids: Sequence[int]):
    return _items_queryset(list(product_ids), currency.upper(), on_date, list(group_ids))


def _items_queryset(product_ids, currency, on_date, group_ids):
    return (PriceListItem.objects
            .filter(product_id__in=product_ids, price_list__currency=currency, price_list__is_archived=False)
            .filter(Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=on_date))
            .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=on_date))
            .filter(Q(price_list__price_group__isnull=True) | Q(price_list__price_group_id__in=group_ids))
            .select_related("price_list", "product"))


_ITEMS = prepared(_items_queryset)  # a document's candidates: read on every quote and order


def candidates_for(products: Iterable[Product], *, on_date: datetime.date, currency: str,
                   price_groups: Sequence = ()) -> list[PriceListItem]:
    """The items that could price any of `products` (a document's lines) on `on_date` in `currency` for
    `price_groups`, whatever the quantity: one query for the document. Hand them to price_for (`candidates=`)
    with the same date, currency and groups; it applies each line's quantity break."""
    ids = set()
    for product in products:
        ids.add(product.pk)
        if product.template_id:
            ids.add(product.template_id)
    if not ids:
        return []
    return _ITEMS.all(sorted(ids), currency.upper(), on_date, list(_group_ids(price_groups)))


def explain(item: PriceListItem, *, unit_code: str, discount_percent: Decimal, template_sku: str = "") -> str:
    """"list Wholesale PLN 2026, break ≥ 100 pc, −5 %" in the user's language."""
    parts = [_("list %(name)s") % {"name": item.price_list.name}]
    if template_sku:
        parts.append(_("price of the template %(sku)s") % {"sku": template_sku})
    if item.min_quantity > 0:
        parts.append(_("break ≥ %(quantity)s %(unit)s") % {"quantity": format_number(item.min_quantity),
                                                             "unit": unit_code})
    if discount_percent > 0:
        parts.append(_("−%(percent)s %%") % {"percent": format_number(discount_percent)})
    return ", ".join(parts)


def price_for(product: Product, *, quantity: Decimal, on_date: datetime.date, currency: str,
              price_groups: Sequence = (), unit: Unit | None = None,
              candidates: list[PriceListItem] | None = None) -> PriceResult | None:
    """The price of `quantity` of `product` (in `unit`, default its stock unit) on `on_date` in `currency`
    for a client in `price_groups` (PriceGroup rows or ids), or None when no list prices it.

    Raises catalog.units.NoUnitConversion (code "no_unit_conversion", field "unit") for a unit the product
    cannot be converted from. `candidates`: candidates_for(…) of the document with the same date, currency and
    groups (no query here)."""
    quantity = Decimal(quantity)
    multiply, divide = Decimal(1), Decimal(1)
    if unit is not None and unit.pk != product.unit_id:
        multiply, divide = conversion_ratio(unit, product.unit, product)  # stock units in one `unit`
    group_ids = _group_ids(price_groups)
    in_stock_units = quantity * multiply / divide
    if candidates is None:
        items = list(candidate_items(product, quantity=in_stock_units, on_date=on_date, currency=currency,
                                     group_ids=group_ids))
    else:
        product_ids = {product.pk, product.template_id} - {None}
        items = [item for item in candidates
                 if item.product_id in product_ids and item.min_quantity <= in_stock_units]
    if not items:
        return None
    item = min(items, key=lambda row: item_rank(row, product_id=product.pk, group_ids=group_ids))
    unit_price = (item.unit_price * multiply / divide).quantize(UNIT_PRICE_PLACES, ROUND_HALF_UP)
    template_sku = item.product.sku if item.product_id != product.pk else ""
    explanation = explain(item, unit_code=product.unit.code, discount_percent=item.discount_percent,
                          template_sku=template_sku)
    return PriceResult(unit_price=unit_price, discount_percent=item.discount_percent, price_list=item.price_list,
                       item=item, explanation=explanation)
