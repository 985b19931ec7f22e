"""Quotes and orders through the services: parties, pricing rights, totals to the cent, steps and refusals."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.sales.models import Order, Quote
from tandem.sales.services import orders, quotes
from tandem.stock import queries as stock_queries

pytestmark = pytest.mark.django_db


def _quote(by, client, pump, **kwargs):
    lines = kwargs.pop("lines", [{"product": pump, "quantity": D(3), "unit_price": D("3.335")}])
    return quotes.create_quote(by=by, client=client, quote_date=datetime.date(2026, 3, 2), lines=lines, **kwargs)


def test_a_quote_from_a_deal_takes_its_client_counterparty_and_contact(stocked, deal, sales_manager, pump):
    quote = quotes.create_quote(by=sales_manager, deal=deal, lines=[
        {"product": pump, "quantity": D(3), "unit_price": D("3.335")}])
    assert (quote.client, quote.counterparty, quote.contact, quote.deal) == (
        deal.client, deal.counterparty, deal.contact, deal)
    assert quote.status == Quote.Status.DRAFT and quote.number.startswith("Q-")
    assert (quote.net_total, quote.tax_total, quote.total) == (D("10.01"), D("0.00"), D("10.01"))
    assert AuditEntry.objects.filter(action="sales.quote.created", root_object_id=str(deal.client_id)).exists()


def test_the_counterparty_must_be_the_clients_and_valid_on_the_date(stocked, sales_manager, client_of_rep, pump,
                                                                    counterparty):
    old = CounterpartyFactory(client=client_of_rep, valid_from=datetime.date(2020, 1, 1),
                              valid_to=datetime.date(2023, 12, 31))
    with pytest.raises(BusinessRuleError) as refused:
        _quote(sales_manager, client_of_rep, pump, counterparty=old)
    assert refused.value.code == "counterparty_not_valid" and refused.value.field == "counterparty"
    other = CounterpartyFactory(client=ClientFactory(), valid_from=datetime.date(2020, 1, 1))
    with pytest.raises(BusinessRuleError) as refused:
        _quote(sales_manager, client_of_rep, pump, counterparty=other)
    assert refused.value.code == "foreign_counterparty"
    # Without a choice the only valid one is taken.
    assert _quote(sales_manager, client_of_rep, pump).counterparty == counterparty
    assert not Quote.objects.filter(counterparty=old).exists()


def test_a_representative_quotes_only_own_clients(stocked, sales_rep, other_rep, pump):
    foreign = ClientFactory(owner=other_rep)
    CounterpartyFactory(client=foreign)
    with pytest.raises(AccessDenied):
        _quote(sales_rep, foreign, pump)


def test_a_representative_may_not_override_the_price(stocked, sales_rep, client_of_rep, pump):
    with pytest.raises(BusinessRuleError) as refused:
        _quote(sales_rep, client_of_rep, pump)
    assert refused.value.code in {"price_override_not_allowed", "no_list_price"}
    assert refused.value.field == "unit_price"
    assert not Quote.objects.exists()


def test_quantity_rounds_to_the_unit_step_and_bad_input_names_the_field(stocked, sales_manager, client_of_rep,
                                                                       pump, kilogram):
    quote = _quote(sales_manager, client_of_rep, pump, lines=[{"product": pump, "quantity": "2.4",
                                                                "unit_price": "10"}])
    assert quote.lines.get().quantity == D(2)
    for values, field in [({"quantity": "0.2"}, "quantity"), ({"quantity": "-1"}, "quantity"),
                          ({"quantity": "abc"}, "quantity"), ({"discount_percent": "101"}, "discount_percent"),
                          ({"unit": kilogram}, "unit")]:
        with pytest.raises(BusinessRuleError) as refused:
            quotes.add_quote_line(quote, by=sales_manager, **{"product": pump, "quantity": "1", "unit_price": "1",
                                                              **values})
        assert refused.value.field == field
    assert quote.lines.count() == 1


def test_lines_edit_totals_and_stale_edits(stocked, sales_manager, client_of_rep, pump, installation):
    quote = _quote(sales_manager, client_of_rep, pump)
    line = quotes.add_quote_line(quote, by=sales_manager, product=installation, quantity=D(2),
                                 unit_price=D("49.99"), discount_percent=D(10), expected_version=quote.version)
    quote.refresh_from_db()
    # 10.01 + 2 × 49.99 − 10 % = 89.982 → 89.98
    assert line.net_amount == D("89.98") and quote.total == D("99.99")
    with pytest.raises(ConflictError) as refused:
        quotes.update_quote_line(line, by=sales_manager, quantity=D(5), expected_version=1)
    assert refused.value.code == "stale"
    quotes.update_quote_line(line, by=sales_manager, quantity=D(1), expected_version=quote.version)
    quote.refresh_from_db()
    assert quote.total == D("55.00")  # 10.01 + 44.991 → 44.99
    quotes.remove_quote_line(line, by=sales_manager, expected_version=quote.version)
    quote.refresh_from_db()
    assert quote.total == D("10.01") and quote.lines.count() == 1


def test_send_accept_makes_an_order_and_wins_the_deal(stocked, deal, sales_manager, pump):
    quote = quotes.create_quote(by=sales_manager, deal=deal, lines=[
        {"product": pump, "quantity": D(4), "unit_price": D("250")}])
    with pytest.raises(ConflictError):
        quotes.accept_quote(quote, by=sales_manager)  # a draft is sent first
    quote = quotes.send_quote(quote, by=sales_manager)
    with pytest.raises(BusinessRuleError):
        quotes.add_quote_line(quote, by=sales_manager, product=pump, quantity=1, unit_price=1)
    order = quotes.accept_quote(quote, by=sales_manager)
    quote.refresh_from_db()
    deal.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and order.quote == quote
    assert order.status == Order.Status.DRAFT and order.total == D("1000.00")
    assert [(x.product, x.quantity, x.unit_price) for x in order.lines.all()] == [(pump, D(4), D("250"))]
    assert deal.status == deal.Status.WON and deal.amount == D("1000.00")


def test_accept_is_refused_when_the_deal_cannot_be_won(stocked, deal, sales_manager, pump):
    from tandem.crm.services import deals as deal_services

    deal_services.add_stage_rule(deal.stage, by=sales_manager, kind="checklist", label="Budget confirmed")
    quote = quotes.send_quote(quotes.create_quote(by=sales_manager, deal=deal, lines=[
        {"product": pump, "quantity": D(1), "unit_price": D("250")}]), by=sales_manager)
    with pytest.raises(ConflictError) as refused:
        quotes.accept_quote(quote, by=sales_manager)
    assert refused.value.code == "stage_rule_unmet"
    quote.refresh_from_db()
    deal.refresh_from_db()
    assert quote.status == Quote.Status.SENT and not Order.objects.exists() and deal.amount is None


def test_reject_and_expire(stocked, sales_manager, client_of_rep, pump):
    a = quotes.send_quote(_quote(sales_manager, client_of_rep, pump, valid_until=datetime.date(2026, 3, 31)),
                          by=sales_manager)
    b = quotes.send_quote(_quote(sales_manager, client_of_rep, pump), by=sales_manager)
    assert quotes.reject_quote(b, by=sales_manager).status == Quote.Status.REJECTED
    assert quotes.expire_overdue_quotes(today=datetime.date(2026, 4, 1)) == 1
    a.refresh_from_db()
    assert a.status == Quote.Status.EXPIRED


def _order(by, client, pump, quantity, **kwargs):
    return orders.create_order(by=by, client=client, order_date=datetime.date(2026, 3, 2), lines=[
        {"product": pump, "quantity": D(quantity), "unit_price": D("100")}], **kwargs)


def test_confirm_reserves_and_cancel_releases(stocked, sales_manager, client_of_rep, pump, installation, receive,
                                             warehouse):
    receive(pump, 10)
    order = _order(sales_manager, client_of_rep, pump, 6)
    orders.add_order_line(order, by=sales_manager, product=installation, quantity=1, unit_price=50)
    order = orders.confirm_order(order, by=sales_manager)
    assert order.status == Order.Status.CONFIRMED
    assert stock_queries.available(pump, warehouse) == D(4)
    assert order.lines.get(product=pump).reserved_quantity == D(6)
    assert order.lines.get(product=installation).reserved_quantity == D(0)
    order = orders.cancel_order(order, by=sales_manager)
    assert order.status == Order.Status.CANCELLED
    assert stock_queries.available(pump, warehouse) == D(10)
    assert set(AuditEntry.objects.filter(root_object_id=str(client_of_rep.pk)).values_list("action", flat=True)) >= {
        "sales.order.created", "sales.order.confirmed", "sales.order.cancelled"}


def test_a_shortage_refuses_the_confirmation(stocked, sales_manager, client_of_rep, pump, receive, warehouse):
    receive(pump, 3)
    order = _order(sales_manager, client_of_rep, pump, 5)
    with pytest.raises(ConflictError) as refused:
        orders.confirm_order(order, by=sales_manager)
    assert refused.value.code == "insufficient_stock"
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT and stock_queries.available(pump, warehouse) == D(3)


def test_a_shortage_is_flagged_when_the_setting_allows(stocked, sales_manager, client_of_rep, pump, receive,
                                                       warehouse, settings):
    settings.SALES_ALLOW_CONFIRM_WITH_SHORTAGE = True
    receive(pump, 3)
    order = orders.confirm_order(_order(sales_manager, client_of_rep, pump, 5), by=sales_manager)
    line = order.lines.get()
    assert order.status == Order.Status.CONFIRMED
    assert (line.reserved_quantity, line.short_quantity) == (D(3), D(2))
    assert stock_queries.available(pump, warehouse) == D(0)


def test_confirmed_orders_are_not_edited_and_steps_follow_the_table(stocked, sales_manager, client_of_rep, pump,
                                                                    receive):
    receive(pump, 10)
    order = orders.confirm_order(_order(sales_manager, client_of_rep, pump, 1), by=sales_manager)
    with pytest.raises(BusinessRuleError) as refused:
        orders.add_order_line(order, by=sales_manager, product=pump, quantity=1, unit_price=1)
    assert refused.value.code == "not_editable"
    with pytest.raises(ConflictError) as refused:
        orders.close_order(order, by=sales_manager)
    assert refused.value.code == "invalid_transition"
    with pytest.raises(ConflictError) as refused:
        orders.confirm_order(order, by=sales_manager)
    assert refused.value.code == "invalid_transition"


def test_viewers_and_warehouse_only_read(stocked, viewer, make_user, client_of_rep, pump):
    from tandem.core import roles

    for user in (viewer, make_user(roles.WAREHOUSE, username="wh1")):
        with pytest.raises(AccessDenied):
            _quote(user, client_of_rep, pump)
