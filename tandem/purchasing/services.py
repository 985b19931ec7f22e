"""Purchasing services: suppliers and their prices, purchase orders along their TRANSITIONS, receipts.

Stock changes only through tandem.stock.services: sending an order announces each line as expected (incoming)
on its date, a receipt records stock receipt moves at the line's cost (in the legal entity's base currency) and
takes the received quantity off what is expected; the rest stays expected with its date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.money import NoExchangeRate, exchange_rate, minor_unit, quantize
from tandem.core.permissions import require_permission
from tandem.finance.calculations import LineInput, document_totals, line_amounts
from tandem.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasingSettings,
    SupplierPrice,
    SupplierProfile,
)
from tandem.stock import queries as stock_queries
from tandem.stock import services as stock_services
from tandem.stock.models import ExpectedReceipt, Location, Lot, Warehouse

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (ArithmeticError, TypeError, ValueError):
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field) from None
    if not number.is_finite():
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field)
    return number


def settings_for(company) -> PurchasingSettings:
    """The legal entity's purchasing settings (defaults when none were saved)."""
    found = PurchasingSettings.objects.filter(company=company).first()
    return found or PurchasingSettings(company=company)


SETTINGS_FIELDS = ("approval_threshold", "receipt_tolerance_percent", "bill_price_tolerance_percent",
                   "bill_quantity_tolerance_percent")
PERCENT_SETTINGS = SETTINGS_FIELDS[1:]


def _setting_number(value, field: str, *, places: int, percent: bool) -> Decimal:
    """One purchasing setting: a finite number, zero or more, a percentage at most 100 (an amount within
    core.limits' range), with no more decimal places than `places`."""
    number = value if isinstance(value, Decimal) else _decimal(value, field)
    if not number.is_finite():
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field)
    if number < 0:
        raise BusinessRuleError("negative", _("Enter zero or more."), field=field)
    if percent and number > HUNDRED:
        raise BusinessRuleError("out_of_range", _("Enter a percentage between 0 and 100."), field=field)
    limits.check_amount(number, field=field)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise BusinessRuleError("too_precise", _("Enter at most %(places)s decimal places.") % {"places": places},
                                field=field)
    return number


def update_purchasing_settings(company, *, by, approval_threshold=None, receipt_tolerance_percent=None,
                               bill_price_tolerance_percent=None, bill_quantity_tolerance_percent=None):
    """Change the legal entity's purchasing settings; None leaves a setting as it is.

    `approval_threshold`: an amount of the entity's base currency (no more decimals than the currency has);
    the three tolerances: percentages from 0 to 100 with at most the column's 4 decimal places. Every value is
    checked before anything is written; a change is audited on the legal entity."""
    require_permission(by, "purchasing.change_purchasingsettings")
    given = {"approval_threshold": approval_threshold, "receipt_tolerance_percent": receipt_tolerance_percent,
             "bill_price_tolerance_percent": bill_price_tolerance_percent,
             "bill_quantity_tolerance_percent": bill_quantity_tolerance_percent}
    values = {}
    for field, value in given.items():
        if value is None:
            continue
        column = PurchasingSettings._meta.get_field(field)
        places = (column.decimal_places if field in PERCENT_SETTINGS
                  else min(column.decimal_places, minor_unit(company.base_currency)))
        values[field] = _setting_number(value, field, places=places, percent=field in PERCENT_SETTINGS)
    with transaction.atomic():
        row, _created = PurchasingSettings.objects.select_for_update().get_or_create(company=company)
        changes = {field: [_plain(getattr(row, field)), _plain(value)] for field, value in values.items()
                   if Decimal(getattr(row, field)) != value}
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
        if changes:
            audit.record(row, "purchasing.purchasingsettings.changed", by=by, root=company, changes=changes)
    return row


# --- Suppliers ------------------------------------------------------------------------------------------------

SUPPLIER_FIELDS = ("currency", "payment_terms_days", "lead_time_days", "is_active", "note")
MAX_DAYS = 3650  # payment terms and lead times: up to ten years


def _check_days(value, field: str) -> int:
    """A number of days (payment terms, lead time): a whole number from 0 to MAX_DAYS."""
    if isinstance(value, bool) or value is None:
        raise BusinessRuleError("invalid_number", _("Enter a whole number."), field=field)
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise BusinessRuleError("invalid_number", _("Enter a whole number."), field=field) from None
    if days != value and str(days) != str(value).strip():
        raise BusinessRuleError("invalid_number", _("Enter a whole number."), field=field)
    if not 0 <= days <= MAX_DAYS:
        raise BusinessRuleError("out_of_range", _("Enter a number of days from 0 to %(max)s.") % {"max": MAX_DAYS},
                                field=field)
    return days


