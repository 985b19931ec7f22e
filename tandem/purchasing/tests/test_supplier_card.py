"""The supplier card (issue #15): profile, orders, receipts of its orders, bills and the balance owed, and the
on-time delivery rate (quantity received on or before the order line's expected date ÷ quantity received);
the list of suppliers; a constant number of queries whatever the history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core import roles
from tandem.core.tests.factories import UserFactory
from tandem.finance.models import Invoice
from tandem.finance.tests.factories_receivables import open_invoice
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import queries, services
from tandem.purchasing.tests.conftest import TODAY

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _sent(order_of, manager, quantity, **kwargs):
    order = order_of(kwargs.pop("product"), quantity, **kwargs)
    return services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)


def _receive(order, quantity, on, storeman):
    return services.receive_purchase_order(order, lines=[(order.lines.get(), Decimal(quantity), None, None)],
                                           date=on, by=storeman)


@pytest.fixture
def other_supplier(buyer, pump):
    counterparty = CounterpartyFactory(client=ClientFactory(name="Other GmbH"), legal_name="Other GmbH",
                                       valid_from=datetime.date(2024, 1, 1))
    other = services.create_supplier(counterparty=counterparty, currency="EUR", by=buyer)
    services.add_supplier_price(supplier=other, product=pump, unit_price=Decimal("41"), by=buyer)
    return other


@pytest.fixture
def history(order_of, manager, storeman, pump, buyer, warehouse, other_supplier):
    """Expected on TODAY + 10: order A gets 6 on day 9 (on time) and 4 on day 12 (late), order B all 10 on day
    10 (on time: on the day counts). Another supplier's late receipt does not count."""
    a = _sent(order_of, manager, 10, product=pump)
    _receive(a, 6, TODAY + 9 * DAY, storeman)
    _receive(a, 4, TODAY + 12 * DAY, storeman)
    b = _sent(order_of, manager, 10, product=pump)
    _receive(b, 10, TODAY + 10 * DAY, storeman)
    theirs = services.create_purchase_order(supplier=other_supplier, warehouse=warehouse, order_date=TODAY,
                                            expected_date=TODAY + DAY, lines=[{"product": pump, "quantity": 5}],
                                            by=buyer)
    theirs = services.send_purchase_order(services.submit_purchase_order(theirs, by=manager), by=manager)
    _receive(theirs, 5, TODAY + 20 * DAY, storeman)
    return a, b


def test_on_time_rate_is_the_share_of_quantity_received_by_the_lines_expected_date(supplier, history,
                                                                                   other_supplier):
    rate = queries.on_time_rate(supplier, until=TODAY + 30 * DAY)
    assert (rate.received, rate.on_time) == (20, 16)
    assert (rate.deliveries, rate.on_time_deliveries) == (3, 2)
    assert rate.rate == Decimal("0.8") and rate.percent == Decimal("80.0")
    assert queries.on_time_rate(other_supplier, until=TODAY + 30 * DAY).rate == 0
    # The window: receipts before `since` do not count; nothing received means no rate.
    later = queries.on_time_rate(supplier, since=TODAY + 11 * DAY, until=TODAY + 30 * DAY)
    assert (later.received, later.on_time, later.rate) == (4, 0, 0)
    assert queries.on_time_rate(supplier, until=TODAY).rate is None


def test_a_lines_own_expected_date_wins_over_the_orders(order_of, manager, storeman, pump, supplier, buyer):
    order = order_of(pump, 10)
    services.update_purchase_order_line(order.lines.get(), expected_date=TODAY + 20 * DAY, by=buyer)
    order = services.send_purchase_order(services.submit_purchase_order(order, by=manager), by=manager)
    _receive(order, 10, TODAY + 15 * DAY, storeman)  # after the order's date, before the line's
    assert queries.on_time_rate(supplier, until=TODAY + 30 * DAY).rate == 1


def _bills(supplier, other_supplier):
    cp, client = supplier.counterparty, supplier.counterparty.client
    past, future = TODAY - 5 * DAY, TODAY + 20 * DAY
    open_invoice(client, counterparty=cp, amount="100", due=past, kind=Invoice.Kind.SUPPLIER_BILL)
    open_invoice(client, counterparty=cp, amount="50", amount_due="20", due=future, kind=Invoice.Kind.SUPPLIER_BILL,
                 status=Invoice.Status.PARTLY_PAID)
    open_invoice(client, counterparty=cp, amount="10", due=future, kind=Invoice.Kind.SUPPLIER_CREDIT_NOTE)
    open_invoice(client, counterparty=cp, amount="70", amount_due="0", due=past, kind=Invoice.Kind.SUPPLIER_BILL,
                 status=Invoice.Status.PAID)
    open_invoice(client, counterparty=cp, amount="999", due=future, kind=Invoice.Kind.SUPPLIER_BILL,
                 status=Invoice.Status.DRAFT)
    open_invoice(client, counterparty=cp, amount="30", due=future, kind=Invoice.Kind.SUPPLIER_BILL, currency="USD")
    open_invoice(client, counterparty=cp, amount="500", due=past, kind=Invoice.Kind.CUSTOMER_INVOICE)
    other = other_supplier.counterparty
    open_invoice(other.client, counterparty=other, amount="800", due=past, kind=Invoice.Kind.SUPPLIER_BILL)


