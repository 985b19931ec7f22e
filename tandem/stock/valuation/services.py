"""Writes of stock valuation: cost a new move, correct a receipt's cost, revalue after back-dated changes.

A pool is one product in one warehouse (the warehouse belongs to one legal entity, whose valuation method and
base currency apply). A move enters the pools it touches as ValuationEntry rows; transfers inside one
warehouse change no value and have none. After any change at position (date, move id) of a pool, `_revalue`
restarts from the entry just before it (its running quantity, value, current cost and, for FIFO, the layers
not yet consumed, found by cum_in > cum_out) and replays only that pool's later entries, writing the rows
whose numbers changed in bulk. A transfer out whose value changed revalues the receiving pool from there; a
shipment whose value changed revalues the customer returns of it (basis returned, `source_move`) from theirs."""

from __future__ import annotations

import datetime
import uuid
from collections import deque
from contextlib import nullcontext
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.bulk import insert_rows
from tandem.core.errors import BusinessRuleError
from tandem.core.money import quantize
from tandem.stock.valuation.engine import ZERO, Layer, PoolState, Step, apply, unit
from tandem.stock.valuation.models import CostCorrection, RevaluationEntry, ValuationEntry

INCOMING_KINDS = {"receipt", "return", "adjustment"}
_ENTRY_FIELDS = ("unit_cost", "value", "running_quantity", "running_value", "current_cost", "cum_in", "cum_out")


def value_move(move) -> list[ValuationEntry]:
    """Put a just-recorded move into its pools and cost it (and everything after it, when it is back-dated).
    Called by stock.services.record_move inside its transaction."""
    source = move.from_location.warehouse if move.from_location_id else None
    target = move.to_location.warehouse if move.to_location_id else None
    if source is not None and target is not None and source.pk == target.pk:
        return []  # a move between locations of one warehouse changes no value
    entries = []
    if source is not None:
        entries.append(ValuationEntry(move=move, product_id=move.product_id, warehouse=source,
                                      effective_date=move.effective_date, basis=ValuationEntry.Basis.OUT,
                                      quantity=move.quantity))
    if target is not None:
        source_move_id = getattr(move, "cost_source_id", None) if source is None else None
        if source is not None:
            basis = ValuationEntry.Basis.TRANSFER
        elif source_move_id is not None:
            basis = ValuationEntry.Basis.RETURNED
        elif move.unit_cost is not None:
            basis = ValuationEntry.Basis.GIVEN
        else:
            basis = ValuationEntry.Basis.DERIVED
        entries.append(ValuationEntry(move=move, product_id=move.product_id, warehouse=target,
                                      effective_date=move.effective_date, basis=basis, quantity=move.quantity,
                                      unit_cost=move.unit_cost or ZERO, source_move_id=source_move_id))
    # Inside record_move's transaction (which holds the pools' WarehouseStock locks): no savepoint of its own.
    with nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic():
        ValuationEntry.objects.bulk_create(entries)
        if any(entry.pk is None for entry in entries):  # a backend that cannot return the new ids
            entries = list(ValuationEntry.objects.filter(move=move).select_related("warehouse__company"))
        fresh = {entry.pk for entry in entries}
        # The source pool first: a transfer enters the target with the value it left the source with.
        entries.sort(key=lambda entry: entry.basis != ValuationEntry.Basis.OUT)
        _revalue({(move.product_id, entry.warehouse_id): (move.effective_date, move.pk) for entry in entries},
                 fresh=fresh, cause_move=move, warehouses={entry.warehouse_id: entry.warehouse for entry in entries})
    return entries