def create_supplier(*, counterparty, by, currency: str = "", payment_terms_days: int = 30,
                    lead_time_days: int = 7, note: str = "") -> SupplierProfile:
    """Make a counterparty a supplier."""
    require_permission(by, "purchasing.add_supplierprofile")
    if counterparty.is_archived:
        raise BusinessRuleError("archived", _("The counterparty is archived."), field="counterparty")
    if SupplierProfile.objects.filter(counterparty=counterparty).exists():
        raise ConflictError("duplicate", _("This counterparty is already a supplier."), field="counterparty")
    currency = (currency or "").upper() or _base_currency()
    payment_terms_days = _check_days(payment_terms_days, "payment_terms_days")
    lead_time_days = _check_days(lead_time_days, "lead_time_days")
    with transaction.atomic():
        supplier = SupplierProfile(counterparty=counterparty, currency=currency,
                                   payment_terms_days=payment_terms_days, lead_time_days=lead_time_days,
                                   note=(note or "").strip(), created_by=by)
        _validate(supplier)
        supplier.save()
        audit.record(supplier, "purchasing.supplierprofile.created", by=by, root=counterparty.client,
                     changes=audit.snapshot(supplier, ["currency", "payment_terms_days", "lead_time_days"]))
    return supplier


def update_supplier(supplier: SupplierProfile, *, by, **values) -> SupplierProfile:
    require_permission(by, "purchasing.change_supplierprofile")
    _refuse_unknown(values, SUPPLIER_FIELDS)
    with transaction.atomic():
        locked = SupplierProfile.objects.select_for_update().select_related("counterparty__client").get(
            pk=supplier.pk)
        before = audit.snapshot(locked, SUPPLIER_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.currency = (locked.currency or "").upper()
        locked.note = (locked.note or "").strip()
        for name in ("payment_terms_days", "lead_time_days"):
            setattr(locked, name, _check_days(getattr(locked, name), name))
        _validate(locked)
        changes = audit.diff(before, audit.snapshot(locked, SUPPLIER_FIELDS))
        if changes:
            locked.save()
            audit.record(locked, "purchasing.supplierprofile.changed", by=by, root=locked.counterparty.client,
                         changes=changes)
    return locked


def _base_currency() -> str:
    from tandem.core.services import base_currency

    return base_currency()


def _validate(obj) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(validate_unique=False, validate_constraints=False,
                       exclude=["created_by", "counterparty", "supplier", "product"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=field) from None


def _refuse_unknown(values: dict, allowed) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])


# --- Supplier prices ------------------------------------------------------------------------------------------

PRICE_FIELDS = ("supplier_sku", "currency", "unit_price", "min_quantity", "pack_size", "lead_time_days",
                "valid_from", "valid_to", "is_preferred")


def _check_price(price: SupplierPrice) -> None:
    price.unit_price = _decimal(price.unit_price, "unit_price")
    if price.unit_price < 0:
        raise BusinessRuleError("negative", _("Enter a price of zero or more."), field="unit_price")
    limits.check_amount(price.unit_price, field="unit_price", high=limits.MAX_RATE)
    price.min_quantity = _decimal(price.min_quantity, "min_quantity")
    if price.min_quantity < 0:
        raise BusinessRuleError("negative", _("Enter a quantity of zero or more."), field="min_quantity")
    limits.check_amount(price.min_quantity, field="min_quantity")
    price.pack_size = _decimal(price.pack_size, "pack_size")
    if price.pack_size <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="pack_size")
    limits.check_amount(price.pack_size, field="pack_size")
    price.lead_time_days = _check_days(price.lead_time_days, "lead_time_days")
    price.supplier_sku = (price.supplier_sku or "").strip()
    limits.check_date(price.valid_from, field="valid_from")
    limits.check_date(price.valid_to, field="valid_to")
    if price.valid_from and price.valid_to and price.valid_to < price.valid_from:
        raise BusinessRuleError("invalid", _("'Valid to' must not be before 'valid from'."), field="valid_to")
    price.currency = (price.currency or price.supplier.currency).upper()
    _validate(price)


def _save_price(price: SupplierPrice) -> None:
    if price.is_preferred:
        # One preferred supplier per product: choosing this one un-prefers the others.
        SupplierPrice.objects.filter(product_id=price.product_id, is_preferred=True).exclude(pk=price.pk).update(
            is_preferred=False)
    try:
        with transaction.atomic():
            price.save()
    except IntegrityError:
        raise ConflictError("preferred_taken", _("The product already has a preferred supplier."),
                            field="is_preferred") from None


