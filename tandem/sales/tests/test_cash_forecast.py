"""Sales in finance's cash forecast: confirmed orders not yet invoiced, for the amount left to invoice, on the
requested (or expected) date; drafts, cancelled and wholly invoiced orders stay out. And an entry posted from an
order links to the order's page."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from tandem.finance.models import Invoice
from tandem.finance.reports import forecast
from tandem.finance.reports.origins import origin_url
from tandem.sales.cash_forecast import forecast_rows
from tandem.sales.models import Order

D = Decimal


def _order(company, counterparty, number, total, status=Order.Status.CONFIRMED, requested=None):
    return Order.objects.create(company=company, client=counterparty.client, counterparty=counterparty,
                                owner=counterparty.client.owner, currency="EUR", number=number,
                                order_date=datetime.date(2026, 3, 1), status=status, total=D(total),
                                requested_date=requested)


def _invoice(order, total, kind=Invoice.Kind.CUSTOMER_INVOICE, status=Invoice.Status.ISSUED):
    return Invoice.objects.create(company=order.company, client=order.client, kind=kind, status=status,
                                  invoice_date=datetime.date(2026, 3, 2), due_date=datetime.date(2026, 4, 1),
                                  currency="EUR", total=D(total), amount_due=D(total),
                                  origin_type=ContentType.objects.get_for_model(Order), origin_id=order.pk)


def test_confirmed_orders_not_yet_invoiced_are_expected_on_their_requested_date(company, counterparty):
    partly = _order(company, counterparty, "SO-1", "1000", requested=datetime.date(2026, 3, 20))
    _invoice(partly, "300")
    _invoice(partly, "999", status=Invoice.Status.DRAFT)  # a draft bills nothing yet
    whole = _order(company, counterparty, "SO-2", "500", status=Order.Status.SHIPPED)
    _invoice(whole, "500")
    _order(company, counterparty, "SO-3", "700", status=Order.Status.DRAFT)
    _order(company, counterparty, "SO-4", "800", status=Order.Status.CANCELLED)
    late = _order(company, counterparty, "SO-5", "900", requested=datetime.date(2027, 1, 1))
    rows = forecast_rows(company, datetime.date(2026, 3, 4), datetime.date(2026, 6, 1))
    assert [(r["reference"], r["date"], r["amount"]) for r in rows] == [("SO-1", datetime.date(2026, 3, 20), D("700"))]
    assert late.pk


def test_the_forecast_collects_the_sales_source(company, counterparty):
    _order(company, counterparty, "SO-1", "1000", requested=datetime.date(2026, 3, 20))
    report = forecast.cash_forecast(company, today=datetime.date(2026, 3, 4), weeks=4)
    assert report.sources == {"sales_orders": "Sales orders"}
    assert [w.incoming for w in report.weeks] == [0, 0, D("1000.00"), 0]


def test_an_entry_from_an_order_links_to_the_order(company, counterparty):
    order = _order(company, counterparty, "SO-1", "10")

    class Entry:
        origin_type_id = ContentType.objects.get_for_model(Order).pk
        origin_type = ContentType.objects.get_for_model(Order)
        origin_id = order.pk

    assert origin_url(Entry) == f"/sales/orders/{order.pk}/"
