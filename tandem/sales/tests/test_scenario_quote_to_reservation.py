"""A business story: Anna (representative) quotes pumps from a deal at the Wholesale price, her manager grants a
discount, the client accepts — the order is made, the deal won at the quote's total — the warehouse holds the
pumps when the order is confirmed, and gets them back when the client cancels."""

import datetime
from decimal import Decimal as D

from tandem.catalog.models import PriceGroup, PriceList, PriceListItem, TaxCategory
from tandem.core.models import AuditEntry
from tandem.sales.models import Order, Quote
from tandem.sales.services import client_pricing, orders, quotes
from tandem.stock import queries as stock_queries


def test_quote_from_a_deal_accepted_confirmed_reserved_cancelled_released(stocked, deal, sales_rep, sales_manager,
                                                                         pump, installation, receive, warehouse):
    # Set-up: pumps at 120 € (Wholesale 100 €), installation 80 €, 19 % tax; 25 pumps in the warehouse.
    standard = TaxCategory.objects.create(name="Standard", rate=D(19))
    for product in (pump, installation):
        product.tax_category = standard
        product.save()
    wholesale = PriceGroup.objects.create(name="Wholesale")
    general = PriceList.objects.create(name="General EUR", currency="EUR")
    PriceListItem.objects.create(price_list=general, product=pump, unit_price=D("120"))
    PriceListItem.objects.create(price_list=general, product=installation, unit_price=D("80"))
    group = PriceList.objects.create(name="Wholesale EUR", currency="EUR", price_group=wholesale)
    PriceListItem.objects.create(price_list=group, product=pump, unit_price=D("100"))
    client_pricing.set_client_price_group(deal.client, wholesale, by=sales_manager)
    receive(pump, 25)

    # Anna makes the quote from the deal: 12 pumps and 3 hours of installation.
    quote = quotes.create_quote(by=sales_rep, deal=deal, quote_date=datetime.date(2026, 3, 2),
                                valid_until=datetime.date(2026, 3, 31),
                                lines=[{"product": pump, "quantity": 12}, {"product": installation, "quantity": 3}])
    pumps, hours = quote.lines.order_by("position")
    assert (pumps.unit_price, pumps.price_explanation) == (D("100"), "list Wholesale EUR")
    assert quote.total == D("1713.60")  # (1200 + 240) × 1.19

    # The manager grants 7.5 % on the pumps.
    quotes.update_quote_line(pumps, by=sales_manager, discount_percent=D("7.5"), expected_version=quote.version)
    quote.refresh_from_db()
    # pumps 1110.00, tax 210.90; installation 240.00, tax 45.60
    assert (quote.net_total, quote.tax_total, quote.total) == (D("1350.00"), D("256.50"), D("1606.50"))

    # Sent, then accepted: the order copies the lines, the deal is won at the quote's total.
    quote = quotes.send_quote(quote, by=sales_rep)
    order = quotes.accept_quote(quote, by=sales_rep, order_date=datetime.date(2026, 3, 5))
    deal.refresh_from_db()
    assert deal.status == deal.Status.WON and deal.amount == D("1606.50")
    assert order.total == D("1606.50") and order.lines.count() == 2 and order.warehouse == warehouse

    # Confirmed: 12 pumps are held, 13 stay available; the service needs no stock.
    order = orders.confirm_order(order, by=sales_rep)
    assert order.status == Order.Status.CONFIRMED
    assert stock_queries.available(pump, warehouse) == D(13)

    # The client cancels: the pumps are free again.
    order = orders.cancel_order(order, by=sales_rep)
    assert order.status == Order.Status.CANCELLED
    assert stock_queries.available(pump, warehouse) == D(25)

    # Everything is on the client's timeline.
    actions = list(AuditEntry.objects.filter(root_object_id=str(deal.client_id)).values_list("action", flat=True))
    for code in ("sales.quote.created", "sales.quote.line_changed", "sales.quote.sent", "sales.quote.accepted",
                 "sales.order.created", "sales.order.confirmed", "sales.order.cancelled", "crm.deal.won"):
        assert code in actions, code
    assert Quote.objects.get().status == Quote.Status.ACCEPTED