def add_supplier_price(*, supplier: SupplierProfile, product, by, unit_price, currency: str = "",
                       min_quantity=ZERO, pack_size=Decimal(1), lead_time_days: int | None = None,
                       valid_from: datetime.date | None = None, valid_to: datetime.date | None = None,
                       is_preferred: bool = False, supplier_sku: str = "") -> SupplierPrice:
    require_permission(by, "purchasing.add_supplierprice")
    if product is None:
        raise BusinessRuleError("required", _("Choose a product."), field="product")
    if product.is_archived:
        raise BusinessRuleError("archived", _("The product is archived."), field="product")
    price = SupplierPrice(supplier=supplier, product=product, unit_price=unit_price, currency=currency,
                          min_quantity=min_quantity, pack_size=pack_size,
                          lead_time_days=supplier.lead_time_days if lead_time_days is None else lead_time_days,
                          valid_from=valid_from, valid_to=valid_to, is_preferred=is_preferred,
                          supplier_sku=(supplier_sku or "").strip(), created_by=by)
    with transaction.atomic():
        _check_price(price)
        _save_price(price)
        audit.record(price, "purchasing.supplierprice.created", by=by, root=supplier.counterparty.client,
                     changes=audit.snapshot(price, ["product", "unit_price", "currency", "min_quantity",
                                                    "is_preferred"]))
    return price


def update_supplier_price(price: SupplierPrice, *, by, **values) -> SupplierPrice:
    require_permission(by, "purchasing.change_supplierprice")
    _refuse_unknown(values, PRICE_FIELDS)
    with transaction.atomic():
        locked = SupplierPrice.objects.select_for_update().select_related("supplier__counterparty").get(pk=price.pk)
        before = audit.snapshot(locked, PRICE_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        _check_price(locked)
        changes = audit.diff(before, audit.snapshot(locked, PRICE_FIELDS))
        if changes:
            _save_price(locked)
            audit.record(locked, "purchasing.supplierprice.changed", by=by,
                         root=locked.supplier.counterparty.client, changes=changes)
    return locked


def remove_supplier_price(price: SupplierPrice, *, by) -> None:
    require_permission(by, "purchasing.delete_supplierprice")
    with transaction.atomic():
        audit.record(price, "purchasing.supplierprice.removed", by=by, root=price.supplier.counterparty.client,
                     changes=audit.snapshot(price, ["product", "unit_price", "currency"]))
        price.delete()


def best_supplier_price(product, quantity, on_date: datetime.date | None = None, *,
                        supplier: SupplierProfile | None = None) -> SupplierPrice | None:
    """The supplier price to buy `quantity` of the product at on `on_date`: valid then, its minimum reached,
    from an active supplier. The preferred supplier's price wins; otherwise the lowest unit price (in the
    base currency when a rate is known), then the shortest lead time."""
    on_date = on_date or timezone.localdate()
    quantity = Decimal(quantity)
    prices = (SupplierPrice.objects.filter(product=product, supplier__is_active=True, min_quantity__lte=quantity)
              .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
              .select_related("supplier__counterparty"))
    if supplier is not None:
        prices = prices.filter(supplier=supplier)
    candidates = list(prices)
    if not candidates:
        return None
    base = _base_currency()
    rates: dict[str, Decimal | None] = {}

    def in_base(price: SupplierPrice) -> Decimal:
        if price.currency not in rates:
            try:
                rates[price.currency] = exchange_rate(price.currency, base, on_date)
            except NoExchangeRate:
                rates[price.currency] = None
        rate = rates[price.currency]
        return price.unit_price * rate if rate is not None else price.unit_price

    return min(candidates, key=lambda p: (not p.is_preferred, in_base(p), p.lead_time_days, p.pk))


# --- Purchase orders -----------------------------------------------------------------------------------------

ORDER_FIELDS = ("warehouse", "order_date", "expected_date", "currency", "note")


def _lock(order: PurchaseOrder) -> PurchaseOrder:
    return (PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("company", "supplier__counterparty__client", "warehouse").get(pk=order.pk))


def _root(order: PurchaseOrder):
    return order


def _rate(currency: str, company, on: datetime.date) -> Decimal:
    if currency == company.base_currency:
        return Decimal(1)
    try:
        return exchange_rate(currency, company.base_currency, on)
    except NoExchangeRate as exc:
        raise BusinessRuleError("no_exchange_rate", str(exc), field="currency") from None


def _default_company():
    from tandem.core.services import default_legal_entity

    return default_legal_entity()


def _check_warehouse(warehouse, company) -> None:
    if warehouse is None:
        raise BusinessRuleError("required", _("Choose the warehouse the goods are received in."), field="warehouse")
    if warehouse.company_id != company.pk:
        raise BusinessRuleError("foreign_warehouse", _("The warehouse belongs to another of our legal entities."),
                                field="warehouse")
    if warehouse.is_archived:
        raise BusinessRuleError("archived", _("The warehouse is archived."), field="warehouse")


def create_purchase_order(*, supplier: SupplierProfile, by, company=None, warehouse: Warehouse | None = None,
                          order_date: datetime.date | None = None, expected_date: datetime.date | None = None,
                          currency: str = "", note: str = "", lines=(), as_rfq: bool = False) -> PurchaseOrder:
    """A draft purchase order, or with `as_rfq` a request for quotation (its lines may wait for the supplier's
    price). `lines`: dicts of add_purchase_order_line's keywords."""
    require_permission(by, "purchasing.add_purchaseorder")
    if supplier is None:
        raise BusinessRuleError("required", _("Choose a supplier."), field="supplier")
    if not supplier.is_active or supplier.counterparty.is_archived:
        raise BusinessRuleError("inactive", _("The supplier is not active."), field="supplier")
    company = company or _default_company()
    warehouse = warehouse or Warehouse.objects.active().filter(company=company).order_by("pk").first()
    _check_warehouse(warehouse, company)
    order_date = order_date or timezone.localdate()
    limits.check_date(order_date, field="order_date")
    limits.check_date(expected_date, field="expected_date")
    if expected_date is None:
        expected_date = order_date + datetime.timedelta(days=supplier.lead_time_days)
    currency = (currency or supplier.currency).upper()
    rate = _rate(currency, company, order_date)
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            company=company, supplier=supplier, warehouse=warehouse, owner=by, order_date=order_date,
            expected_date=expected_date, currency=currency, exchange_rate=rate, note=(note or "").strip(),
            status=PurchaseOrder.Status.RFQ if as_rfq else PurchaseOrder.Status.DRAFT, created_by=by)
        order.number = f"PO-{order_date.year}-{order.pk:05d}"
        order.save(update_fields=["number"])
        for index, values in enumerate(lines):
            try:
                _new_line(order, **values)
            except BusinessRuleError as exc:
                field = f"lines.{index}.{exc.field}" if exc.field else f"lines.{index}"
                raise type(exc)(exc.code, exc.message, field=field, extra=exc.extra) from None
        order.save(update_fields=_recompute(order))
        audit.record(order, "purchasing.purchaseorder.created", by=by, changes=audit.snapshot(
            order, ["number", "status", "supplier", "warehouse", "currency", "total"]))
    return order


