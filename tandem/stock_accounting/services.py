"""Stock values posted to the ledger (perpetual inventory, like Tryton's account_stock_continental).

Each valued stock move is posted in its own transaction (stock.signals.stock_moves_recorded), each revaluation
likewise (stock.signals.stock_revalued), on the STK journal, accounts chosen by subtype:

    receipt                      Dr inventory        / Cr goods received not invoiced
    shipment                     Dr cost of goods sold / Cr inventory
    adjustment + (found)         Dr inventory        / Cr stock adjustments
    adjustment − (lost, broken)  Dr stock adjustments / Cr inventory
    customer return              Dr inventory        / Cr cost of goods sold (at the cost it comes back with)
    transfer, one legal entity   nothing (both sides are the same inventory)
    transfer between entities    the source posts it like a shipment, the target like a receipt
    consumption (production)     Dr work in progress / Cr inventory
    production output            Dr inventory        / Cr work in progress

A revaluation posts each changed move's difference the same way (a dearer shipment: more cost of goods sold),
except a landed cost's own receipt (purchasing's allocation of freight, duties, insurance): Dr inventory / Cr
landed costs to allocate (the clearing account the supplier's bill was debited to). Dated the move's effective
date — or the first day of the first open period after it when that period is closed.

Not blocking the warehouse: when a legal entity has no ledger yet (no STK journal, or an inventory, cost of
goods sold, goods received or stock adjustment account missing), or no fiscal year covers the date, the posting
is kept as a *pending* StockPosting and the move goes through. `post_pending(company, by=)` posts them once
the ledger exists (dates before the first fiscal year go to the first open period: the accountant's explicit
step of bringing stock history into the books). The reconciliation page shows how many wait."""

from __future__ import annotations

import datetime
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.core import audit, formats
from tandem.core.bulk import insert_rows
from tandem.core.errors import BusinessRuleError
from tandem.core.money import quantize
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.finance.models import Account, FiscalYear, Journal, Period
from tandem.finance.services import post_entry
from tandem.stock.models import RevaluationEntry, StockMove
from tandem.stock_accounting.models import StockPosting

ZERO = Decimal(0)
Counter = StockPosting.Counter
Kind = StockMove.Kind

# The account the other side of the inventory line goes to, by the move's kind and direction.
OUT_COUNTER = {Kind.SHIPMENT: Counter.COGS, Kind.ADJUSTMENT: Counter.STOCK_ADJUSTMENT, Kind.TRANSFER: Counter.COGS,
               Kind.CONSUMPTION: Counter.WORK_IN_PROGRESS}
IN_COUNTER = {Kind.RECEIPT: Counter.GOODS_RECEIVED, Kind.RETURN: Counter.COGS,
              Kind.ADJUSTMENT: Counter.STOCK_ADJUSTMENT, Kind.TRANSFER: Counter.GOODS_RECEIVED,
              Kind.PRODUCTION: Counter.WORK_IN_PROGRESS}
INVENTORY = Account.Subtype.INVENTORY
SUBTYPES = {INVENTORY: INVENTORY, Counter.COGS: Account.Subtype.COGS,
            Counter.GOODS_RECEIVED: Account.Subtype.GOODS_RECEIVED,
            Counter.STOCK_ADJUSTMENT: Account.Subtype.STOCK_ADJUSTMENT}
# Needed only by the postings that use them (landed costs; the moves of production orders): a ledger without one
# still posts everything else, and such a posting waits (no_ledger) until the account exists.
OPTIONAL_SUBTYPES = {Counter.LANDED_COST: Account.Subtype.LANDED_COST_CLEARING,
                     Counter.WORK_IN_PROGRESS: Account.Subtype.WORK_IN_PROGRESS}

# Why a posting waits.
NO_LEDGER = "no_ledger"
NO_FISCAL_YEAR = "no_fiscal_year"
NO_OPEN_PERIOD = "no_open_period"
PENDING_REASONS = {
    NO_LEDGER: gettext_lazy("no stock journal or stock accounts"),
    NO_FISCAL_YEAR: gettext_lazy("no fiscal year covers the date"),
    NO_OPEN_PERIOD: gettext_lazy("no open period on or after the date"),
}


@dataclass(frozen=True)
class Leg:
    """One legal entity's side of a move: its inventory goes up (+1) or down (−1) against `counter`."""

    company: object
    sign: int
    counter: str


