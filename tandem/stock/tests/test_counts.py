"""Stock counts: counted quantities entered or imported, variances shown, posting makes adjustments."""

import datetime
from decimal import Decimal

import pytest

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.stock import queries, services
from tandem.stock.models import StockCount, StockMove

D = Decimal


def test_warehouse_counts_main_and_posts_the_differences(room):
    services.receive_stock(product=room.bolt, quantity=D(10), location=room.bin_a, by=None)
    lot = services.get_or_create_lot(product=room.milk, code="M1", by=None)
    services.receive_stock(product=room.milk, quantity=D(4), location=room.bin_b, lot=lot, by=None)
    count = services.create_count(warehouse=room.main, count_date=datetime.date(2026, 11, 30), by=None)

    # The warehouse finds 8 bolts on A1, 5 litres of M1 on B1 and 2 bolts nobody booked on B1.
    services.set_count_line(count, product=room.bolt, location=room.bin_a, counted=D(8), by=None)
    services.set_count_line(count, product=room.milk, location=room.bin_b, lot=lot, counted=D(5), by=None)
    services.set_count_line(count, product=room.bolt, location=room.bin_b, counted=D(2), by=None)
    variances = [(line.product.sku, line.location.code, line.variance) for line in queries.count_lines(count)]
    assert variances == [("BOLT-8", "A1", D(-2)), ("MILK-1", "B1", D(1)), ("BOLT-8", "B1", D(2))]

    posted = services.post_count(count, by=None)
    assert posted.status == StockCount.Status.POSTED
    assert queries.on_hand_at(room.bolt, room.bin_a, None) == D(8)
    assert queries.on_hand_at(room.bolt, room.bin_b, None) == D(2)
    assert queries.on_hand_at(room.milk, room.bin_b, lot) == D(5)
    adjustments = StockMove.objects.filter(kind=StockMove.Kind.ADJUSTMENT)
    assert adjustments.count() == 3 and {m.effective_date for m in adjustments} == {datetime.date(2026, 11, 30)}
    # Posted: the variances stay as they were at posting, and nothing can change any more.
    assert [line.variance for line in queries.count_lines(posted)] == [D(-2), D(1), D(2)]
    with pytest.raises(ConflictError):
        services.set_count_line(posted, product=room.bolt, location=room.bin_a, counted=D(1), by=None)
    with pytest.raises(ConflictError):
        services.post_count(posted, by=None)


def test_a_count_lower_than_what_is_reserved_is_refused_until_released(room):
    services.receive_stock(product=room.bolt, quantity=D(10), location=room.main_stock, by=None)
    services.reserve_stock(product=room.bolt, warehouse=room.main, quantity=D(8), origin=room.milk, by=None)
    count = services.create_count(warehouse=room.main, by=None)
    services.set_count_line(count, product=room.bolt, location=room.main_stock, counted=D(5), by=None)
    with pytest.raises(ConflictError) as refused:
        services.post_count(count, by=None)
    assert refused.value.code == "insufficient_stock" and "BOLT-8 in STOCK" in refused.value.message
    assert StockCount.objects.get(pk=count.pk).status == StockCount.Status.DRAFT
    assert StockMove.objects.filter(kind=StockMove.Kind.ADJUSTMENT).count() == 0
    services.release_reservations(origin=room.milk, by=None)
    services.post_count(count, by=None)
    assert queries.available(room.bolt, room.main) == D(5)


def test_csv_import_all_rows_or_none(room):
    count = services.create_count(warehouse=room.main, by=None)
    bad = "sku;location;lot;counted\nBOLT-8;A1;;3\nNOPE;A1;;1\nBOLT-8;Z9;;1\n"
    with pytest.raises(BusinessRuleError) as refused:
        services.import_count_csv(count, bad, by=None)
    assert [(e["row"], e["field"]) for e in refused.value.extra["errors"]] == [(3, "sku"), (4, "location")]
    assert count.lines.count() == 0
    good = "sku,location,lot,counted\nBOLT-8,A1,,3\nMILK-1,B1,NEW-LOT,2.5\n"
    result = services.import_count_csv(count, good, by=None)
    assert result.lines == 2
    assert sorted((line.product.sku, line.lot.code if line.lot else "", line.counted)
                  for line in count.lines.all()) == [("BOLT-8", "", D(3)), ("MILK-1", "NEW-LOT", D("2.5"))]
    with pytest.raises(BusinessRuleError) as refused:
        services.import_count_csv(count, "product,counted\nx,1\n", by=None)
    assert refused.value.code == "csv_columns"


def test_count_lines_belong_to_the_counted_warehouse(room):
    count = services.create_count(warehouse=room.main, by=None)
    with pytest.raises(BusinessRuleError) as refused:
        services.set_count_line(count, product=room.bolt, location=room.second_stock, counted=D(1), by=None)
    assert refused.value.field == "location"
    with pytest.raises(BusinessRuleError):
        services.set_count_line(count, product=room.bolt, location=room.bin_a, counted=D(-1), by=None)
    services.cancel_count(count, by=None)
    assert StockCount.objects.get(pk=count.pk).status == StockCount.Status.CANCELLED
