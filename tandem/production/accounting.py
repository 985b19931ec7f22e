"""The production order's own entries in the ledger (the stock moves are posted by stock_accounting).

Components consumed (Dr work in progress / Cr inventory) and output produced (Dr inventory / Cr work in
progress) are stock moves, posted by the bridge like every move. What is not a stock move is posted here, on
the stock journal (STK), origin = the order:

    operation minutes booked    Dr work in progress      / Cr labour and overhead absorbed
    what is left at the end     Dr production variances  / Cr work in progress (or the other way round)

so that a finished or cancelled order leaves nothing in work in progress. Nothing is posted while the ledger
does not follow stock (stock_accounting switched off), or while the legal entity lacks the STK journal or an
account of the subtypes work_in_progress, production_absorption, production_variance, or no open period covers
the date: the order keeps its figures, the books do not (see docs/architecture.md, Production)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from tandem.core.modules import enabled_module_keys
from tandem.core.money import quantize
from tandem.finance.models import Account, Entry
from tandem.finance.services import post_entry
from tandem.stock_accounting import services as bridge

WIP = Account.Subtype.WORK_IN_PROGRESS
ABSORPTION = Account.Subtype.PRODUCTION_ABSORPTION
VARIANCE = Account.Subtype.PRODUCTION_VARIANCE


def _accounts(company) -> dict | None:
    found = {}
    for account in (Account.objects.filter(company=company, subtype__in=[WIP, ABSORPTION, VARIANCE],
                                           is_archived=False).order_by("-code")):
        found[account.subtype] = account  # the lowest code wins
    return found if len(found) == 3 else None


def post_order_entry(order, *, amount: Decimal, counter: str, date: datetime.date, memo: str, by) -> Entry | None:
    """Dr work in progress / Cr `counter` (absorption or variance) by `amount` (negative: the other way round),
    or nothing when the ledger cannot take it (see the module docstring)."""
    company = order.company
    amount = quantize(amount, company.base_currency)
    if not amount or "stock_accounting" not in enabled_module_keys():
        return None
    ledger = bridge.ledger_for(company)
    accounts = _accounts(company)
    if ledger is None or accounts is None:
        return None
    day, _reason = bridge.posting_date(company, date)
    if day is None:
        return None
    debit, credit = (accounts[WIP], accounts[counter]) if amount > 0 else (accounts[counter], accounts[WIP])
    return post_entry(company=company, journal=ledger.journal, date=day, memo=memo, origin=order,
                      by=by if getattr(by, "pk", None) else None,
                      lines=[{"account": debit, "debit": abs(amount)}, {"account": credit, "credit": abs(amount)}])


def post_operation(order, operation, *, amount: Decimal, minutes: Decimal, date: datetime.date, by) -> Entry | None:
    memo = _("%(order)s: %(minutes)s min of %(operation)s on %(centre)s") % {
        "order": order.number, "minutes": format(minutes.normalize(), "f"), "operation": operation.name,
        "centre": operation.work_centre.code}
    return post_order_entry(order, amount=amount, counter=ABSORPTION, date=date, memo=memo, by=by)


def post_write_off(order, *, amount: Decimal, date: datetime.date, by) -> Entry | None:
    """`amount` left in work in progress goes to production variances (Cr WIP when positive)."""
    memo = _("%(order)s: work in progress left at the end to production variances") % {"order": order.number}
    return post_order_entry(order, amount=-amount, counter=VARIANCE, date=date, memo=memo, by=by)
