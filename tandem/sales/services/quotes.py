"""Quotes: made from a deal or a client, priced from the price lists, sent, then accepted (which makes the
sales order, sets the deal's amount and wins the deal), rejected or expired."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tandem.core import archive, audit, limits, workflow
from tandem.core.bulk import insert_row, insert_rows, update_rows
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.core.services import current_company
from tandem.crm.services import deals as deal_services
from tandem.sales import pricing
from tandem.sales.models import Order, OrderLine, Quote, QuoteLine
from tandem.sales.services import lines as common
from tandem.stock.models import Warehouse

QUOTE_FIELDS = ("company", "counterparty", "contact", "quote_date", "valid_until", "currency", "note")
COPIED_LINE_FIELDS = ("position", "product_id", "description", "quantity", "unit_id", "unit_price", "list_price",
                      "price_explanation", "price_overridden", "discount_percent", "tax_rate", "net_amount",
                      "tax_amount", "gross_amount")


_LOCKED = prepared(lambda pk: Quote.objects.select_for_update().select_related("client").filter(pk=pk))
_LINES = prepared(lambda quote_id: QuoteLine.objects.filter(quote_id=quote_id).order_by("position", "pk"))


def _lock(quote: Quote) -> Quote:
    return _LOCKED.get(quote.pk)


def _today() -> datetime.date:
    """Today in the company's time zone (also outside a request, e.g. in the daily command)."""
    company = current_company()
    zone = zoneinfo.ZoneInfo(company.time_zone) if company and company.time_zone else None
    return timezone.localdate(timezone=zone)


def is_overdue(quote: Quote, today: datetime.date | None = None) -> bool:
    """A sent quote whose 'valid until' is before today (in the company's time zone)."""
    return (quote.status == Quote.Status.SENT and quote.valid_until is not None
            and quote.valid_until < (today or _today()))


def expire_if_overdue(quote: Quote) -> bool:
    """Expire this quote now if it is overdue (the daily job's work for one quote); True if it was expired."""
    if not is_overdue(quote):
        return False
    with transaction.atomic():
        locked = _lock(quote)
        if not is_overdue(locked):
            return False
        workflow.transition(locked, Quote.Status.EXPIRED, by=None, locked=True, also_save=bump_version(locked))
    return True


def create_quote(*, by, client=None, deal=None, company=None, counterparty=None, contact=None,
                 quote_date: datetime.date | None = None, valid_until: datetime.date | None = None,
                 currency: str | None = None, note: str = "", lines=()) -> Quote:
    """A draft quote for a client, or for a deal (client, counterparty, contact and currency taken from it).

    `lines`: dicts of price_line's keywords (product, quantity, unit, unit_price, discount_percent, description)."""
    require_permission(by, "sales.add_quote")
    if deal is not None:
        client = client or deal.client
        if deal.client_id != client.pk:
            raise BusinessRuleError("foreign_deal", _("The deal belongs to another client."), field="deal")
        counterparty = counterparty or deal.counterparty
        contact = contact or deal.contact
        currency = currency or deal.currency
    if client is None:
        raise BusinessRuleError("required", _("Choose a client."), field="client")
    common.check_client(by, client)
    if client.is_archived:
        raise BusinessRuleError("archived", _("The client is archived."), field="client")
    quote_date = quote_date or _today()
    limits.check_date(quote_date, field="quote_date")
    if valid_until is not None:
        limits.check_date(valid_until, field="valid_until")
        if valid_until < quote_date:
            raise BusinessRuleError("invalid", _("'Valid until' must not be before the quote date."),
                                    field="valid_until")
    company = company or common.default_company()
    counterparty = common.valid_counterparty(client, counterparty, quote_date)
    common.check_contact(client, contact)
    with transaction.atomic():
        quote = insert_row(Quote(
            company=company, client=client, counterparty=counterparty, contact=contact, deal=deal, owner=by,
            currency=(currency or company.base_currency).upper(), quote_date=quote_date, valid_until=valid_until,
            note=(note or "").strip(), tax_rounding=common.tax_rounding_setting(), created_by=by,
        ))
        quote.number = f"Q-{quote_date.year}-{quote.pk:05d}"
        new_lines = []
        price_groups = pricing.client_price_groups(client) if lines else None
        lines = common.load_products(lines)
        candidates = pricing.document_candidates(lines, on_date=quote_date, currency=quote.currency,
                                                 price_groups=price_groups) if lines else None
        for position, values in enumerate(lines, start=1):
            line = QuoteLine(quote=quote, position=position)
            common.price_line(quote, line, by=by, on_date=quote_date, price_groups=price_groups, candidates=candidates,
                              **values)
            new_lines.append(line)
        insert_rows(new_lines)
        update_rows(Quote, ["number", *common.recompute_totals(quote, new_lines)], [quote])
        audit.record(quote, "sales.quote.created", by=by, root=client, changes=audit.snapshot(
            quote, ["number", "company", "counterparty", "deal", "currency", "total"]))
    return quote


