"""Hooks of valuation, connected by StockConfig.ready()."""


def _has_stock_moves(entity) -> bool:
    from tandem.stock.models import StockMove

    return StockMove.objects.filter(company=entity).exists()


def connect() -> None:
    from tandem.core import legal_entities

    legal_entities.register_valuation_method_lock(_has_stock_moves)
