"""Demo data of sales (`tandem demo`): a year of quotes and orders for the demo clients — sent, accepted
(making orders, some confirmed with stock reserved, some cancelled), rejected and expired — deterministic for
a seed. Uses the catalog's and stock's demo products and warehouse when they are there; otherwise lays a few
products, a warehouse and stock of its own."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.catalog.models import Product, Unit
from tandem.core import roles
from tandem.core.errors import BusinessRuleError
from tandem.core.models import LegalEntity, User
from tandem.parties.models import Client
from tandem.sales.models import Order, Quote
from tandem.sales.services import orders as order_services
from tandem.sales.services import quotes as quote_services
from tandem.sales.shipping_demo import build_shipping_demo
from tandem.stock import services as stock_services
from tandem.stock.models import Location, StockMove, Warehouse

SEED = 13
QUOTES_PER_CLIENT = 4


def _products() -> list[Product]:
    found = list(Product.objects.active().filter(variants__isnull=True).select_related("unit").order_by("sku")[:12])
    if found:
        return found
    piece, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "piece"})
    specs = [("PUMP-100", "Circulation pump P100", Product.Kind.GOODS), ("VALVE-20", "Ball valve DN20",
             Product.Kind.GOODS), ("SVC-INSTALL", "Installation (hour)", Product.Kind.SERVICE)]
    return [Product.objects.get_or_create(sku=sku, defaults={"name": name, "unit": piece, "kind": kind})[0]
            for sku, name, kind in specs]


def _warehouse(company: LegalEntity) -> Warehouse:
    warehouse = Warehouse.objects.active().filter(company=company).order_by("pk").first()
    if warehouse is None:
        warehouse = Warehouse.objects.create(company=company, code="MAIN", name="Main warehouse")
    if not Location.objects.filter(warehouse=warehouse, is_default=True).exists():
        Location.objects.create(warehouse=warehouse, code="STOCK", is_default=True)
    return warehouse


def build_sales_demo(*, seed: int = SEED, scale: float = 1.0) -> list[str]:
    if Quote.objects.exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(username="admin").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    company = LegalEntity.objects.order_by("-is_default", "pk").first()
    clients = list(Client.objects.active().filter(counterparties__isnull=False).distinct().order_by("pk")
                   [:max(5, round(25 * scale))])
    if admin is None or company is None or not clients:
        return ["sales demo skipped: the demo users, legal entity and clients are missing"]
    rng = random.Random(f"sales-{seed}")
    today = timezone.localdate()
    with transaction.atomic():
        products = _products()
        warehouse = _warehouse(company)
        location = Location.objects.get(warehouse=warehouse, is_default=True)
        for product in products:
            if product.is_stocked and product.tracking == Product.Tracking.NONE:
                stock_services.record_move(product=product, quantity=Decimal(rng.randint(40, 120)),
                                           kind=StockMove.Kind.RECEIPT, to_location=location,
                                           effective_date=today - datetime.timedelta(days=370),
                                           unit_cost=Decimal(rng.randint(5, 80)), reason="Opening stock (demo)",
                                           by=admin)
        sellable = [p for p in products if p.tracking == Product.Tracking.NONE] or products
        for client in clients:
            for _n in range(QUOTES_PER_CLIENT):
                _one_story(rng, admin, client, sellable, today)
    lines = [f"sales: {Quote.objects.count()} quotes, {Order.objects.count()} sales orders"]
    lines += build_shipping_demo(seed=seed, by=admin)  # shipments and returns (sales.shipping_demo)
    return lines + _invoice_demo(seed=seed, by=admin, today=today)


def _invoice_demo(*, seed: int, by, today) -> list[str]:
    """Invoices of the confirmed demo orders, a few days after each order (finance.demo_invoices issues them)."""
    from tandem.core.modules import enabled_module_keys
    from tandem.finance.demo_invoices import build_invoice_demo
    from tandem.sales.services import invoicing

    if "finance" not in enabled_module_keys():
        return []

    def make_drafts():
        drafts = []
        for order in (Order.objects.filter(status__in=invoicing.INVOICEABLE).select_related("client")
                      .prefetch_related("lines").order_by("order_date", "pk")):
            day = min(order.order_date + datetime.timedelta(days=3), today)
            try:
                with transaction.atomic():
                    drafts.append(invoicing.invoice_order(order, by=by, invoice_date=day, issue=False))
            except BusinessRuleError:
                continue
        return drafts

    return build_invoice_demo(make_drafts, by=by, seed=seed)


def _one_story(rng: random.Random, admin, client, products, today) -> None:
    day = today - datetime.timedelta(days=rng.randint(0, 360))
    counterparty = client.counterparties.filter(valid_from__lte=day, is_archived=False).exclude(
        valid_to__lt=day).first()
    if counterparty is None:
        return
    lines = [{"product": product, "quantity": Decimal(rng.randint(1, 8)),
              "unit_price": Decimal(rng.randint(20, 900)) + Decimal(rng.choice(["0", "0.5", "0.99"])),
              "discount_percent": Decimal(rng.choice([0, 0, 5, 10]))}
             for product in rng.sample(products, k=min(len(products), rng.randint(1, 3)))]
    try:
        with transaction.atomic():
            quote = quote_services.create_quote(by=admin, client=client, counterparty=counterparty, quote_date=day,
                                                valid_until=day + datetime.timedelta(days=30), lines=lines)
            fate = rng.random()
            if fate < 0.15:
                return  # still a draft
            quote = quote_services.send_quote(quote, by=admin)
            if fate < 0.3:
                return
            if fate < 0.45:
                quote_services.reject_quote(quote, by=admin)
                return
            if fate < 0.55:
                quote_services.expire_quote(quote, by=admin)
                return
            order = quote_services.accept_quote(quote, by=admin, order_date=day)
            if rng.random() < 0.7:
                try:
                    with transaction.atomic():
                        order = order_services.confirm_order(order, by=admin)
                except BusinessRuleError:
                    return  # not enough stock left: stays a draft
                if rng.random() < 0.15:
                    order_services.cancel_order(order, by=admin)
    except BusinessRuleError:
        return
