"""The purchasing part of the demo data: three suppliers (new counterparties of their own), prices of the
stocked untracked goods (one preferred per product), and purchase orders in various states — drafts, one
awaiting approval, sent, partly received and received (with a draft supplier bill and the carrier's freight as a
landed cost, allocated for some), and a request for quotation.

Runs after stock and sales (app order) and uses their goods and warehouse. Created through
purchasing.services (audited like real work). Deterministic (random.Random seeded from `seed`); idempotent:
nothing happens when a supplier exists. Small and fast: a handful of orders."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.catalog.models import Product
from tandem.core import owners, roles
from tandem.core.models import LegalEntity, User
from tandem.parties import services as parties
from tandem.purchasing import services
from tandem.purchasing.models import PurchaseOrder, SupplierProfile
from tandem.stock.models import Warehouse

# (name, country, the supplier's sales contact)
SUPPLIERS = [("Nordic Components AB", "SE", ("Karin", "Lindqvist")),
             ("Rheinland Metallwaren GmbH", "DE", ("Stefan", "Becker")),
             ("Atlantic Supply Ltd", "GB", ("Oliver", "Hughes"))]


def build_purchasing_demo(*, seed: int = 20260601, scale: float = 1.0) -> list[str]:
    if SupplierProfile.objects.exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    # A supplier is a client too, and clients are owned by the sales team (core.owners): the sales manager.
    owner = owners.sales_users().filter(groups__name=roles.SALES_MANAGER).order_by("pk").first()
    company = LegalEntity.objects.order_by("-is_default", "pk").first()
    warehouse = Warehouse.objects.active().filter(company=company).order_by("pk").first() if company else None
    products = list(Product.objects.filter(kind=Product.Kind.GOODS, is_archived=False, variants__isnull=True,
                                           tracking=Product.Tracking.NONE).order_by("sku")[:12])
    if admin is None or owner is None or company is None or warehouse is None or not products:
        return ["purchasing demo skipped: the demo users, legal entity, warehouse and goods are missing"]
    rng = random.Random(f"purchasing-{seed}")
    today = timezone.localdate()
    with transaction.atomic():
        suppliers = []
        for name, country, (first_name, last_name) in SUPPLIERS:
            # Through the parties services, so each supplier has its history like every demo client.
            client = parties.create_client(by=admin, name=name, owner=owner, allow_duplicates=True)
            parties.add_contact(client, by=admin, first_name=first_name, last_name=last_name, position="Sales",
                                allow_duplicates=True)
            counterparty = parties.add_counterparty(client, by=admin, legal_name=name, country=country,
                                                    valid_from=today - datetime.timedelta(days=800),
                                                    allow_duplicates=True)
            suppliers.append(services.create_supplier(counterparty=counterparty, currency=company.base_currency,
                                                      lead_time_days=rng.randint(5, 20), by=admin))
        for index, product in enumerate(products):
            for position, supplier in enumerate(rng.sample(suppliers, 2)):
                services.add_supplier_price(supplier=supplier, product=product, by=admin,
                                            unit_price=Decimal(rng.randint(300, 6000)) / 100,
                                            min_quantity=Decimal(rng.choice([0, 10, 50])),
                                            is_preferred=position == 0 and index % 2 == 0)
        # A year of purchasing: an order about every month, the oldest a year ago, received a week after ordering.
        made = max(4, round(12 * scale))
        for number in range(made):
            supplier = suppliers[number % len(suppliers)]
            goods = [p for p in products if p.pk in set(supplier.prices.values_list("product_id", flat=True))][:3]
            if not goods:
                continue
            order = services.create_purchase_order(
                supplier=supplier, warehouse=warehouse, by=admin,
                order_date=today - datetime.timedelta(days=(made - number) * 365 // made),
                lines=[{"product": p, "quantity": Decimal(rng.randint(50, 150))} for p in goods])
            stage = number % 4
            if stage == 0:
                continue  # a draft
            order = services.submit_purchase_order(order, by=admin)
            if stage == 1:
                continue  # approved, not yet sent
            order = services.send_purchase_order(order, by=admin)
            lines = list(order.lines.order_by("pk"))
            if stage == 2:
                services.receive_purchase_order(order, lines=[(lines[0], lines[0].quantity / 2, None, None)],
                                                date=received_on(order), by=admin)  # the rest stays incoming
            else:
                order = services.receive_purchase_order(
                    order, lines=[(line, line.quantity, None, None) for line in lines], date=received_on(order),
                    by=admin)
                _demo_bill(order, admin, number)
                _demo_landed_cost(order, admin, number)
        # A request for quotation waiting for the supplier's answer: one line priced from the list, one not yet.
        supplier = suppliers[0]
        listed = [p for p in products if supplier.prices.filter(product=p).exists()][:1]
        unlisted = [p for p in products if not supplier.prices.filter(product=p).exists()][:1]
        if listed or unlisted:
            services.create_purchase_order(supplier=supplier, warehouse=warehouse, by=admin, as_rfq=True,
                                           order_date=today, note="Please quote for delivery within two weeks.",
                                           lines=[{"product": p, "quantity": Decimal(rng.randint(20, 80))}
                                                  for p in listed + unlisted])
    return [f"purchasing: {SupplierProfile.objects.count()} suppliers, {PurchaseOrder.objects.count()} purchase orders"]


def received_on(order) -> datetime.date:
    """A week after the order was placed, never after today."""
    return min(order.order_date + datetime.timedelta(days=7), timezone.localdate())


def _demo_landed_cost(order, admin, number: int) -> None:
    """The carrier's freight of a received order, spread over its receipts by value: allocated for odd-numbered
    orders (their goods cost more since), a draft for the rest."""
    from tandem.core.errors import BusinessRuleError
    from tandem.purchasing import landed_costs

    try:
        freight = landed_costs.create_landed_cost(
            by=admin, amount=(order.net_total * Decimal("0.04")).quantize(Decimal("0.01")) or Decimal(10),
            company=order.company, date=received_on(order), method="value", orders=[order],
            reference=f"FREIGHT-{4711 + number}", note="Carrier's freight")
        if number % 2 == 1:
            landed_costs.allocate_landed_cost(freight, by=admin)
    except BusinessRuleError:
        return  # the demo goes on without it


def _demo_bill(order, admin, number: int) -> None:
    """A draft supplier bill of a received order, the first line 3 % dearer than ordered (a difference to accept)."""
    from tandem.core.errors import BusinessRuleError
    from tandem.purchasing import bills

    try:
        bill = bills.bill_order(order, by=admin, supplier_reference=f"SUP-{order.order_date.year}-{4711 + number}",
                                invoice_date=order.order_date + datetime.timedelta(days=7), rate=order.exchange_rate)
        first = bill.lines.order_by("position").first()
        bills.update_bill(bill, by=admin, lines=[{"position": first.position,
                                                  "unit_price": (first.unit_price * Decimal("1.03")).quantize(
                                                      Decimal("0.01"))}])
    except BusinessRuleError:
        return  # the demo goes on without it (no exchange rate, nothing left to bill)
