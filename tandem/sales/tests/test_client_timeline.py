"""The client's timeline page tells the sales steps in words: a quote sent, an order confirmed."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tandem.sales.services import orders, quotes

pytestmark = pytest.mark.django_db


def test_the_client_timeline_shows_a_sent_quote_and_a_confirmed_order(client, stocked, sales_manager,
                                                                      client_of_rep, pump, receive):
    receive(pump, 10)
    quote = quotes.create_quote(by=sales_manager, client=client_of_rep, quote_date=datetime.date(2026, 3, 2),
                                lines=[{"product": pump, "quantity": D(2), "unit_price": D("10")}])
    quotes.send_quote(quote, by=sales_manager)
    order = quotes.accept_quote(quote, by=sales_manager)
    orders.confirm_order(order, by=sales_manager)

    client.force_login(sales_manager)
    page = client.get(reverse("crm:client-timeline", args=[client_of_rep.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "sent the quote" in text and quote.number in text
    assert "confirmed the sales order" in text and order.number in text
    assert "sales.quote.sent" not in text and "sales.order.confirmed" not in text  # words, not codes