def plan_costs(moves) -> dict | None:
    """Cost moves about to be inserted (no pk yet, in the order they will get their ids) when each comes after
    every entry of its pools: the usual case of goods received or shipped today. One read finds the last entry
    of every pool the moves touch (and, under FIFO, one read per pool its open layers); the moves get their unit
    cost and value in memory, and value_new_moves inserts their entries with the running numbers, so nothing is
    replayed or written twice. Returns None when a pool has an entry dated after one of the moves (back-dated:
    value_new_moves replays with value_move)."""
    Entry = ValuationEntry
    if any(getattr(move, "cost_source_id", None) is not None for move in moves):
        return None  # a customer return takes its shipment's current cost: value_move reads it
    pools, planned = {}, []
    for move in moves:
        source = move.from_location.warehouse if move.from_location_id else None
        target = move.to_location.warehouse if move.to_location_id else None
        if source is not None and target is not None and source.pk == target.pk:
            planned.append((move, None, None))
            continue
        planned.append((move, source, target))
        for warehouse in (source, target):
            if warehouse is not None:
                pools.setdefault((move.product_id, warehouse.pk), warehouse)
    if not pools:
        return {"entries": [], "last": {}, "given": []}
    last = {(entry.product_id, entry.warehouse_id): (
        entry.product_id, entry.warehouse_id, entry.effective_date, entry.move_id, entry.running_quantity,
        entry.running_value, entry.current_cost, entry.cum_in, entry.cum_out) for entry in _last_entries(pools)}
    states = {}
    for key, warehouse in pools.items():
        row = last.get(key)
        if row is not None and any(row[2] > move.effective_date for move, source, target in planned
                                   if move.product_id == key[0] and key[1] in (getattr(source, "pk", None),
                                                                               getattr(target, "pk", None))):
            return None
        fifo = warehouse.company.valuation_method == "fifo"
        if row is None:
            state = PoolState()
        else:
            state = PoolState(quantity=row[4], value=row[5], current_cost=row[6], cum_in=row[7], cum_out=row[8])
            if fifo:
                open_layers = (Entry.objects.filter(product_id=key[0], warehouse_id=key[1], cum_in__gt=row[8])
                               .exclude(basis=Entry.Basis.OUT).order_by("effective_date", "move_id")
                               .values_list("cum_in", "quantity", "unit_cost", "value"))
                state.layers = deque(Layer(cum_in - quantity, quantity, cost, value)
                                     for cum_in, quantity, cost, value in open_layers)
        states[key] = (state, fifo, warehouse.company.base_currency)
    entries = []
    given = [(move, move.unit_cost, move.value) for move in moves]
    for move, source, target in planned:
        if source is None and target is None:
            continue
        out_value = None
        if source is not None:
            state, fifo, currency = states[(move.product_id, source.pk)]
            cost, out_value = apply(state, Step(Entry.Basis.OUT, move.quantity), fifo=fifo, currency=currency)
            out_value = _as_stored(Entry, "value", out_value)
            entries.append(_planned_entry(move, source, Entry.Basis.OUT, state, cost, out_value))
            move.unit_cost = _as_stored(move, "unit_cost", cost)
            move.value = _as_stored(move, "value", out_value)
        if target is not None:
            if source is not None:
                basis = Entry.Basis.TRANSFER
            elif move.unit_cost is not None:
                basis = Entry.Basis.GIVEN
            else:
                basis = Entry.Basis.DERIVED
            state, fifo, currency = states[(move.product_id, target.pk)]
            given = _as_stored(Entry, "unit_cost", move.unit_cost) if basis == Entry.Basis.GIVEN else ZERO
            cost, value = apply(state, Step(basis, move.quantity, unit_cost=given, value=out_value),
                                fifo=fifo, currency=currency)
            entries.append(_planned_entry(move, target, basis, state, cost, value))
            if basis != Entry.Basis.TRANSFER:
                move.unit_cost = _as_stored(move, "unit_cost", cost)
                move.value = _as_stored(move, "value", value)
    return {"entries": entries, "last": {key: (row[2], row[3]) for key, row in last.items()}, "given": given}