def _editable(order: PurchaseOrder, expected_version) -> PurchaseOrder:
    locked = _lock(order)
    refuse_stale(locked, expected_version)
    if not locked.is_editable:
        raise ConflictError("not_editable", _("Only a request for quotation or a draft purchase order can be "
                                              "changed."), field="status")
    return locked


def update_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None,
                          **values) -> PurchaseOrder:
    require_permission(by, "purchasing.change_purchaseorder")
    _refuse_unknown(values, ORDER_FIELDS)
    with transaction.atomic():
        locked = _editable(order, expected_version)
        before = audit.snapshot(locked, ORDER_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.note = (locked.note or "").strip()
        locked.currency = (locked.currency or "").upper()
        limits.check_date(locked.order_date, field="order_date")
        limits.check_date(locked.expected_date, field="expected_date")
        _check_warehouse(locked.warehouse, locked.company)
        if locked.currency != before["currency"] and locked.lines.exists():
            raise BusinessRuleError("currency_locked", _("Remove the lines before changing the currency."),
                                    field="currency")
        locked.exchange_rate = _rate(locked.currency, locked.company, locked.order_date)
        changes = audit.diff(before, audit.snapshot(locked, ORDER_FIELDS))
        if changes:
            locked.save(update_fields=[*values, "note", "currency", "exchange_rate", "updated_at",
                                       *bump_version(locked)])
            audit.record(locked, "purchasing.purchaseorder.changed", by=by, changes=changes)
    return locked


def _new_line(order: PurchaseOrder, *, product, quantity, unit_price=None, tax_rate=ZERO,
              expected_date: datetime.date | None = None, description: str = "") -> PurchaseOrderLine:
    if product is None:
        raise BusinessRuleError("required", _("Choose a product."), field="product")
    if product.is_archived:
        raise BusinessRuleError("archived", _("The product is archived."), field="product")
    line = PurchaseOrderLine(order=order, product=product, description=(description or "").strip()[:300],
                             position=(order.lines.count() + 1), expected_date=expected_date or order.expected_date)
    _price_line(order, line, quantity=quantity, unit_price=unit_price, tax_rate=tax_rate)
    line.save()
    return line


def _price_line(order, line, *, quantity, unit_price, tax_rate) -> None:
    line.quantity = _decimal(quantity, "quantity")
    if line.quantity <= 0:
        raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."), field="quantity")
    limits.check_amount(line.quantity, field="quantity")
    line.tax_rate = _decimal(tax_rate if tax_rate not in (None, "") else ZERO, "tax_rate")
    if not ZERO <= line.tax_rate <= HUNDRED:
        raise BusinessRuleError("out_of_range", _("Enter a percentage between 0 and 100."), field="tax_rate")
    limits.check_date(line.expected_date, field="expected_date")
    if unit_price in (None, ""):
        price = best_supplier_price(line.product, line.quantity, order.order_date, supplier=order.supplier)
        if price is None and order.status == PurchaseOrder.Status.RFQ:
            # A request for quotation asks the supplier for the price: the line waits for it (see is_quoted).
            line.unit_price, line.price_overridden = ZERO, False
            line.net_amount = line.tax_amount = ZERO
            return
        if price is None:
            raise BusinessRuleError("no_supplier_price", _("%(supplier)s has no price for %(product)s: enter one.")
                                    % {"supplier": order.supplier, "product": line.product.sku},
                                    field="unit_price")
        value = price.unit_price
        if price.currency != order.currency:
            try:
                value = value * exchange_rate(price.currency, order.currency, order.order_date)
            except NoExchangeRate as exc:
                raise BusinessRuleError("no_exchange_rate", str(exc), field="unit_price") from None
        line.unit_price = value.quantize(Decimal("0.000001"))
        line.price_overridden = False
    else:
        line.unit_price = _decimal(unit_price, "unit_price")
        if line.unit_price < 0:
            raise BusinessRuleError("negative", _("Enter a price of zero or more."), field="unit_price")
        limits.check_amount(line.unit_price, field="unit_price", high=limits.MAX_RATE)
        line.price_overridden = True
    amounts = line_amounts(_line_input(line), order.currency)
    line.net_amount, line.tax_amount = amounts.net, amounts.tax
    limits.check_amount(line.net_amount, field="quantity")


def _line_input(line: PurchaseOrderLine) -> LineInput:
    return LineInput(quantity=line.quantity, unit_price=line.unit_price, tax_rate=line.tax_rate)


def _recompute(order: PurchaseOrder) -> list[str]:
    """The order's totals by the shared calculation of finance (each line rounded, tax per line)."""
    totals = document_totals([_line_input(line) for line in order.lines.all()], order.currency)
    order.net_total, order.tax_total, order.total = totals.net, totals.tax, totals.total
    limits.check_amount(order.total, field="lines")
    return ["net_total", "tax_total", "total"]


LINE_FIELDS = ("quantity", "unit_price", "tax_rate", "expected_date", "description")


def add_purchase_order_line(order: PurchaseOrder, *, by, expected_version: int | None = None,
                            **values) -> PurchaseOrderLine:
    require_permission(by, "purchasing.change_purchaseorder")
    _refuse_unknown(values, ("product", *LINE_FIELDS))
    with transaction.atomic():
        locked = _editable(order, expected_version)
        line = _new_line(locked, **values)
        locked.save(update_fields=[*_recompute(locked), "updated_at", *bump_version(locked)])
        audit.record(locked, "purchasing.purchaseorder.line_added", by=by, changes={
            "product": line.product.sku, "quantity": str(line.quantity), "unit_price": str(line.unit_price)})
    return line


def update_purchase_order_line(line: PurchaseOrderLine, *, by, expected_version: int | None = None,
                               **values) -> PurchaseOrderLine:
    require_permission(by, "purchasing.change_purchaseorder")
    _refuse_unknown(values, LINE_FIELDS)
    with transaction.atomic():
        locked = _editable(line.order, expected_version)
        current = PurchaseOrderLine.objects.select_related("product").get(pk=line.pk, order=locked)
        before = audit.snapshot(current, LINE_FIELDS)
        if "expected_date" in values:
            current.expected_date = values["expected_date"]
        if "description" in values:
            current.description = (values["description"] or "").strip()[:300]
        _price_line(locked, current, quantity=values.get("quantity", current.quantity),
                    unit_price=values.get("unit_price", current.unit_price if current.price_overridden else None),
                    tax_rate=values.get("tax_rate", current.tax_rate))
        current.save()
        locked.save(update_fields=[*_recompute(locked), "updated_at", *bump_version(locked)])
        audit.record(locked, "purchasing.purchaseorder.line_changed", by=by,
                     changes=audit.diff(before, audit.snapshot(current, LINE_FIELDS)))
    return current


def remove_purchase_order_line(line: PurchaseOrderLine, *, by, expected_version: int | None = None) -> PurchaseOrder:
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _editable(line.order, expected_version)
        current = PurchaseOrderLine.objects.select_related("product").get(pk=line.pk, order=locked)
        sku = current.product.sku
        current.delete()
        locked.save(update_fields=[*_recompute(locked), "updated_at", *bump_version(locked)])
        audit.record(locked, "purchasing.purchaseorder.line_removed", by=by, changes={"product": sku})
    return locked


# --- Requests for quotation ----------------------------------------------------------------------------------


def _rfq(order: PurchaseOrder, expected_version) -> PurchaseOrder:
    locked = _lock(order)
    refuse_stale(locked, expected_version)
    if not locked.is_rfq:
        raise ConflictError("not_rfq", _("Only a request for quotation takes quoted prices."), field="status")
    return locked


def record_quoted_prices(order: PurchaseOrder, *, prices, by, expected_version: int | None = None) -> PurchaseOrder:
    """The supplier's answer to a request for quotation: `prices` are (line or line id, unit price) pairs in the
    order's currency; each becomes the line's price (typed: `price_overridden`). A blank price is skipped. All
    or none; a refusal names `lines.<i>.unit_price`."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _rfq(order, expected_version)
        lines = {line.pk: line for line in PurchaseOrderLine.objects.select_for_update()
                 .select_related("product").filter(order=locked).order_by("pk")}
        quoted: dict[str, str] = {}
        for index, (line_ref, price) in enumerate(prices):
            if price in (None, ""):
                continue
            line = lines.get(getattr(line_ref, "pk", line_ref))
            if line is None:
                raise BusinessRuleError("foreign_line", _("The line belongs to another order."),
                                        field=f"lines.{index}.line")
            try:
                _price_line(locked, line, quantity=line.quantity, unit_price=price, tax_rate=line.tax_rate)
            except BusinessRuleError as exc:
                raise type(exc)(exc.code, exc.message, field=f"lines.{index}.{exc.field or 'unit_price'}",
                                extra=exc.extra) from None
            line.save(update_fields=["unit_price", "price_overridden", "net_amount", "tax_amount"])
            quoted[line.product.sku] = _plain(line.unit_price)
        if not quoted:
            raise BusinessRuleError("no_prices", _("Enter the quoted price of at least one line."), field="lines")
        locked.save(update_fields=[*_recompute(locked), "updated_at", *bump_version(locked)])
        audit.record(locked, "purchasing.purchaseorder.quoted", by=by, changes=quoted)
    return locked


def save_quoted_prices(order: PurchaseOrder, *, by) -> int:
    """The quoted (typed) prices of an order's lines go to the supplier's price list, so the next order of that
    quantity takes them: the supplier's price row the line would be priced from (best_supplier_price for the
    supplier, same currency) gets the new unit price; without one a price row from quantity 0 is added in the
    order's currency. Returns how many rows were added or changed (each audited by the price services)."""
    saved = 0
    for line in order.lines.select_related("product").filter(price_overridden=True).order_by("position", "pk"):
        current = best_supplier_price(line.product, line.quantity, order.order_date, supplier=order.supplier)
        if current is not None and current.currency == order.currency:
            if current.unit_price != line.unit_price:
                update_supplier_price(current, unit_price=line.unit_price, by=by)
                saved += 1
        else:
            add_supplier_price(supplier=order.supplier, product=line.product, unit_price=line.unit_price,
                               currency=order.currency, by=by)
            saved += 1
    return saved


