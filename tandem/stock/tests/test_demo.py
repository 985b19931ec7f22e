"""The stock demo: two warehouses with bins, receipts, transfers, lots with expiry, a posted count; twice is once."""

from tandem.stock.demo import build_stock_demo
from tandem.stock.models import ExpectedReceipt, Lot, StockCount, StockLevel, StockMove, Warehouse


def test_stock_demo_builds_once(db):
    lines = build_stock_demo(seed=7)
    assert lines and "2 warehouses" in lines[0]
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["MAIN", "SECOND"]
    assert Warehouse.objects.get(code="MAIN").locations.count() == 5
    assert StockMove.objects.filter(kind="receipt").count() >= 4
    assert StockMove.objects.filter(kind="transfer").exists()
    assert Lot.objects.filter(expiry_date__isnull=False).exists()
    assert StockCount.objects.filter(status="posted").count() == 1
    assert StockCount.objects.filter(status="draft").count() == 1
    assert ExpectedReceipt.objects.exists()
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    moves = StockMove.objects.count()
    assert build_stock_demo(seed=7) == [] and StockMove.objects.count() == moves