def _last_entries(pools) -> list[ValuationEntry]:
    """The last entry (by date, then move) of each (product id, warehouse id) pool, in one statement: one
    index seek per pool (valuation_entry_pool, read backwards), joined with UNION ALL. Written as SQL because
    Django cannot put LIMIT inside a compound query on SQLite; the rows come through Model.objects.raw, so the
    fields are converted as any query converts them."""
    quote = connection.ops.quote_name
    meta = ValuationEntry._meta
    column = {name: quote(meta.get_field(name).column) for name in ("product", "warehouse", "effective_date",
                                                                    "move")}
    arms, params = [], []
    for index, (product_id, warehouse_id) in enumerate(sorted(pools)):
        arms.append(f"SELECT * FROM (SELECT * FROM {quote(meta.db_table)} WHERE {column['product']} = %s AND "
                    f"{column['warehouse']} = %s ORDER BY {column['effective_date']} DESC, {column['move']} DESC "
                    f"LIMIT 1) AS last_{index}")
        params += [product_id, warehouse_id]
    return list(ValuationEntry.objects.raw(" UNION ALL ".join(arms), params))


def _planned_entry(move, warehouse, basis, state, cost, value) -> ValuationEntry:
    return ValuationEntry(move=move, product_id=move.product_id, warehouse=warehouse,
                          effective_date=move.effective_date, basis=basis, quantity=move.quantity, unit_cost=cost,
                          value=value, running_quantity=state.quantity, running_value=state.value,
                          current_cost=state.current_cost, cum_in=state.cum_in, cum_out=state.cum_out)


def value_new_moves(moves, plan: dict | None) -> None:
    """After the moves planned by plan_costs are inserted: their valuation entries in one statement; or, without
    a plan (a back-dated move) or if a pool already holds an entry at the same date with a higher move id, each
    move valued in turn by value_move (which replays what comes after it)."""
    if plan is not None:
        for entry in plan["entries"]:
            position = plan["last"].get((entry.product_id, entry.warehouse_id))
            if position is not None and position >= (entry.effective_date, entry.move.pk):
                for move, unit_cost, value in plan["given"]:  # as recorded: value_move costs them again
                    move.unit_cost, move.value = unit_cost, value
                plan = None
                break
    if plan is None:
        for move in moves:
            value_move(move)
        return
    insert_rows(plan["entries"])


def correct_cost(move, *, unit_cost: Decimal, effective_date: datetime.date | None = None, reason: str = "",
                 by) -> CostCorrection:
    """A receipt's cost turned out different (invoice, freight): its unit cost becomes `unit_cost` and every
    later move that took from it is revalued; the differences are recorded and announced (stock_revalued)."""
    from tandem.core.permissions import require_permission
    from tandem.stock.services import lock_warehouse_stock

    if by is not None:  # like stock.services.record_move: other services call it on behalf of their user
        require_permission(by, "stock.add_costcorrection")  # accountants (and administrators) correct costs
    unit_cost = Decimal(unit_cost)
    if unit_cost < 0:
        raise BusinessRuleError("negative_cost", _("A unit cost cannot be negative."), field="unit_cost")
    with transaction.atomic():
        entry = (ValuationEntry.objects.select_related("warehouse").filter(move=move)
                 .exclude(basis=ValuationEntry.Basis.OUT).first())
        if entry is None or entry.basis == ValuationEntry.Basis.TRANSFER:
            raise BusinessRuleError("not_a_receipt", _("Only the cost of goods received can be corrected."),
                                    field="move")
        lock_warehouse_stock(move.product, [entry.warehouse])
        correction = CostCorrection.objects.create(
            move=move, effective_date=effective_date or timezone.localdate(), old_unit_cost=entry.unit_cost,
            new_unit_cost=unit_cost, reason=reason, created_by=by if getattr(by, "pk", None) else None)
        landed = _landed_value(move)
        if landed is None:
            ValuationEntry.objects.filter(pk=entry.pk).update(basis=ValuationEntry.Basis.GIVEN, unit_cost=unit_cost)
            type(move).objects.filter(pk=move.pk).update(unit_cost=unit_cost)
            values = None
        else:  # landed costs stay on top of the corrected price
            values = {entry.pk: quantize(entry.quantity * unit_cost, entry.warehouse.company.base_currency) + landed}
        _revalue({(move.product_id, entry.warehouse_id): (move.effective_date, move.pk)}, fresh=set(),
                 cause_correction=correction, values=values)
    return correction


