"""Totals to the cent: per-line rounding, tax per line or per document, quantities to the unit's step."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from tandem.sales.calculations import LineInput, document_totals, line_amounts, round_to_step


def test_line_net_is_rounded_before_tax():
    # 3 × 3.335 = 10.005 → 10.01; 19 % of 10.01 = 1.9019 → 1.90
    amounts = line_amounts(LineInput(D(3), D("3.335"), D(0), D(19)), "EUR")
    assert (amounts.net, amounts.tax, amounts.gross) == (D("10.01"), D("1.90"), D("11.91"))


def test_discount_applies_before_rounding():
    # 7 × 12.99 = 90.93, −7.5 % = 84.11025 → 84.11
    assert line_amounts(LineInput(D(7), D("12.99"), D("7.5"), D(0)), "EUR").net == D("84.11")


def test_tax_per_line_and_per_document_differ_by_the_rounding():
    lines = [LineInput(D(1), D("0.05"), D(0), D(19))] * 3  # each line: tax 0.0095 → 0.01
    per_line = document_totals(lines, "EUR", "line")
    per_document = document_totals(lines, "EUR", "document")
    assert per_line.net == per_document.net == D("0.15")
    assert per_line.tax == D("0.03")
    assert per_document.tax == D("0.03")  # 0.15 × 19 % = 0.0285 → 0.03
    lines = [LineInput(D(1), D("0.02"), D(0), D(19))] * 3  # per line 0.0038 → 0.00; document 0.0114 → 0.01
    assert document_totals(lines, "EUR", "line").tax == D("0.00")
    assert document_totals(lines, "EUR", "document").tax == D("0.01")


def test_several_rates_are_kept_apart():
    totals = document_totals([LineInput(D(2), D("100"), D(0), D(19)), LineInput(D(1), D("50"), D(0), D(7))], "EUR")
    assert totals.tax_by_rate == {D(19): D("38.00"), D(7): D("3.50")}
    assert totals.total == D("291.50")


def test_currency_without_minor_unit():
    assert line_amounts(LineInput(D(3), D("333.5"), D(0), D(10)), "JPY").net == D("1001")


def test_quantities_round_to_the_step():
    assert round_to_step(D("2.4"), D(1)) == D(2)
    assert round_to_step(D("2.5"), D(1)) == D(3)
    assert round_to_step(D("1.23456"), D("0.001")) == D("1.235")
    assert round_to_step(D("0.4"), D(1)) == D(0)


@given(st.lists(st.tuples(st.integers(1, 1000), st.decimals("0", "9999.99", places=2), st.sampled_from([0, 7, 19])),
                min_size=1, max_size=10))
def test_totals_add_rounded_line_values(rows):
    lines = [LineInput(D(q), p, D(0), D(r)) for q, p, r in rows]
    totals = document_totals(lines, "EUR", "line")
    assert totals.net == sum(a.net for a in totals.lines)
    assert totals.tax == sum(a.tax for a in totals.lines)
    assert totals.total == totals.net + totals.tax
    assert all(a.net == a.net.quantize(D("0.01")) for a in totals.lines)
