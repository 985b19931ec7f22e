"""Searchable pickers of the landed-cost pages (core.pickers): purchase orders with receipts, and single
receipts (stock receipt moves of purchase order lines)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from tandem.core import formats
from tandem.core.pickers import PickerField, PickerOption, PickerSource
from tandem.purchasing.landed_costs import order_lines_of, purchase_receipts
from tandem.purchasing.models import PurchaseOrder
from tandem.stock.models import StockMove

RECEIVED = (PurchaseOrder.Status.PARTLY_RECEIVED, PurchaseOrder.Status.RECEIVED, PurchaseOrder.Status.BILLED,
            PurchaseOrder.Status.CLOSED)


def received_orders() -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(status__in=RECEIVED).select_related("supplier__counterparty")


def _search_orders(qs, text: str):
    text = text.strip()
    return qs.filter(Q(number__icontains=text) | Q(supplier__counterparty__legal_name__icontains=text)).order_by(
        "-order_date", "-id")


def _exact_order(qs, text: str):
    return qs.filter(number__iexact=text.strip().split(" ", 1)[0])


def _describe_orders(rows) -> list[PickerOption]:
    return [PickerOption(o.pk, o.number, " · ".join([o.supplier.counterparty.legal_name, o.get_status_display(),
                                                      formats.format_date(o.order_date)])) for o in rows]


ORDER_PICKER = PickerSource(url_name="purchasing:landed-order-picker", noun=gettext_lazy("purchase order"),
                            search=_search_orders, describe=_describe_orders, exact=_exact_order)


def _search_receipts(qs, text: str):
    text = text.strip().lstrip("#")
    match = Q(reason__istartswith=text) | Q(product__sku__istartswith=text)
    if text.isdigit():
        match |= Q(pk=int(text))
    return qs.filter(match).order_by("-effective_date", "-id")


def _exact_receipt(qs, text: str):
    text = text.strip().lstrip("#")
    return qs.filter(pk=int(text)) if text.isdigit() else qs.none()


def _describe_receipts(rows: list[StockMove]) -> list[PickerOption]:
    lines = order_lines_of(rows)
    options = []
    for move in rows:
        line = lines.get(move.pk)
        number = line.order.number if line is not None else move.reason
        options.append(PickerOption(move.pk, f"{number} · {move.product.sku}", " · ".join([
            f"{formats.format_number(move.quantity)} {move.product.unit.code}",
            formats.format_date(move.effective_date), f"#{move.pk}"])))
    return options


RECEIPT_PICKER = PickerSource(url_name="purchasing:landed-receipt-picker", noun=gettext_lazy("receipt"),
                              search=_search_receipts, describe=_describe_receipts, exact=_exact_receipt)


def order_field(label, **kwargs) -> PickerField:
    return PickerField(ORDER_PICKER, queryset=received_orders(), label=label, **kwargs)


def receipt_field(label, **kwargs) -> PickerField:
    return PickerField(RECEIPT_PICKER, queryset=purchase_receipts(), label=label, **kwargs)