def _landed_value(move) -> Decimal | None:
    """What landed costs added to a receipt (None when none did)."""
    added = [value for value in CostCorrection.objects.filter(move=move, kind=CostCorrection.Kind.LANDED_COST)
             .values_list("added_value", flat=True) if value is not None]
    return sum(added, ZERO) if added else None


def add_landed_cost(move, *, amount: Decimal, effective_date: datetime.date | None = None, reason: str = "",
                    by=None) -> CostCorrection:
    """Add a landed cost (freight, duty, insurance: purchasing's allocation) to a receipt: its value grows by
    `amount` (base currency) exactly, its unit cost becomes value ÷ quantity, and the receipt's pool is replayed
    from it like any back-dated change — goods still on hand carry the higher cost, moves that already took
    from the receipt (shipments) are revalued. The revaluation entries are announced (stock_revalued) with the
    returned CostCorrection (kind landed_cost) as their cause; the ledger posts the receipt's difference against
    the landed-cost clearing account. The caller checks its own permission (like value_move)."""
    from tandem.stock.services import lock_warehouse_stock

    amount = Decimal(amount)
    if amount < 0:
        raise BusinessRuleError("negative_amount", _("A landed cost cannot be negative."), field="amount")
    with transaction.atomic():
        entry = (ValuationEntry.objects.select_related("warehouse__company").filter(move=move)
                 .exclude(basis=ValuationEntry.Basis.OUT).first())
        if entry is None or entry.basis == ValuationEntry.Basis.TRANSFER or move.kind != "receipt":
            raise BusinessRuleError("not_a_receipt", _("Landed costs are added to goods received only."),
                                    field="move")
        lock_warehouse_stock(move.product, [entry.warehouse])
        entry.refresh_from_db(fields=["unit_cost", "value", "basis"])
        new_value = entry.value + quantize(amount, entry.warehouse.company.base_currency)
        new_cost = unit(new_value / entry.quantity)
        correction = CostCorrection.objects.create(
            kind=CostCorrection.Kind.LANDED_COST, move=move, effective_date=effective_date or timezone.localdate(),
            old_unit_cost=entry.unit_cost, new_unit_cost=new_cost, added_value=new_value - entry.value,
            reason=reason, created_by=by if getattr(by, "pk", None) else None)
        ValuationEntry.objects.filter(pk=entry.pk).update(basis=ValuationEntry.Basis.VALUED)
        _revalue({(move.product_id, entry.warehouse_id): (move.effective_date, move.pk)}, fresh=set(),
                 cause_correction=correction, values={entry.pk: new_value})
    return correction


# --- Replay -------------------------------------------------------------------------------------------------

def _before(position) -> Q:
    """Entries before (date, move id). Written with a leading range on the date so that the pool index
    (product, warehouse, effective_date, move) bounds the scan: a plain "date < d OR (date = d AND move < m)"
    made SQLite walk the whole pool, slower with every move."""
    date, move_id = position
    return Q(effective_date__lte=date) & (Q(effective_date__lt=date) | Q(move_id__lt=move_id))


def _from(position) -> Q:
    """Entries at or after (date, move id): the complement of _before, as a range too."""
    date, move_id = position
    return Q(effective_date__gte=date) & (Q(effective_date__gt=date) | Q(move_id__gte=move_id))


def _restart_state(product_id, warehouse_id, position, *, fifo: bool) -> PoolState:
    pool = ValuationEntry.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
    last = pool.filter(_before(position)).order_by("-effective_date", "-move_id").first()
    if last is None:
        return PoolState()
    state = PoolState(quantity=last.running_quantity, value=last.running_value, current_cost=last.current_cost,
                      cum_in=last.cum_in, cum_out=last.cum_out)
    if fifo:
        open_layers = (pool.filter(_before(position), cum_in__gt=last.cum_out)
                       .exclude(basis=ValuationEntry.Basis.OUT).order_by("effective_date", "move_id")
                       .values_list("cum_in", "quantity", "unit_cost", "value"))
        state.layers = deque(Layer(cum_in - quantity, quantity, cost, value)
                             for cum_in, quantity, cost, value in open_layers)
    return state


