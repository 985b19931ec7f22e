"""Signals stock sends to upper apps (which connect in their AppConfig.ready()).

stock_move_recorded(sender=StockMove, move=<the StockMove>):
    sent by stock.services.record_move inside its transaction, once the move is valued: `move.value` and
    `move.unit_cost` hold its cost in the legal entity's base currency (None for a move between locations of
    one warehouse, which changes no value). The ledger (through the stock_accounting bridge) posts it in the
    same transaction, so a refused posting refuses the move.

stock_revalued(sender=RevaluationEntry, entries=<queryset of RevaluationEntry, one batch>,
               cause=StockMove | CostCorrection):
    sent inside the transaction of a back-dated receipt, adjustment or cost correction that changed the value
    of moves recorded before it. Each entry names the move, its legal entity, the old and new value and the
    effective date whose period the difference belongs to. The ledger (finance, through the stock_accounting
    bridge) posts the differences there, in the same transaction, so a failure leaves nothing half-written."""

from django.dispatch import Signal

stock_move_recorded = Signal()
stock_revalued = Signal()