def legs(move: StockMove) -> list[Leg]:
    """The inventories a move changes. A move inside one legal entity (between its warehouses or bins) changes
    none: what leaves one warehouse enters the other at the same value."""
    source = move.from_location.warehouse if move.from_location_id else None
    target = move.to_location.warehouse if move.to_location_id else None
    if source is not None and target is not None and source.company_id == target.company_id:
        return []
    result = []
    if source is not None:
        result.append(Leg(source.company, -1, OUT_COUNTER.get(move.kind, Counter.STOCK_ADJUSTMENT)))
    if target is not None:
        result.append(Leg(target.company, 1, IN_COUNTER.get(move.kind, Counter.GOODS_RECEIVED)))
    return result


@dataclass
class Ledger:
    journal: Journal
    accounts: dict  # INVENTORY / counter → Account


_STOCK_JOURNAL = prepared(lambda company_id: Journal.objects.filter(
    company_id=company_id, kind=Journal.Kind.STOCK, is_archived=False).order_by("code", "pk")[:1])
_STOCK_ACCOUNTS = prepared(lambda company_id: Account.objects.filter(
    company_id=company_id, subtype__in=sorted({*SUBTYPES.values(), *OPTIONAL_SUBTYPES.values()}),
    is_archived=False).order_by("-code"))


def ledger_for(company) -> Ledger | None:
    """The STK journal and the stock accounts of a legal entity (the lowest code of each subtype), or None
    while any of them is missing."""
    journal = _STOCK_JOURNAL.first(company.pk)
    if journal is None:
        return None
    by_subtype = {}
    for account in _STOCK_ACCOUNTS.all(company.pk):
        by_subtype[account.subtype] = account  # the lowest code wins
    if not set(SUBTYPES.values()) <= set(by_subtype):
        return None
    return Ledger(journal, {role: by_subtype[subtype] for role, subtype in (*SUBTYPES.items(),
                                                                           *OPTIONAL_SUBTYPES.items())
                            if subtype in by_subtype})


def posting_date(company, day: datetime.date, *, before_ledger: bool = False) -> tuple[datetime.date | None, str]:
    """(date to post on, "") or (None, why). The day itself when its period is open; the first day of the first
    open period after it when its period is closed (or, with `before_ledger`, when no fiscal year covers it)."""
    covering = (Period.objects.select_related("fiscal_year").filter(company=company, start_date__lte=day,
                                                                     end_date__gte=day).first())
    if covering is not None and covering.status == Period.Status.OPEN \
            and covering.fiscal_year.status == FiscalYear.Status.OPEN:
        return day, ""
    if covering is None and not before_ledger:
        return None, NO_FISCAL_YEAR
    later = (Period.objects.filter(company=company, start_date__gt=day, status=Period.Status.OPEN,
                                   fiscal_year__status=FiscalYear.Status.OPEN).order_by("start_date")
             .values_list("start_date", flat=True).first())
    if later is None:
        return None, NO_OPEN_PERIOD if covering is not None else NO_FISCAL_YEAR
    return later, ""


def _lines(ledger: Ledger, company, postings: list[StockPosting]) -> list[dict]:
    net: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for posting in postings:
        amount = quantize(posting.amount, company.base_currency)
        net[INVENTORY] += amount
        net[posting.counter] -= amount
    return [{"account": ledger.accounts[role], "debit": amount} if amount > 0
            else {"account": ledger.accounts[role], "credit": -amount}
            for role, amount in sorted(net.items()) if amount]


# --- Memos ----------------------------------------------------------------------------------------------------

def move_memo(move: StockMove) -> str:
    """What moved and why: "Shipment #12: 3 × LAMP-01, MAIN — order line #7"."""
    places = " → ".join(location.warehouse.code for location in (move.from_location, move.to_location)
                        if location is not None)
    text = _("%(kind)s #%(move)s: %(quantity)s × %(sku)s, %(places)s") % {
        "kind": move.get_kind_display(), "move": move.pk, "quantity": formats.format_number(move.quantity),
        "sku": move.product.sku, "places": places}
    if move.origin_type_id:
        text += f" — {ContentType.objects.get_for_id(move.origin_type_id).name} #{move.origin_id}"
    if move.reason:
        text += f" ({move.reason})"
    return text


