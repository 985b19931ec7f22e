"""Sales orders: made from an accepted quote (or directly for a client), confirmed (reserving stock per line,
or flagging the shortage), cancelled (releasing it), closed. Shipments (another module) move them to partly
shipped / shipped."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits, workflow
from tandem.core.bulk import update_rows
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.finance.receivables import services as receivables
from tandem.sales import pricing
from tandem.sales.models import Order, OrderLine
from tandem.sales.services import lines as common
from tandem.sales.services.quotes import default_warehouse
from tandem.stock import queries as stock_queries
from tandem.stock import services as stock_services
from tandem.stock.models import Warehouse

ORDER_FIELDS = ("company", "counterparty", "contact", "order_date", "requested_date", "warehouse", "currency",
                "note")


def allow_confirm_with_shortage() -> bool:
    """settings.SALES_ALLOW_CONFIRM_WITH_SHORTAGE: off (default) a shortage refuses the confirmation with 409
    insufficient_stock; on, the order is confirmed, what is there is reserved and the rest flagged short."""
    return bool(getattr(settings, "SALES_ALLOW_CONFIRM_WITH_SHORTAGE", False))


# The order and its client locked, as before; the warehouse (a nullable join) read, not locked.
_LOCKED = prepared(lambda pk: Order.objects.select_for_update(of=("self", "client"))
                   .select_related("client", "warehouse").filter(pk=pk))
_LINES_BY_PRODUCT = prepared(lambda order_id: OrderLine.objects.filter(order_id=order_id)
                             .select_related("product", "unit").order_by("product_id", "pk"))


def _lock(order: Order) -> Order:
    return _LOCKED.get(order.pk)


def create_order(*, by, client, company=None, counterparty=None, contact=None, deal=None,
                 order_date: datetime.date | None = None, requested_date: datetime.date | None = None,
                 warehouse: Warehouse | None = None, currency: str | None = None, note: str = "",
                 lines=()) -> Order:
    """A draft order straight for a client (no quote)."""
    require_permission(by, "sales.add_order")
    if deal is not None:
        if deal.client_id != client.pk:
            raise BusinessRuleError("foreign_deal", _("The deal belongs to another client."), field="deal")
        counterparty = counterparty or deal.counterparty
        contact = contact or deal.contact
        currency = currency or deal.currency
    common.check_client(by, client)
    if client.is_archived:
        raise BusinessRuleError("archived", _("The client is archived."), field="client")
    order_date = order_date or timezone.localdate()
    limits.check_date(order_date, field="order_date")
    if requested_date is not None:
        limits.check_date(requested_date, field="requested_date")
    company = company or common.default_company()
    counterparty = common.valid_counterparty(client, counterparty, order_date)
    common.check_contact(client, contact)
    warehouse = warehouse or default_warehouse(company.pk)
    _check_warehouse(warehouse, company.pk)
    with transaction.atomic():
        order = Order.objects.create(
            company=company, client=client, counterparty=counterparty, contact=contact, deal=deal, owner=by,
            currency=(currency or company.base_currency).upper(), order_date=order_date,
            requested_date=requested_date, warehouse=warehouse, note=(note or "").strip(),
            tax_rounding=common.tax_rounding_setting(), created_by=by,
        )
        order.number = f"SO-{order_date.year}-{order.pk:05d}"
        new_lines = []
        price_groups = pricing.client_price_groups(client) if lines else None
        lines = common.load_products(lines)
        candidates = pricing.document_candidates(lines, on_date=order_date, currency=order.currency,
                                                 price_groups=price_groups) if lines else None
        for position, values in enumerate(lines, start=1):
            line = OrderLine(order=order, position=position)
            common.price_line(order, line, by=by, on_date=order_date, price_groups=price_groups, candidates=candidates,
                              **values)
            new_lines.append(line)
        OrderLine.objects.bulk_create(new_lines)
        order.save(update_fields=["number", *common.recompute_totals(order, new_lines)])
        audit.record(order, "sales.order.created", by=by, root=client, changes=audit.snapshot(
            order, ["number", "company", "counterparty", "warehouse", "currency", "total"]))
    return order


def _check_warehouse(warehouse, company_id) -> None:
    if warehouse is not None and warehouse.company_id != company_id:
        raise BusinessRuleError("foreign_warehouse", _("The warehouse belongs to another of our legal entities."),
                                field="warehouse")


def _editable(order: Order, expected_version) -> Order:
    locked = _lock(order)
    refuse_stale(locked, expected_version)
    if not locked.is_editable:
        raise BusinessRuleError("not_editable", _("Only a draft order can be changed."), field="status")
    return locked


def update_order(order: Order, *, by, expected_version: int | None = None, **values) -> Order:
    require_permission(by, "sales.change_order")
    common.check_client(by, order.client)
    unknown = set(values) - set(ORDER_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _editable(order, expected_version)
        before = audit.snapshot(locked, ORDER_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.note = (locked.note or "").strip()
        locked.currency = (locked.currency or "").upper()
        limits.check_date(locked.order_date, field="order_date")
        locked.counterparty = common.valid_counterparty(locked.client, locked.counterparty, locked.order_date)
        common.check_contact(locked.client, locked.contact)
        _check_warehouse(locked.warehouse, locked.company_id)
        if "currency" in values and locked.currency != before["currency"] and locked.lines.exists():
            raise BusinessRuleError("currency_locked", _("Remove the lines before changing the currency."),
                                    field="currency")
        changes = audit.diff(before, audit.snapshot(locked, ORDER_FIELDS))
        if changes:
            locked.save(update_fields=[*values, "note", "currency", "counterparty", "updated_at",
                                       *bump_version(locked)])
            audit.record(locked, "sales.order.changed", by=by, root=locked.client, changes=changes)
    return locked


def add_order_line(order: Order, *, by, expected_version: int | None = None, **values) -> OrderLine:
    require_permission(by, "sales.change_order")
    common.check_client(by, order.client)
    with transaction.atomic():
        locked = _editable(order, expected_version)
        line, changes = common.add_line(locked, by=by, **values)
        audit.record(locked, "sales.order.line_added", by=by, root=locked.client, changes=changes)
    return line


def update_order_line(line: OrderLine, *, by, expected_version: int | None = None, **values) -> OrderLine:
    require_permission(by, "sales.change_order")
    common.check_client(by, line.order.client)
    common.refuse_unknown_line_fields(values)
    with transaction.atomic():
        locked = _editable(line.order, expected_version)
        line, changes = common.change_line(locked, line.pk, by=by, **values)
        audit.record(locked, "sales.order.line_changed", by=by, root=locked.client, changes=changes)
    return line


def remove_order_line(line: OrderLine, *, by, expected_version: int | None = None) -> Order:
    require_permission(by, "sales.change_order")
    common.check_client(by, line.order.client)
    with transaction.atomic():
        locked = _editable(line.order, expected_version)
        changes = common.remove_line(locked, line.pk, by=by)
        audit.record(locked, "sales.order.line_removed", by=by, root=locked.client, changes=changes)
    return locked


def stock_quantity(line: OrderLine) -> Decimal:
    """The line's quantity in the product's stock unit."""
    factor = common.stock_quantity_factor(line.product, line.unit)
    return line.quantity * factor


def confirm_order(order: Order, *, by, expected_version: int | None = None) -> Order:
    """Draft → confirmed, reserving each goods line's quantity in the order's warehouse (products in pk order,
    so concurrent confirmations lock stock rows in one order and never deadlock).

    A shortage refuses the whole confirmation with 409 insufficient_stock (nothing reserved), unless
    SALES_ALLOW_CONFIRM_WITH_SHORTAGE is on: then what is available is reserved and the line is flagged short
    with the quantity missing and, when stock knows it, the date more is expected."""
    require_permission(by, "sales.change_order")
    common.check_client(by, order.client)
    with_shortage = allow_confirm_with_shortage()
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        lines = _LINES_BY_PRODUCT.all(locked.pk)
        if not lines:
            raise BusinessRuleError("no_lines", _("Add at least one line before confirming the order."),
                                    field="lines")
        confirmed = workflow.transition(locked, Order.Status.CONFIRMED, by=by, locked=True,
                                        also_save=bump_version(locked))
        # Credit limit (finance): 409 credit_limit_exceeded, or a manager's approval audited on the client.
        receivables.check_credit(confirmed.client, confirmed.total, confirmed.currency, by=by, document=confirmed)
        goods = [line for line in lines if line.product.is_stocked]
        if goods and confirmed.warehouse_id is None:
            raise BusinessRuleError("warehouse_required", _("Choose the warehouse the goods are reserved in."),
                                    field="warehouse")
        shortages = {}
        if goods and not with_shortage:  # every line in full: reserved together (one lock statement, pk order)
            stock_services.reserve_many(warehouse=confirmed.warehouse, by=by,
                                        lines=[(line.product, stock_quantity(line), line) for line in goods])
        for line in goods:
            wanted = stock_quantity(line)
            reserve = wanted
            if with_shortage:
                row = stock_services.lock_warehouse_stock(line.product, [confirmed.warehouse])[confirmed.warehouse_id]
                reserve = min(wanted, max(row.available, Decimal(0)))
                if reserve > 0:
                    stock_services.reserve_stock(product=line.product, warehouse=confirmed.warehouse,
                                                 quantity=reserve, origin=line, by=by)
            line.reserved_quantity = reserve
            line.short_quantity = wanted - reserve
            line.expected_date = (_expected_date(line.product, confirmed.warehouse, line.short_quantity)
                                      if line.short_quantity else None)
            if line.short_quantity:
                shortages[line.product.sku] = str(line.short_quantity.normalize())
        update_rows(OrderLine, ["reserved_quantity", "short_quantity", "expected_date"], goods)
        if shortages:
            audit.record(confirmed, "sales.order.changed", by=by, root=confirmed.client,
                         changes={"shortages": ", ".join(f"{sku}: {qty}" for sku, qty in shortages.items())})
    return confirmed


def _expected_date(product, warehouse, missing) -> datetime.date | None:
    """When the missing quantity of the product is expected in the warehouse (the expected receipts add up to
    it), when stock can tell."""
    return stock_queries.expected_date(product, warehouse, missing)


def cancel_order(order: Order, *, by, expected_version: int | None = None) -> Order:
    """Draft or confirmed → cancelled; every reservation of its lines is released."""
    require_permission(by, "sales.change_order")
    common.check_client(by, order.client)
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        cancelled = workflow.transition(locked, Order.Status.CANCELLED, by=by)
        lines = list(cancelled.lines.order_by("pk"))
        released = Decimal(0)
        for line in lines:
            if line.reserved_quantity:
                released += stock_services.release_reservations(origin=line, by=by)
                line.reserved_quantity = Decimal(0)
        OrderLine.objects.bulk_update(lines, ["reserved_quantity"])
        cancelled.save(update_fields=bump_version(cancelled))
    return cancelled


def close_order(order: Order, *, by, expected_version: int | None = None) -> Order:
    """Shipped (or partly shipped, closing the rest short) → closed; what is still reserved is released."""
    require_permission(by, "sales.change_order")
    common.check_client(by, order.client)
    with transaction.atomic():
        locked = _lock(order)
        refuse_stale(locked, expected_version)
        closed = workflow.transition(locked, Order.Status.CLOSED, by=by)
        for line in closed.lines.filter(reserved_quantity__gt=0).order_by("pk"):
            stock_services.release_reservations(origin=line, by=by)
            line.reserved_quantity = Decimal(0)
            line.save(update_fields=["reserved_quantity"])
        closed.save(update_fields=bump_version(closed))
    return closed