def _editable(quote: Quote, expected_version) -> Quote:
    locked = _lock(quote)
    refuse_stale(locked, expected_version)
    if not locked.is_editable:
        raise BusinessRuleError("not_editable", _("Only a draft quote can be changed."), field="status")
    return locked


def update_quote(quote: Quote, *, by, expected_version: int | None = None, **values) -> Quote:
    """Change a draft quote's header; a stale version is refused with 409."""
    require_permission(by, "sales.change_quote")
    common.check_client(by, quote.client)
    unknown = set(values) - set(QUOTE_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These fields cannot be changed here: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _editable(quote, expected_version)
        before = audit.snapshot(locked, QUOTE_FIELDS)
        links = archive.link_ids(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.note = (locked.note or "").strip()
        locked.currency = (locked.currency or "").upper()
        limits.check_date(locked.quote_date, field="quote_date")
        if locked.valid_until is not None and locked.valid_until < locked.quote_date:
            raise BusinessRuleError("invalid", _("'Valid until' must not be before the quote date."),
                                    field="valid_until")
        locked.counterparty = common.valid_counterparty(locked.client, locked.counterparty, locked.quote_date)
        common.check_contact(locked.client, locked.contact)
        archive.refuse_archived_links(locked, before=links)
        if "currency" in values and locked.currency != before["currency"] and locked.lines.exists():
            raise BusinessRuleError("currency_locked", _("Remove the lines before changing the currency."),
                                    field="currency")
        changes = audit.diff(before, audit.snapshot(locked, QUOTE_FIELDS))
        if changes:
            locked.save(update_fields=[*values, "note", "currency", "counterparty", "updated_at",
                                       *bump_version(locked)])
            audit.record(locked, "sales.quote.changed", by=by, root=locked.client, changes=changes)
    return locked


def add_quote_line(quote: Quote, *, by, expected_version: int | None = None, **values) -> QuoteLine:
    require_permission(by, "sales.change_quote")
    common.check_client(by, quote.client)
    with transaction.atomic():
        locked = _editable(quote, expected_version)
        line, changes = common.add_line(locked, by=by, **values)
        audit.record(locked, "sales.quote.line_added", by=by, root=locked.client, changes=changes)
    return line


def update_quote_line(line: QuoteLine, *, by, expected_version: int | None = None, **values) -> QuoteLine:
    """Change a line of a draft quote (`expected_version` is the quote's)."""
    require_permission(by, "sales.change_quote")
    common.check_client(by, line.quote.client)
    common.refuse_unknown_line_fields(values)
    with transaction.atomic():
        locked = _editable(line.quote, expected_version)
        line, changes = common.change_line(locked, line.pk, by=by, **values)
        audit.record(locked, "sales.quote.line_changed", by=by, root=locked.client, changes=changes)
    return line


def remove_quote_line(line: QuoteLine, *, by, expected_version: int | None = None) -> Quote:
    require_permission(by, "sales.change_quote")
    common.check_client(by, line.quote.client)
    with transaction.atomic():
        locked = _editable(line.quote, expected_version)
        changes = common.remove_line(locked, line.pk, by=by)
        audit.record(locked, "sales.quote.line_removed", by=by, root=locked.client, changes=changes)
    return locked


def _step(quote: Quote, to: str, *, by, expected_version=None) -> Quote:
    require_permission(by, "sales.change_quote")
    common.check_client(by, quote.client)
    with transaction.atomic():
        locked = _lock(quote)
        refuse_stale(locked, expected_version)
        return workflow.transition(locked, to, by=by, locked=True, also_save=bump_version(locked))


def send_quote(quote: Quote, *, by, expected_version: int | None = None) -> Quote:
    """Draft → sent: the quote must have lines."""
    if not quote.lines.exists():
        raise BusinessRuleError("no_lines", _("Add at least one line before sending the quote."), field="lines")
    return _step(quote, Quote.Status.SENT, by=by, expected_version=expected_version)


def reject_quote(quote: Quote, *, by, expected_version: int | None = None) -> Quote:
    return _step(quote, Quote.Status.REJECTED, by=by, expected_version=expected_version)


def expire_quote(quote: Quote, *, by, expected_version: int | None = None) -> Quote:
    return _step(quote, Quote.Status.EXPIRED, by=by, expected_version=expected_version)


def accept_quote(quote: Quote, *, by, expected_version: int | None = None,
                 order_date: datetime.date | None = None) -> Order:
    """Sent → accepted, in one transaction: a draft sales order with a copy of the lines; the deal (if any)
    gets the quote's total as its amount and is won through crm's services — when its stage rules refuse the
    win, nothing is written and the same 409 (stage_rule_unmet, with `missing`) is raised. A quote past its
    'valid until' on the acceptance day (`order_date`, else today in the company's time zone) is refused with
    409 quote_expired."""
    require_permission(by, "sales.change_quote")
    require_permission(by, "sales.add_order")
    common.check_client(by, quote.client)
    # Accepted on `order_date` (back-dated entry, e.g. the demo's year) or today: past 'valid until' it is
    # refused, and an overdue quote accepted today is expired on the way (its refusal is the daily job's work).
    overdue = is_overdue(quote, order_date) if order_date else expire_if_overdue(quote)
    if overdue:
        raise ConflictError("quote_expired", _("This quote expired on %(date)s: it can no longer be accepted. "
                                               "Make a new quote.") % {"date": date_format(quote.valid_until)})
    with transaction.atomic():
        locked = _lock(quote)
        refuse_stale(locked, expected_version)
        accepted = workflow.transition(locked, Quote.Status.ACCEPTED, by=by, locked=True,
                                       also_save=bump_version(locked))
        order = insert_row(Order(
            company_id=accepted.company_id, client_id=accepted.client_id, counterparty_id=accepted.counterparty_id,
            contact_id=accepted.contact_id, deal_id=accepted.deal_id, owner=by, currency=accepted.currency,
            tax_rounding=accepted.tax_rounding, net_total=accepted.net_total, tax_total=accepted.tax_total,
            total=accepted.total, note=accepted.note, order_date=order_date or _today(), quote=accepted,
            warehouse=default_warehouse(accepted.company_id), created_by=by,
        ))
        order.client = accepted.client  # read with the quote: callers (the page, the API) use it
        order.number = f"SO-{order.order_date.year}-{order.pk:05d}"
        update_rows(Order, ["number"], [order])
        insert_rows([
            OrderLine(order=order, quote_line=line, **{f: getattr(line, f) for f in COPIED_LINE_FIELDS})
            for line in _LINES.all(accepted.pk)
        ])
        audit.record(order, "sales.order.created", by=by, root=accepted.client, changes={
            "number": order.number, "quote": accepted.number, "total": str(order.total)})
        if accepted.deal_id:
            deal = accepted.deal
            if deal.status == deal.Status.OPEN:
                deal = deal_services.update_deal(deal, by=by, amount=accepted.total, currency=accepted.currency)
                deal_services.win_deal(deal, by=by)
    return order


_FIRST_WAREHOUSE = prepared(lambda company_id: Warehouse.objects.active().filter(company_id=company_id)
                            .order_by("pk")[:1])


def default_warehouse(company_id):
    """Where an order of this legal entity reserves by default: its first active warehouse."""
    return _FIRST_WAREHOUSE.first(company_id)


def expire_overdue_quotes(*, by=None, today: datetime.date | None = None) -> int:
    """Sent quotes past their 'valid until' become expired (a daily job); returns how many."""
    today = today or _today()
    count = 0
    for pk in Quote.objects.filter(status=Quote.Status.SENT, valid_until__lt=today).order_by("pk") \
            .values_list("pk", flat=True):
        with transaction.atomic():
            locked = Quote.objects.select_for_update().get(pk=pk)
            if not is_overdue(locked, today):
                continue  # accepted or rejected meanwhile
            workflow.transition(locked, Quote.Status.EXPIRED, by=by, locked=True, also_save=bump_version(locked))
        count += 1
    return count