def convert_rfq(order: PurchaseOrder, *, by, expected_version: int | None = None,
                save_prices: bool = False) -> PurchaseOrder:
    """Request for quotation → draft purchase order (then submitted and approved as any draft). Every line needs
    a price (from the price list or quoted): a line still waiting is refused naming `lines.<i>.unit_price`.
    `save_prices`: the quoted prices also go to the supplier's price list (save_quoted_prices)."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        if not locked.is_rfq:
            raise ConflictError("invalid_transition", _("Only a request for quotation can be converted."),
                                field="status")
        lines = list(locked.lines.select_related("product").order_by("position", "pk"))
        if not lines:
            raise BusinessRuleError("no_lines", _("Add at least one line before converting."), field="lines")
        for index, line in enumerate(lines):
            if line.awaiting_price:
                raise BusinessRuleError("awaiting_price", _("Line %(position)s (%(product)s) has no price yet: "
                                                            "enter the supplier's quoted price.")
                                        % {"position": line.position, "product": line.product.sku},
                                        field=f"lines.{index}.unit_price")
        converted = workflow.transition(locked, PurchaseOrder.Status.DRAFT, by=by, locked=True,
                                        also_save=bump_version(locked))
        saved = save_quoted_prices(converted, by=by) if save_prices else 0
        audit.record(converted, "purchasing.purchaseorder.converted", by=by,
                     changes={"total": _plain(converted.total), "prices_saved": saved})
    return converted


def _total_in_base(order: PurchaseOrder) -> Decimal:
    return quantize(order.total * order.exchange_rate, order.company.base_currency)


def needs_approval(order: PurchaseOrder) -> bool:
    """Whether the order's total (in the legal entity's base currency) reaches its approval threshold."""
    return _total_in_base(order) >= settings_for(order.company).approval_threshold


def submit_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """Draft → approved, or → awaiting approval when the total reaches the legal entity's threshold and the
    buyer may not approve."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        if not locked.lines.exists():
            raise BusinessRuleError("no_lines", _("Add at least one line before submitting the order."),
                                    field="lines")
        if needs_approval(locked) and not by.has_perm("purchasing.approve_purchaseorder"):
            return workflow.transition(locked, PurchaseOrder.Status.TO_APPROVE, by=by, locked=True,
                                       also_save=bump_version(locked))
        return _approve(locked, by)


