"""The sales pages: a quote made from the deal page, lines added with htmx, accepted into an order; the client
card and the deal page list them; the buttons follow can_<action>()."""

import pytest
from django.urls import reverse

from tandem.sales.models import Order, Quote

pytestmark = pytest.mark.django_db


def test_quote_pages_from_deal_to_order(stocked, deal, sales_manager, client, pump):
    client.force_login(sales_manager)
    deal_page = client.get(reverse("crm:deal-detail", args=[deal.pk]))
    assert deal_page.status_code == 200 and f"/sales/quotes/new/?deal={deal.pk}" in deal_page.text

    form = client.get(reverse("sales:quote-create") + f"?deal={deal.pk}")
    assert form.status_code == 200
    made = client.post(reverse("sales:quote-create"), {"deal": deal.pk, "client": deal.client_id,
                                                       "currency": "EUR"})
    assert made.status_code == 302, made.content[:2000]
    quote = Quote.objects.get()
    assert quote.deal == deal

    added = client.post(reverse("sales:quote-line-add", args=[quote.pk]),
                        {"product": pump.pk, "quantity": "2", "unit_price": "50", "version": quote.version},
                        headers={"HX-Request": "true"})
    assert added.status_code == 200 and "100.00" in added.text
    bad = client.post(reverse("sales:quote-line-add", args=[quote.pk]),
                      {"product": pump.pk, "quantity": "0.2", "unit_price": "50"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and quote.lines.count() == 1

    page = client.get(reverse("sales:quote-detail", args=[quote.pk]))
    assert 'data-action="send"' in page.text and 'data-action="accept"' not in page.text
    client.post(reverse("sales:quote-send", args=[quote.pk]))
    page = client.get(reverse("sales:quote-detail", args=[quote.pk]))
    assert 'data-action="accept"' in page.text and 'data-action="send"' not in page.text
    accepted = client.post(reverse("sales:quote-accept", args=[quote.pk]))
    order = Order.objects.get()
    assert accepted.status_code == 302 and accepted["Location"] == reverse("sales:order-detail", args=[order.pk])
    order_page = client.get(accepted["Location"])
    assert 'data-action="confirm"' in order_page.text

    card = client.get(reverse("parties:client-detail", args=[deal.client_id]))
    assert quote.number in card.text and order.number in card.text
    pdf = client.get(reverse("sales:quote-pdf", args=[quote.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("sales:quote-list")).status_code == 200
    assert order.number in client.get(reverse("sales:order-list")).text


def test_viewers_see_no_buttons(stocked, deal, sales_manager, viewer, client, pump):
    from tandem.sales.services import quotes

    quote = quotes.create_quote(by=sales_manager, deal=deal, lines=[{"product": pump, "quantity": 1,
                                                                     "unit_price": 5}])
    client.force_login(viewer)
    page = client.get(reverse("sales:quote-detail", args=[quote.pk]))
    assert page.status_code == 200 and 'data-action="send"' not in page.text and "Add line" not in page.text
    assert client.post(reverse("sales:quote-send", args=[quote.pk])).status_code == 403
