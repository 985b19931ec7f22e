"""Stock moves and revaluations post to the ledger in their own transaction; without a ledger they wait."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import LegalEntity
from tandem.finance import services as finance
from tandem.finance.models import Account, Entry, Journal, Period
from tandem.stock import queries
from tandem.stock import services as stock
from tandem.stock.models import StockMove
from tandem.stock.valuation.services import correct_cost
from tandem.stock_accounting import services
from tandem.stock_accounting.models import StockPosting
from tandem.stock_accounting.queries import reconciliation

D = datetime.date
pytestmark = pytest.mark.django_db


def _receive(books, quantity, cost, day, location=None):
    return stock.receive_stock(product=books.lamp, quantity=Decimal(quantity), location=location or books.main_stock,
                               unit_cost=Decimal(cost), effective_date=day, by=None)


def _ship(books, quantity, day, location=None):
    return stock.record_move(product=books.lamp, quantity=Decimal(quantity), kind=StockMove.Kind.SHIPMENT,
                             from_location=location or books.main_stock, effective_date=day, by=None)


def _entry_of(move) -> Entry:
    return Entry.objects.get(origin_id=move.pk, origin_type__model="stockmove")


def test_a_receipt_debits_inventory_and_credits_goods_received_on_the_stk_journal(books):
    move = _receive(books, 10, "12.50", D(2026, 3, 1))
    entry = _entry_of(move)
    assert entry.journal.code == "STK" and entry.date == D(2026, 3, 1)
    assert "Receipt" in entry.memo and "LAMP-01" in entry.memo and "MAIN" in entry.memo
    assert books.balance("1200") == Decimal("125.00")
    assert books.balance("2300") == Decimal("-125.00")
    assert StockPosting.objects.get(move=move).status == StockPosting.Status.POSTED


def test_a_shipment_debits_cost_of_goods_sold_at_its_cost(books):
    _receive(books, 10, "12.50", D(2026, 3, 1))
    shipment = _ship(books, 4, D(2026, 3, 20))
    assert _entry_of(shipment).lines.get(account=books.account("5000")).debit == Decimal("50.00")
    assert books.balance("1200") == Decimal("75.00")
    assert books.balance("5000") == Decimal("50.00")


def test_adjustments_go_against_the_stock_adjustment_account(books):
    _receive(books, 10, "2", D(2026, 3, 1))
    stock.adjust_stock(product=books.lamp, location=books.main_stock, quantity=Decimal(-3), reason="Broken",
                       effective_date=D(2026, 3, 2), by=None)
    assert books.balance("5100") == Decimal("6.00")
    stock.adjust_stock(product=books.lamp, location=books.main_stock, quantity=Decimal(1), reason="Found",
                       effective_date=D(2026, 3, 3), by=None)
    assert books.balance("5100") == Decimal("4.00")
    assert books.balance("1200") == Decimal("16.00")


def test_a_customer_return_credits_cost_of_goods_sold_at_its_cost(books):
    _receive(books, 10, "3", D(2026, 3, 1))
    _ship(books, 5, D(2026, 3, 2))
    stock.record_move(product=books.lamp, quantity=Decimal(2), kind=StockMove.Kind.RETURN,
                      to_location=books.main_stock, unit_cost=Decimal(3), effective_date=D(2026, 3, 5), by=None)
    assert books.balance("5000") == Decimal("9.00")
    assert books.balance("1200") == Decimal("21.00")


def test_a_transfer_between_warehouses_of_one_legal_entity_posts_nothing(books):
    _receive(books, 10, "3", D(2026, 3, 1))
    transfer = stock.transfer_stock(product=books.lamp, quantity=Decimal(4), from_location=books.main_stock,
                                    to_location=books.second_stock, effective_date=D(2026, 3, 2), by=None)
    assert transfer.value == Decimal("12.00")
    assert not Entry.objects.filter(origin_id=transfer.pk, origin_type__model="stockmove").exists()
    assert books.balance("1200") == Decimal("30.00")


def test_a_back_dated_receipt_posts_the_revaluation_of_later_shipments_on_their_dates(books):
    _receive(books, 10, "10", D(2026, 3, 1))
    shipment = _ship(books, 10, D(2026, 3, 20))  # empties the pool at 100.00
    _receive(books, 10, "20", D(2026, 3, 10))    # back-dated: the shipment now costs (100 + 200) / 20 × 10
    shipment.refresh_from_db()
    assert shipment.value == Decimal("150.00")
    revaluation = Entry.objects.get(origin_type__model="revaluationentry")
    assert revaluation.date == D(2026, 3, 20) and revaluation.journal.code == "STK"
    assert "Revaluation" in revaluation.memo and f"#{shipment.pk + 1}" in revaluation.memo
    assert books.balance("5000") == Decimal("150.00")
    assert books.balance("1200") == Decimal("150.00")
    assert reconciliation(books.company, D(2026, 3, 31)).agrees


def test_a_revaluation_in_a_closed_period_goes_to_the_first_open_period(books, accountant):
    receipt = _receive(books, 10, "10", D(2026, 3, 1))
    _ship(books, 4, D(2026, 3, 20))
    march = Period.objects.get(company=books.company, start_date=D(2026, 3, 1))
    finance.close_period(march, by=accountant)
    correct_cost(receipt, unit_cost=Decimal(12), effective_date=D(2026, 4, 15), reason="Invoice 77", by=accountant)
    entry = Entry.objects.get(origin_type__model="revaluationentry")
    assert entry.date == D(2026, 4, 1)
    assert "cost of receipt" in entry.memo
    assert books.balance("5000") == Decimal("48.00")  # 40 + 8 for the shipment
    assert books.balance("2300") == Decimal("-120.00")  # the receipt's 100 + 20
    assert books.balance("1200") == Decimal("72.00")


def test_without_a_ledger_the_warehouse_works_and_postings_wait_until_post_pending(bare, accountant):
    move = _receive(bare, 10, "5", D(2026, 3, 1))
    _ship(bare, 2, D(2026, 3, 2))
    assert not Entry.objects.exists()
    pending = StockPosting.objects.filter(status=StockPosting.Status.PENDING)
    assert pending.count() == 2 and {p.reason for p in pending} == {services.NO_LEDGER}
    state = reconciliation(bare.company, D(2026, 3, 31))
    assert (state.stock_value, state.inventory_balance, state.pending_amount, state.pending_count) == (
        Decimal("40.00"), Decimal(0), Decimal("40.00"), 2)
    assert state.agrees and not state.has_ledger
    with pytest.raises(BusinessRuleError) as refused:
        services.post_pending(bare.company, by=accountant)
    assert refused.value.code == "no_ledger"

    finance.install_chart_template(bare.company, by=accountant)
    finance.create_fiscal_year(bare.company, start_date=D(2026, 6, 1), by=accountant)  # starts after the moves
    assert services.post_pending(bare.company, by=accountant) == (2, 0)
    assert _entry_of(move).date == D(2026, 6, 1)  # before the first fiscal year: its first period
    assert bare.balance("1200") == Decimal("40.00")
    assert reconciliation(bare.company, D(2026, 6, 30)).agrees
    assert services.post_pending(bare.company, by=accountant) == (0, 0)


def test_a_date_no_fiscal_year_covers_waits_with_its_reason(books):
    move = _receive(books, 1, "5", D(2025, 12, 31))
    posting = StockPosting.objects.get(move=move)
    assert (posting.status, posting.reason) == (StockPosting.Status.PENDING, services.NO_FISCAL_YEAR)


def test_only_accountants_post_what_is_pending(bare, make_user):
    with pytest.raises(AccessDenied):
        services.post_pending(bare.company, by=make_user("Warehouse", username="picker"))


def test_a_closed_year_without_an_open_period_after_it_keeps_the_posting_pending(books, accountant):
    finance.close_fiscal_year(books.company.fiscal_years.get(), by=accountant)
    move = _receive(books, 1, "5", D(2026, 5, 1))
    assert StockPosting.objects.get(move=move).reason == services.NO_OPEN_PERIOD
    assert not Entry.objects.filter(origin_type__model="stockmove").exists()


def test_a_switched_off_bridge_posts_nothing(books, admin_user):
    from tandem.core.modules import set_module_enabled

    set_module_enabled("stock_accounting", False, by=admin_user)
    _receive(books, 1, "5", D(2026, 5, 1))
    assert not StockPosting.objects.exists() and not Entry.objects.exists()


def test_the_stock_journal_missing_keeps_postings_pending(books):
    Journal.objects.filter(company=books.company, code="STK").update(is_archived=True)
    move = _receive(books, 1, "5", D(2026, 5, 1))
    assert StockPosting.objects.get(move=move).reason == services.NO_LEDGER


def test_a_ledger_refusal_rolls_the_move_back(books, monkeypatch):
    def refuse(**kwargs):
        raise ConflictError("period_closed", "closed", field="date")

    monkeypatch.setattr(services, "post_entry", refuse)
    with pytest.raises(ConflictError), transaction.atomic():  # the caller's transaction (a request, a service)
        _receive(books, 1, "5", D(2026, 5, 1))
    assert not StockMove.objects.exists()


def test_transfers_between_legal_entities_post_on_both_sides(books, accountant):
    other = LegalEntity.objects.create(name="Sister company", base_currency="EUR")
    finance.install_chart_template(other, by=accountant)
    finance.create_fiscal_year(other, start_date=D(2026, 1, 1), by=accountant)
    far = stock.create_warehouse(company=other, code="FAR", name="Far", by=None)
    _receive(books, 10, "3", D(2026, 3, 1))
    stock.transfer_stock(product=books.lamp, quantity=Decimal(4), from_location=books.main_stock,
                         to_location=queries.default_location(far), effective_date=D(2026, 3, 2), by=None)
    assert books.balance("1200") == Decimal("18.00")
    sister = Account.objects.get(company=other, code="1200")
    assert sum(line.debit - line.credit for line in sister.lines.all()) == Decimal("12.00")
    assert reconciliation(other, D(2026, 3, 31)).agrees and reconciliation(books.company, D(2026, 3, 31)).agrees