def _revalue(pending: dict, *, fresh: set, cause_move=None, cause_correction=None, warehouses=None,
             values: dict | None = None):
    """Replay each pool in `pending` ({(product_id, warehouse_id): position}) from its position; pools a
    changed transfer reaches are added. Returns (and announces) the revaluation entries recorded, a queryset
    of one batch. `warehouses`: {id: Warehouse with its company} the caller has already read. The cost and
    value written to `cause_move` are set on it too. `values`: {entry id: new value} of receipts with landed
    costs (basis valued) whose value changes now; otherwise such an entry keeps its stored value."""
    from tandem.stock.models import StockMove, Warehouse
    from tandem.stock.signals import stock_revalued

    recorded = 0
    batch = uuid.uuid4()
    warehouses: dict[int, Warehouse] = dict(warehouses or {})
    locked = set(pending)  # the callers hold the WarehouseStock locks of the pools they start with
    while pending:
        key = min(pending, key=lambda k: pending[k])
        position = pending.pop(key)
        product_id, warehouse_id = key
        if warehouse_id not in warehouses:
            warehouses[warehouse_id] = Warehouse.objects.select_related("company").get(pk=warehouse_id)
        company = warehouses[warehouse_id].company
        if key not in locked:  # a pool reached through a transfer: serialise with moves recorded there
            from tandem.catalog.models import Product
            from tandem.stock.services import lock_warehouse_stock

            lock_warehouse_stock(Product(pk=product_id), [warehouses[warehouse_id]])
            locked.add(key)
        fifo = company.valuation_method == "fifo"
        currency = company.base_currency
        state = _restart_state(product_id, warehouse_id, position, fifo=fifo)
        rows = list(ValuationEntry.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
                    .filter(_from(position)).order_by("effective_date", "move_id")
                    .values_list("id", "move_id", "effective_date", "basis", "quantity", "source_move_id",
                                 *_ENTRY_FIELDS))
        # Returns take the current unit cost of the shipment they return: as stored, or as replayed just now
        # when the shipment comes earlier in this pool (kept in `source_costs` as the loop passes it).
        sources = {row[5] for row in rows if row[3] == ValuationEntry.Basis.RETURNED}
        source_costs = {}
        if sources:
            source_costs = dict(ValuationEntry.objects.filter(move_id__in=sources, basis=ValuationEntry.Basis.OUT)
                                .values_list("move_id", "unit_cost"))
        transfer_values = {}
        transfer_moves = [row[1] for row in rows if row[3] == ValuationEntry.Basis.TRANSFER]
        if transfer_moves:
            transfer_values = dict(ValuationEntry.objects.filter(move_id__in=transfer_moves,
                                                                 basis=ValuationEntry.Basis.OUT)
                                   .values_list("move_id", "value"))
        changed, move_updates, revalued, cascades = [], [], [], []
        for (pk, move_id, date, basis, quantity, source_move, unit_cost, value, *running) in rows:
            if basis == ValuationEntry.Basis.VALUED:
                given = (values or {}).get(pk, value)
            else:
                given = transfer_values.get(move_id)
            cost = source_costs.get(source_move, unit_cost) if basis == ValuationEntry.Basis.RETURNED else unit_cost
            step = Step(basis, quantity, unit_cost=cost, value=given)
            new_cost, new_value = apply(state, step, fifo=fifo, currency=currency)
            if move_id in sources and basis == ValuationEntry.Basis.OUT:
                source_costs[move_id] = new_cost
            new = (new_cost, new_value, state.quantity, state.value, state.current_cost, state.cum_in,
                   state.cum_out)
            if pk not in fresh and new == (unit_cost, value, *running):
                continue
            changed.append((*new, pk))
            if basis != ValuationEntry.Basis.TRANSFER and (pk in fresh or (new_cost, new_value) != (unit_cost, value)):
                # The move carries the cost it left with (or entered with); a transfer's is its outgoing side's.
                move_updates.append((new_cost, new_value, move_id))
            if pk in fresh or new_value == value:
                continue
            if basis == ValuationEntry.Basis.OUT:
                cascades.append((move_id, date))
            if basis != ValuationEntry.Basis.TRANSFER:
                revalued.append((move_id, date, value, new_value))
        _write(changed, move_updates)
        if cause_move is not None:
            for new_cost, new_value, move_id in move_updates:
                if move_id == cause_move.pk:  # as stored (what refresh_from_db would read back)
                    cause_move.unit_cost = _as_stored(cause_move, "unit_cost", new_cost)
                    cause_move.value = _as_stored(cause_move, "value", new_value)
        if revalued:
            kinds = {}
            for chunk in _chunks([r[0] for r in revalued]):
                kinds.update(StockMove.objects.filter(pk__in=chunk).values_list("pk", "kind"))
            now = timezone.now()
            _insert_revaluations([(move_id, warehouse_id, product_id, company.pk, kinds[move_id], date, old, new,
                                   new - old, getattr(cause_move, "pk", None), getattr(cause_correction, "pk", None),
                                   batch, now)
                                  for move_id, date, old, new in revalued])
            recorded += len(revalued)
        cascade_targets = []
        for chunk in _chunks([move_id for move_id, _date in cascades]):
            cascade_targets += (ValuationEntry.objects.filter(move_id__in=chunk, basis=ValuationEntry.Basis.TRANSFER)
                                .values_list("move_id", "effective_date", "warehouse_id"))
        for move_id, date, target in cascade_targets:
            target_key = (product_id, target)
            spot = (date, move_id)
            if target_key not in pending or spot < pending[target_key]:
                pending[target_key] = spot
        out_positions = dict(cascades)
        return_targets = []
        for chunk in _chunks(list(out_positions)):
            return_targets += (ValuationEntry.objects.filter(source_move_id__in=chunk,
                                                             basis=ValuationEntry.Basis.RETURNED)
                               .values_list("source_move_id", "move_id", "effective_date", "warehouse_id"))
        for source_move, move_id, date, target in return_targets:
            target_key = (product_id, target)
            spot = (date, move_id)
            if target_key == key and spot > (out_positions[source_move], source_move):
                continue  # replayed just now, after its shipment, with the shipment's new cost
            if target_key not in pending or spot < pending[target_key]:
                pending[target_key] = spot
    entries = RevaluationEntry.objects.filter(batch=batch).order_by("id")
    if recorded:
        stock_revalued.send(sender=RevaluationEntry, entries=entries, cause=cause_correction or cause_move)
    return entries


