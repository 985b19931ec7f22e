"""The stock valuation of a warehouse at a date, shaped for the page and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from tandem.core.money import quantize
from tandem.stock.valuation.queries import StockValue, warehouse_value


@dataclass
class ValuationReport:
    warehouse: object
    date: datetime.date
    currency: str
    method: str
    lines: list[tuple[object, StockValue]]
    total: Decimal


def valuation_report(warehouse, on_date: datetime.date, *, product=None) -> ValuationReport:
    from tandem.catalog.models import Product

    values = warehouse_value(warehouse, on_date, products=[product] if product is not None else None)
    products = Product.objects.in_bulk([v.product_id for v in values])
    company = warehouse.company
    lines = sorted(((products[v.product_id], v) for v in values), key=lambda line: line[0].sku)
    total = quantize(sum((v.value for v in values), Decimal(0)), company.base_currency)
    return ValuationReport(warehouse, on_date, company.base_currency, company.valuation_method, lines, total)
