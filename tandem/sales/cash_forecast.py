"""What sales adds to finance's cash forecast (the `cash_forecast_sources` hook of SalesConfig) and where an
entry posted from a sales document is shown (`finance_origin_urls`).

Forecast rows: confirmed orders (confirmed, partly shipped, shipped) not yet wholly invoiced, for the amount not
yet invoiced (order total less the totals of its issued customer invoices, plus its credit notes), expected on
the order's requested delivery date, else the latest expected date of its lines, else the order date; converted
to the base currency at today's rate (an order in a currency without a rate is left out)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core.money import NoExchangeRate, convert
from tandem.finance.models import Invoice
from tandem.sales.models import Order

OPEN = (Order.Status.CONFIRMED, Order.Status.PARTLY_SHIPPED, Order.Status.SHIPPED)
ZERO = Decimal(0)


def forecast_rows(company, today: datetime.date, date_to: datetime.date) -> list[dict]:
    orders = list(Order.objects.filter(company=company, status__in=OPEN)
                  .annotate(line_expected=Max("lines__expected_date"))
                  .values("pk", "number", "currency", "total", "requested_date", "line_expected", "order_date"))
    if not orders:
        return []
    order_type = ContentType.objects.get_for_model(Order)
    invoiced: dict[int, Decimal] = {}
    for row in (Invoice.objects.filter(origin_type=order_type, origin_id__in=[o["pk"] for o in orders])
                .exclude(status__in=(Invoice.Status.DRAFT, Invoice.Status.CANCELLED))
                .values("origin_id", "kind").annotate(total=Sum("total")).order_by()):
        sign = -1 if row["kind"] in Invoice.CREDIT_KINDS else 1
        invoiced[row["origin_id"]] = invoiced.get(row["origin_id"], ZERO) + sign * (row["total"] or ZERO)
    rates: dict = {}
    rows = []
    label = _("Sales orders")
    for order in orders:
        left = order["total"] - invoiced.get(order["pk"], ZERO)
        if left <= 0:
            continue
        day = order["requested_date"] or order["line_expected"] or order["order_date"]
        if day > date_to:
            continue
        try:
            amount = convert(left, order["currency"], company.base_currency, on=today, rates=rates) \
                if order["currency"] != company.base_currency else left
        except NoExchangeRate:
            continue
        rows.append({"date": day, "amount": amount, "source": "sales_orders", "label": label,
                     "reference": order["number"]})
    return rows


def origin_urls() -> list[dict]:
    return [{"model": "sales.order", "url": lambda pk: reverse("sales:order-detail", args=[pk])},
            {"model": "sales.shipment", "url": lambda pk: reverse("sales:shipment-detail", args=[pk])},
            {"model": "sales.customerreturn", "url": lambda pk: reverse("sales:return-detail", args=[pk])}]