def revaluation_memo(revaluation, count: int) -> str:
    """Which change revalued the moves: a cost correction or a back-dated move."""
    correction, cause = revaluation.cause_correction, revaluation.cause_move
    if correction is not None and correction.kind == correction.Kind.LANDED_COST:
        why = _("landed cost of %(amount)s on receipt #%(receipt)s, unit cost %(old)s → %(new)s") % {
            "amount": formats.format_number(correction.added_value or ZERO, 2), "receipt": correction.move_id,
            "old": formats.format_rate(correction.old_unit_cost), "new": formats.format_rate(correction.new_unit_cost)}
        if correction.reason:
            why += f" ({correction.reason})"
    elif correction is not None:
        why = _("cost of receipt #%(receipt)s corrected from %(old)s to %(new)s") % {
            "receipt": correction.move_id, "old": formats.format_rate(correction.old_unit_cost),
            "new": formats.format_rate(correction.new_unit_cost)}
    elif cause is not None:
        why = _("%(kind)s #%(move)s dated %(date)s") % {"kind": cause.get_kind_display(), "move": cause.pk,
                                                       "date": formats.format_date(cause.effective_date)}
    else:
        why = _("a back-dated change")
    return _("Revaluation %(batch)s of %(count)s stock moves (%(sku)s): %(why)s") % {
        "batch": str(revaluation.batch)[:8], "count": count, "sku": revaluation.move.product.sku, "why": why}


# --- Posting ----------------------------------------------------------------------------------------------------

def _resolve(company, day: datetime.date, ledger: Ledger | None, *, before_ledger: bool = False):
    """(posting date, "") or (None, why the posting waits)."""
    if ledger is None:
        return None, NO_LEDGER
    return posting_date(company, day, before_ledger=before_ledger)


def _book(company, postings: list[StockPosting], *, date, reason: str, memo: str, origin, by,
          ledger: Ledger | None) -> None:
    """Post `postings` (one legal entity) as one entry dated `date`, or mark them pending for `reason`."""
    if date is not None and any(posting.counter not in ledger.accounts for posting in postings):
        date, reason = None, NO_LEDGER  # e.g. a landed cost or production move before its account exists
    if date is None:
        for posting in postings:
            posting.status, posting.reason = StockPosting.Status.PENDING, reason
        return
    lines = _lines(ledger, company, postings)
    entry = post_entry(company=company, journal=ledger.journal, date=date, lines=lines, memo=memo, origin=origin,
                       by=by) if lines else None
    now = timezone.now()
    for posting in postings:
        posting.status, posting.reason, posting.entry, posting.posted_at = StockPosting.Status.POSTED, "", entry, now


def _joined():
    """The stock move's transaction (the receivers always run in one): no SAVEPOINT per move of a document."""
    return nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()


def _actor(by):
    return by if getattr(by, "pk", None) else None


def post_moves(moves: list[StockMove]) -> list[StockPosting]:
    """Post just-recorded, valued moves (in their transaction; stock.signals.stock_moves_recorded): one entry
    per move and legal entity whose inventory it changes, origin = the move, by its recorder. Nothing for a
    move without value or inside one legal entity. The ledger and the posting date are looked up once per
    legal entity (and date) of the batch."""
    postings = []
    ledgers, dates = {}, {}
    with _joined():
        for move in moves:
            if not move.value:
                continue
            for leg in legs(move):
                company = leg.company
                if company.pk not in ledgers:
                    ledgers[company.pk] = ledger_for(company)
                key = (company.pk, move.effective_date)
                if key not in dates:
                    dates[key] = _resolve(company, move.effective_date, ledgers[company.pk])
                posting = StockPosting(company=company, move=move, stock_date=move.effective_date,
                                       amount=leg.sign * move.value, counter=leg.counter)
                date, reason = dates[key]
                _book(company, [posting], date=date, reason=reason, memo=move_memo(move), origin=move,
                      by=move.created_by if move.created_by_id else None, ledger=ledgers[company.pk])
                postings.append(posting)
        insert_rows(postings)
    return postings


def _counter(leg: Leg, revaluation) -> str:
    """A landed cost's own receipt is revalued against the landed-cost clearing account; everything else (the
    shipments it made dearer, a corrected price) against the move's usual counter account."""
    correction = revaluation.cause_correction
    if (correction is not None and correction.kind == correction.Kind.LANDED_COST
            and revaluation.move_id == correction.move_id and leg.sign > 0):
        return Counter.LANDED_COST
    return leg.counter


