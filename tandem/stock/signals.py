"""Signals stock sends to upper apps (which connect in their AppConfig.ready()).

stock_moves_recorded(sender=StockMove, moves=<list of StockMove>):
    sent once per batch by stock.services (record_move, record_many, record_moves) inside its transaction, once
    the moves are valued: each move's `value` and `unit_cost` hold its cost in the legal entity's base currency
    (None for a move between locations of one warehouse, which changes no value). The ledger (through the
    stock_accounting bridge) posts them in the same transaction, so a refused posting refuses the moves.

stock_revalued(sender=RevaluationEntry, entries=<queryset of RevaluationEntry, one batch>,
               cause=StockMove | CostCorrection):
    sent inside the transaction of a back-dated receipt, adjustment or cost correction that changed the value
    of moves recorded before it. Each entry names the move, its legal entity, the old and new value and the
    effective date whose period the difference belongs to. The ledger (finance, through the stock_accounting
    bridge) posts the differences there, in the same transaction, so a failure leaves nothing half-written."""

from django.dispatch import Signal

stock_moves_recorded = Signal()
stock_revalued = Signal()