def test_balance_owed_is_the_open_amount_due_of_issued_bills_less_credit_notes(supplier, other_supplier):
    _bills(supplier, other_supplier)
    balance = {row.currency: row for row in queries.balance_owed(supplier, on=TODAY)}
    assert set(balance) == {"EUR", "USD"}
    assert (balance["EUR"].owed, balance["EUR"].overdue, balance["EUR"].bills) == (Decimal("110"), 100, 3)
    assert balance["USD"].owed == 30 and balance["USD"].overdue == 0


def test_supplier_card_page_for_buyer_and_accountant(client, supplier, other_supplier, history, buyer):
    _bills(supplier, other_supplier)
    client.force_login(buyer)
    page = client.get(f"/purchasing/suppliers/{supplier.pk}/").content.decode()
    assert "Pumpenwerk AG" in page and history[0].number in page and history[1].number in page
    assert 'id="receipts"' in page and page.count('data-testid="late"') == 1
    assert 'data-testid="on-time-rate"' in page
    assert 'id="bills"' not in page  # a buyer does not read bills
    accountant = UserFactory(username="accountant", role=roles.ACCOUNTANT)
    client.force_login(accountant)
    page = client.get(f"/purchasing/suppliers/{supplier.pk}/").content.decode()
    assert 'id="bills"' in page and 'data-testid="balance"' in page and "999" not in page.split('id="bills"')[0]
    listing = client.get("/purchasing/suppliers/").content.decode()
    assert f"/purchasing/suppliers/{supplier.pk}/" in listing and "Other GmbH" in listing
    assert "Other GmbH" not in client.get("/purchasing/suppliers/", {"q": "pumpen"}).content.decode()
    assert client.get("/purchasing/suppliers/999999/").status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_supplier_card_queries_do_not_grow_with_its_history(client, supplier, order_of, manager, storeman, pump,
                                                            other_supplier):
    client.force_login(UserFactory(username="boss", is_superuser=True))
    url, api_url = f"/purchasing/suppliers/{supplier.pk}/", f"/api/v1/purchasing/suppliers/{supplier.pk}/card"
    order = _sent(order_of, manager, 10, product=pump)
    _receive(order, 1, TODAY + DAY, storeman)
    open_invoice(supplier.counterparty.client, counterparty=supplier.counterparty, amount="10", due=TODAY,
                 kind=Invoice.Kind.SUPPLIER_BILL)
    _count(client, url), _count(client, api_url)  # warm the caches (session, content types)
    small, small_api = _count(client, url), _count(client, api_url)
    for _ in range(3):
        more = _sent(order_of, manager, 10, product=pump)
        _receive(more, 4, TODAY + 2 * DAY, storeman)
        _receive(more, 4, TODAY + 20 * DAY, storeman)
        order_of(pump, 1)
        open_invoice(supplier.counterparty.client, counterparty=supplier.counterparty, amount="10", due=TODAY,
                     kind=Invoice.Kind.SUPPLIER_BILL, currency="USD")
    assert _count(client, url) == small
    assert _count(client, api_url) == small_api


def test_supplier_card_api(api, buyer, supplier, history, other_supplier):
    _bills(supplier, other_supplier)
    body = api(buyer).get(f"/api/v1/purchasing/suppliers/{supplier.pk}/card").json()
    assert body["supplier"]["counterparty"]["name"] == "Pumpenwerk AG"
    assert body["order_counts"] == {"received": 2} and len(body["orders"]) == 2
    assert len(body["receipts"]) == 3 and sorted(r["on_time"] for r in body["receipts"]) == [False, True, True]
    assert body["receipts"][0]["order"]["name"] in (history[0].number, history[1].number)
    assert body["bills"] is None and body["balance"] is None  # a buyer does not read bills
    admin = UserFactory(username="boss", is_superuser=True)
    body = api(admin).get(f"/api/v1/purchasing/suppliers/{supplier.pk}/card").json()
    assert {row["currency"]: row["owed"] for row in body["balance"]} == {"EUR": "110", "USD": "30"}
    assert len(body["bills"]) == 6  # the supplier's bills and credit notes, not its customer invoice
    assert {bill["kind"] for bill in body["bills"]} == {"supplier_bill", "supplier_credit_note"}