def _approve(locked: PurchaseOrder, by) -> PurchaseOrder:
    locked.approved_by = by
    locked.approved_at = timezone.now()
    return workflow.transition(locked, PurchaseOrder.Status.APPROVED, by=by, locked=True,
                               also_save=["approved_by", "approved_at", *bump_version(locked)])


def approve_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """Awaiting approval → approved, by someone allowed to approve (a manager)."""
    require_permission(by, "purchasing.approve_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        if locked.status != PurchaseOrder.Status.TO_APPROVE:
            raise ConflictError("invalid_transition", _("Only a purchase order awaiting approval can be approved."),
                                field="status")
        return _approve(locked, by)


def reject_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """Awaiting approval → back to draft, by someone allowed to approve (the buyer may change it and submit it
    again)."""
    require_permission(by, "purchasing.approve_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        if not locked.can_return_to_draft():
            raise ConflictError("invalid_transition",
                                _("Only a purchase order awaiting approval can be sent back to draft."),
                                field="status")
        return workflow.transition(locked, PurchaseOrder.Status.DRAFT, by=by, locked=True,
                                   also_save=bump_version(locked))


def send_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """Approved → sent: each goods line becomes expected (incoming) in the order's warehouse on its date."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        sent = workflow.transition(locked, PurchaseOrder.Status.SENT, by=by, locked=True,
                                   also_save=bump_version(locked))
        for line in sent.lines.select_related("product").order_by("product_id", "pk"):
            if line.product.is_stocked:
                stock_services.expect_receipt(product=line.product, warehouse=sent.warehouse,
                                              quantity=line.quantity,
                                              expected_date=line.expected_date or sent.expected_date or sent.order_date,
                                              origin=line, note=sent.number, by=by)
    return sent


def _clear_expected(order: PurchaseOrder, by) -> None:
    for line in order.lines.order_by("product_id", "pk"):
        stock_services.clear_expected_receipts(origin=line, by=by)


def cancel_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """Before any receipt → cancelled; nothing stays expected."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        cancelled = workflow.transition(locked, PurchaseOrder.Status.CANCELLED, by=by, locked=True,
                                        also_save=bump_version(locked))
        _clear_expected(cancelled, by)
    return cancelled


def close_purchase_order(order: PurchaseOrder, *, by, expected_version: int | None = None) -> PurchaseOrder:
    """(Partly) received → closed: what was not delivered is no longer expected."""
    require_permission(by, "purchasing.change_purchaseorder")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        closed = workflow.transition(locked, PurchaseOrder.Status.CLOSED, by=by, locked=True,
                                     also_save=bump_version(locked))
        _clear_expected(closed, by)
    return closed


# --- Receipts -------------------------------------------------------------------------------------------------


@dataclass
class ReceiptLine:
    line: PurchaseOrderLine
    quantity: Decimal
    lot: Lot | str | None = None
    location: Location | None = None


def unit_cost(line: PurchaseOrderLine, order: PurchaseOrder) -> Decimal:
    """The line's cost per unit in the legal entity's base currency, at the order's rate."""
    cost = line.unit_price * (order.exchange_rate if order.currency != order.company.base_currency else 1)
    return cost.quantize(Decimal("0.000001"))


def receive_purchase_order(order: PurchaseOrder, *, lines, date: datetime.date | None = None, by,
                           expected_version: int | None = None) -> PurchaseOrder:
    """Receive goods of a sent order: `lines` are (line, quantity, lot, location) tuples or ReceiptLine.

    Each records a stock receipt move at the line's cost, raises its received quantity and takes that much off
    what is expected; the rest stays expected with its date. More than the ordered quantity plus the legal
    entity's tolerance is refused with 409 naming the line. All lines or none."""
    require_permission(by, "purchasing.receive_purchaseorder")
    date = date or timezone.localdate()
    limits.check_date(date, field="date")
    items = [item if isinstance(item, ReceiptLine) else ReceiptLine(*item) for item in lines]
    items = [item for item in items if item.quantity not in (None, "", 0, ZERO)]
    if not items:
        raise BusinessRuleError("no_lines", _("Enter a received quantity on at least one line."), field="lines")
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        if not locked.can_receive():
            raise ConflictError("not_receivable", _("Only a sent purchase order can be received."), field="status")
        tolerance = settings_for(locked.company).receipt_tolerance_percent
        order_lines = {line.pk: line for line in PurchaseOrderLine.objects.select_for_update()
                       .select_related("product").filter(order=locked).order_by("pk")}
        default_location = stock_queries.default_location(locked.warehouse)
        received: dict[str, str] = {}
        for index, item in enumerate(items):
            field = f"lines.{index}"
            line = order_lines.get(getattr(item.line, "pk", item.line))
            if line is None:
                raise BusinessRuleError("foreign_line", _("The line belongs to another order."), field=f"{field}.line")
            quantity = _decimal(item.quantity, f"{field}.quantity")
            if quantity <= 0:
                raise BusinessRuleError("quantity_not_positive", _("Enter a quantity above zero."),
                                        field=f"{field}.quantity")
            allowed = line.quantity * (HUNDRED + tolerance) / HUNDRED
            if line.received_quantity + quantity > allowed:
                raise ConflictError(
                    "over_receipt",
                    _("Line %(position)s (%(product)s): %(wanted)s would be received of %(ordered)s ordered, more "
                      "than the %(tolerance)s %% tolerance allows.")
                    % {"position": line.position, "product": line.product.sku,
                       "wanted": _plain(line.received_quantity + quantity), "ordered": _plain(line.quantity),
                       "tolerance": _plain(tolerance)},
                    field=f"{field}.quantity",
                    extra={"line": line.pk, "allowed": _plain(allowed - line.received_quantity)})
            location = item.location or default_location
            if location is None or location.warehouse_id != locked.warehouse_id:
                raise BusinessRuleError("foreign_location", _("Choose a location of the order's warehouse."),
                                        field=f"{field}.location")
            lot = item.lot
            try:
                if isinstance(lot, str):
                    lot = stock_services.get_or_create_lot(product=line.product, code=lot, by=by) if lot.strip() \
                        else None
                if line.product.is_stocked:
                    stock_services.receive_stock(product=line.product, quantity=quantity, location=location, lot=lot,
                                                 effective_date=date, unit_cost=unit_cost(line, locked), origin=line,
                                                 reason=locked.number, by=by)
                    _take_off_expected(line, quantity, by)
            except BusinessRuleError as exc:
                name = f"{field}.{exc.field}" if exc.field else field
                raise type(exc)(exc.code, exc.message, field=name, extra=exc.extra) from None
            line.received_quantity += quantity
            line.save(update_fields=["received_quantity"])
            received[line.product.sku] = _plain(quantity)
        every = list(order_lines.values())
        done = all(line.received_quantity >= line.quantity for line in every)
        target = PurchaseOrder.Status.RECEIVED if done else PurchaseOrder.Status.PARTLY_RECEIVED
        audit.record(locked, "purchasing.purchaseorder.goods_received", by=by,
                     changes={"date": date.isoformat(), **received})
        if locked.status != target:
            locked = workflow.transition(locked, target, by=by, locked=True, also_save=bump_version(locked))
        else:
            locked.save(update_fields=["updated_at", *bump_version(locked)])
        if done:
            _clear_expected(locked, by)
    return locked


def _take_off_expected(line: PurchaseOrderLine, quantity: Decimal, by) -> None:
    """Take the received quantity off the line's expected receipts, earliest first."""
    from django.contrib.contenttypes.models import ContentType

    left = quantity
    kind = ContentType.objects.get_for_model(PurchaseOrderLine)
    for expected in ExpectedReceipt.objects.filter(origin_type=kind, origin_id=line.pk).order_by(
            "expected_date", "pk"):
        if left <= 0:
            break
        left -= stock_services.clear_expected_receipt(expected, quantity=left, by=by)


def _plain(quantity: Decimal) -> str:
    return format(Decimal(quantity).normalize(), "f")