def _as_stored(obj, name: str, value):
    """`value` as the field `name` of `obj` (a model instance or class) stores it."""
    if value is None:
        return None
    places = (obj if isinstance(obj, type) else type(obj))._meta.get_field(name).decimal_places
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def _chunks(items: list, size: int = 5000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _insert_revaluations(rows: list) -> None:
    quote = connection.ops.quote_name
    columns = ("move_id", "warehouse_id", "product_id", "company_id", "kind", "effective_date", "old_value",
               "new_value", "difference", "cause_move_id", "cause_correction_id", "batch", "created_at")
    batch_column = RevaluationEntry._meta.get_field("batch")
    created_column = RevaluationEntry._meta.get_field("created_at")
    rows = [(*row[:11], batch_column.get_db_prep_value(row[11], connection),
             created_column.get_db_prep_value(row[12], connection)) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(RevaluationEntry._meta.db_table)} "
                           f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                           rows)


def _write(changed: list, move_updates: list) -> None:
    """Bulk UPDATE by primary key (executemany: one prepared statement, fast on SQLite and PostgreSQL)."""
    quote = connection.ops.quote_name
    if changed:
        sets = ", ".join(f"{quote(name)} = %s" for name in _ENTRY_FIELDS)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {quote(ValuationEntry._meta.db_table)} SET {sets} WHERE id = %s", changed)
    if move_updates:
        from tandem.stock.models import StockMove

        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {quote(StockMove._meta.db_table)} SET unit_cost = %s, value = %s "
                               "WHERE id = %s", move_updates)