def post_revaluation(entries, *, by=None) -> list[StockPosting]:
    """Post one batch of revaluation entries (stock.RevaluationEntry): per legal entity and date one entry
    whose origin is the first revaluation entry of the group and whose memo names the cause."""
    rows = list(entries.select_related(
        "move__product", "move__from_location__warehouse__company", "move__to_location__warehouse__company",
        "cause_correction", "cause_move").order_by("id"))
    ledgers, dates = {}, {}
    groups: dict[tuple, list] = defaultdict(list)
    for revaluation in rows:
        if not revaluation.difference:
            continue
        for leg in legs(revaluation.move):
            company = leg.company
            if company.pk not in ledgers:
                ledgers[company.pk] = ledger_for(company)
            day = revaluation.effective_date
            if (company.pk, day) not in dates:
                dates[company.pk, day] = _resolve(company, day, ledgers[company.pk])
            posting = StockPosting(company=company, move=revaluation.move, revaluation=revaluation, stock_date=day,
                                   amount=leg.sign * revaluation.difference, counter=_counter(leg, revaluation))
            # One entry per legal entity and posting date (revaluations of a closed month share the next one).
            date, reason = dates[company.pk, day]
            groups[(company.pk, date or datetime.date.min, reason)].append((company, revaluation, posting))
    postings = []
    with _joined():
        for (company_id, _date, reason), items in sorted(groups.items()):
            company, first = items[0][0], items[0][1]
            group = [posting for _company, _revaluation, posting in items]
            date = _date if not reason else None
            _book(company, group, date=date, reason=reason,
                  memo=revaluation_memo(first, len({r.pk for _c, r, _p in items})), origin=first, by=_actor(by),
                  ledger=ledgers[company_id])
            postings += group
        StockPosting.objects.bulk_create(postings)
    return postings


def post_pending(company, *, by) -> tuple[int, int]:
    """Post what waits for `company`'s ledger (accountants: finance.add_entry). Each move, and each revaluation
    batch per date, becomes one entry on its date, or — when that period is closed or lies before the first
    fiscal year — on the first day of the first open period after it. Returns (posted, still pending)."""
    require_permission(by, "finance.add_entry")
    ledger = ledger_for(company)
    if ledger is None:
        raise BusinessRuleError(
            NO_LEDGER, _("Set up the ledger first: a stock journal (STK) and accounts of the subtypes inventory, "
                         "cost of goods sold, goods received not invoiced and stock adjustments."), field="company")
    with transaction.atomic():
        pending = list(StockPosting.objects.select_for_update().filter(company=company,
                                                                       status=StockPosting.Status.PENDING)
                       .order_by("pk"))
        if not pending:
            return 0, 0
        moves = StockMove.objects.select_related("product", "from_location__warehouse", "to_location__warehouse") \
            .in_bulk({p.move_id for p in pending})
        revaluations = RevaluationEntry.objects.select_related("move__product", "cause_correction", "cause_move") \
            .in_bulk({p.revaluation_id for p in pending if p.revaluation_id})
        dates = {day: _resolve(company, day, ledger, before_ledger=True) for day in {p.stock_date for p in pending}}
        groups: dict[tuple, list] = defaultdict(list)
        for posting in pending:
            date, reason = dates[posting.stock_date]
            if posting.revaluation_id:
                source = ("revaluation", revaluations[posting.revaluation_id].batch)
            else:
                source = ("move", posting.move_id)
            groups[(date or datetime.date.min, reason, *source)].append(posting)
        posted = still = 0
        for key, group in sorted(groups.items(), key=lambda item: (item[0][0], min(p.pk for p in item[1]))):
            date, reason, kind, source = key
            if kind == "move":
                move = moves[source]
                memo, origin = move_memo(move), move
            else:
                first = revaluations[min(p.revaluation_id for p in group)]
                memo, origin = revaluation_memo(first, len({p.revaluation_id for p in group})), first
            _book(company, group, date=None if reason else date, reason=reason, memo=memo, origin=origin, by=by,
                  ledger=ledger)
            for posting in group:
                if posting.status == StockPosting.Status.POSTED:
                    posted += 1
                else:
                    still += 1
                posting.save(update_fields=["status", "reason", "entry", "posted_at"])
        audit.record(company, "stock_accounting.stockposting.posted", by=by,
                     changes={"posted": posted, "still_pending": still})
    return posted, still
