"""Signals stock sends to upper apps (which connect in their AppConfig.ready()).

stock_revalued(sender=RevaluationEntry, entries=<queryset of RevaluationEntry, one batch>,
               cause=StockMove | CostCorrection):
    sent inside the transaction of a back-dated receipt, adjustment or cost correction that changed the value
    of moves recorded before it. Each entry names the move, its legal entity, the old and new value and the
    effective date whose period the difference belongs to. The ledger (finance, through the stock_accounting
    bridge) posts the differences there, in the same transaction, so a failure leaves nothing half-written."""

from django.dispatch import Signal

stock_revalued = Signal()
