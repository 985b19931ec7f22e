"""Receivers of stock's signals, connected by StockAccountingConfig.ready(). They run inside the stock
move's (or the revaluation's) transaction and hand over to the services: a refused posting refuses the move."""

from tandem.core.modules import enabled_module_keys
from tandem.stock_accounting import services


def _switched_on() -> bool:
    """Switched off (Modules page), the ledger does not follow stock: nothing is posted or kept pending."""
    return "stock_accounting" in enabled_module_keys()


def post_recorded_moves(sender, moves, **kwargs) -> None:
    if _switched_on():
        services.post_moves(moves)


def post_revaluation(sender, entries, cause=None, **kwargs) -> None:
    if _switched_on():
        by = getattr(cause, "created_by", None) if getattr(cause, "created_by_id", None) else None
        services.post_revaluation(entries, by=by)
