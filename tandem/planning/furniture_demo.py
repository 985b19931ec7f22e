"""The furniture maker's year (part of `tandem demo`, run by planning's demo hook because it spans purchasing,
production and sales, which stay independent of each other): on the BOMs and materials of production/demo.py,

- suppliers of the materials with their prices (the preferred one, a minimum quantity, a pack size, a lead time),
  and a second, cheaper source of oak boards with a large minimum;
- month by month: purchase orders for what the month's production lacks (rounded up to the supplier's minimum and
  pack size), received and their carrier's freight allocated as a landed cost (by weight for the timber, by value
  for the rest); production at all three levels (table tops in lots and chair seats → tables and chairs → dining
  sets), consumed with the odd extra board, time booked, some chairs scrapped, finished at actual cost; and sales
  orders of tables, chairs and sets, shipped and delivered;
- at the end: the month's timber still on its way, a dining set order confirmed and a chair order in progress,
  and a client's order of dining sets confirmed short of stock, which the demo planning run then covers with
  production and purchase proposals.

Through the services (audited and posted like real work). Deterministic (random.Random seeded from `seed`); the
scale shortens the year. Idempotent: nothing happens when the timber supplier exists."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from tandem.catalog.models import Product
from tandem.core import owners, roles
from tandem.core.errors import BusinessRuleError
from tandem.core.models import LegalEntity, User
from tandem.parties import services as parties
from tandem.parties.models import Client
from tandem.production import queries as production_queries
from tandem.production import services as production
from tandem.production.models import Bom, ProductionOrder
from tandem.purchasing import landed_costs
from tandem.purchasing import services as purchasing
from tandem.purchasing.models import SupplierPrice, SupplierProfile
from tandem.sales.services import orders as sales_orders
from tandem.sales.services import shipments
from tandem.stock import queries as stock_queries
from tandem.stock.models import Lot, Warehouse

TIMBER = "Holzwerk Eberswalde GmbH"
# (name, country, contact, lead time in days)
SUPPLIERS = [(TIMBER, "DE", ("Jens", "Köhler"), 10), ("Baltic Timber UAB", "LT", ("Rūta", "Kazlauskienė"), 21),
             ("Beschläge Müller KG", "DE", ("Petra", "Müller"), 5), ("Lackwerk Sonnenschein GmbH", "DE",
                                                                   ("Uwe", "Brandt"), 7),
             ("Spedition Schnell GmbH", "DE", ("Mehmet", "Yılmaz"), 2)]
CARRIER = "Spedition Schnell GmbH"
# (material, supplier, unit price, minimum quantity, pack size, lead time, preferred)
PRICES = [("FM-BOARD-OAK", TIMBER, "18.40", 20, 10, 10, True),
          ("FM-BOARD-OAK", "Baltic Timber UAB", "16.90", 200, 50, 21, False),
          ("FM-LEG-BEECH", TIMBER, "6.25", 40, 20, 10, True),
          ("FM-SCREW-4x40", "Beschläge Müller KG", "0.04", 1000, 500, 5, True),
          ("FM-VARNISH", "Lackwerk Sonnenschein GmbH", "14.90", 10, 5, 7, True)]
# Each month's production: (product, quantity); children first. The set takes a table and four chairs; the rest
# is sold. A chair-seat run makes two seats.
MONTHLY = [("FM-TABLE-TOP", 4), ("FM-CHAIR-SEAT", 14), ("FM-TABLE", 4), ("FM-CHAIR", 11), ("FM-DINING-SET", 1)]
PRICES_EUR = {"FM-TABLE": Decimal("890.00"), "FM-CHAIR": Decimal("169.00"), "FM-DINING-SET": Decimal("1490.00")}
# Each month's sales orders: [(product, lowest, highest quantity)], within what the month makes.
SALES = [[("FM-DINING-SET", 1, 1)], [("FM-TABLE", 1, 1), ("FM-CHAIR", 2, 4)], [("FM-TABLE", 1, 2)],
         [("FM-CHAIR", 1, 2)]]
CARRIERS = ("DHL Freight", "DB Schenker", "Dachser")


def build_furniture_demo(*, seed: int = 20260601, scale: float = 1.0) -> list[str]:
    if SupplierProfile.objects.filter(counterparty__legal_name=TIMBER).exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    company = LegalEntity.objects.order_by("-is_default", "pk").first()
    warehouse = Warehouse.objects.active().filter(company=company).order_by("pk").first() if company else None
    products = {p.sku: p for p in Product.objects.filter(sku__startswith="FM-").select_related("unit")}
    clients = list(Client.objects.active().filter(counterparties__isnull=False)  # buyers, not our suppliers
                   .exclude(counterparties__supplier_profile__isnull=False).distinct().order_by("pk")[:30])
    if (admin is None or warehouse is None or not clients
            or not Bom.objects.filter(product__sku="FM-DINING-SET").exists()):
        return []
    rng = random.Random(f"furniture-{seed}")
    today = timezone.localdate()
    story = _Story(rng, admin, company, warehouse, products, clients, today)
    with transaction.atomic():
        story.suppliers_and_prices()
        months = max(3, int(12 * scale))
        for month in range(months):
            story.month(today - datetime.timedelta(days=30 * (months - month)))
        story.open_work()
    return [f"furniture: {story.purchases} purchase orders of materials ({story.freights} with freight allocated), "
            f"{story.made} production orders done, {story.sold} furniture orders sold and shipped, "
            f"one order of dining sets short of stock for the planning run"]


class _Story:
    def __init__(self, rng, admin, company, warehouse, products, clients, today):
        self.rng, self.by, self.company, self.warehouse = rng, admin, company, warehouse
        self.products, self.clients, self.today = products, clients, today
        self.location = stock_queries.default_location(warehouse)
        # Clients are owned by the sales team (core.owners): suppliers by the sales manager, as in purchasing's demo.
        self.owner = owners.sales_users().filter(groups__name=roles.SALES_MANAGER).order_by("pk").first() or admin
        self.suppliers: dict[str, SupplierProfile] = {}
        self.purchases = self.freights = self.made = self.sold = 0

    def suppliers_and_prices(self) -> None:
        for name, country, (first_name, last_name), lead_time in SUPPLIERS:
            client = parties.create_client(by=self.by, name=name, owner=self.owner, allow_duplicates=True)
            parties.add_contact(client, by=self.by, first_name=first_name, last_name=last_name, position="Sales",
                                allow_duplicates=True)
            counterparty = parties.add_counterparty(client, by=self.by, legal_name=name, country=country,
                                                    valid_from=self.today - datetime.timedelta(days=800),
                                                    allow_duplicates=True)
            self.suppliers[name] = purchasing.create_supplier(counterparty=counterparty, by=self.by,
                                                              currency=self.company.base_currency,
                                                              lead_time_days=lead_time)
        for sku, supplier, price, minimum, pack, lead_time, preferred in PRICES:
            purchasing.add_supplier_price(supplier=self.suppliers[supplier], product=self.products[sku], by=self.by,
                                          unit_price=Decimal(price), min_quantity=Decimal(minimum),
                                          pack_size=Decimal(pack), lead_time_days=lead_time, is_preferred=preferred,
                                          supplier_sku=f"{supplier[:3].upper()}-{sku[3:]}")

    # One month: buy what production lacks, make, sell.
    def month(self, start: datetime.date) -> None:
        plan = [(self.products[sku], Decimal(quantity)) for sku, quantity in MONTHLY]
        self.buy(plan, start)
        made = {}
        for index, (product, quantity) in enumerate(plan):
            made[product.sku] = self.make(product, quantity, start + datetime.timedelta(days=3 + 2 * index), made)
        self.sell(start + datetime.timedelta(days=14))

    def buy(self, plan, start: datetime.date, *, receive: bool = True) -> None:
        need: dict[Product, Decimal] = {}
        for product, quantity in plan:
            bom = production_queries.active_bom(product, start)
            for line in bom.lines.select_related("component"):
                if line.component.sku in {sku for sku, *_ in PRICES}:
                    need[line.component] = need.get(line.component, Decimal(0)) \
                        + line.gross_quantity * quantity / bom.quantity
        by_supplier: dict[SupplierProfile, list[dict]] = {}
        for material, wanted in need.items():
            # A tenth and two more than the plan: boards now and then go wrong on the saw.
            short = wanted * Decimal("1.1") + 2 - stock_queries.available(material, self.warehouse)
            if short <= 0:
                continue
            price = SupplierPrice.objects.select_related("supplier").get(product=material, is_preferred=True)
            quantity = max(short, price.min_quantity)
            quantity = (quantity / price.pack_size).to_integral_value(ROUND_CEILING) * price.pack_size
            by_supplier.setdefault(price.supplier, []).append({"product": material, "quantity": quantity})
        for supplier, lines in by_supplier.items():
            order = purchasing.create_purchase_order(
                supplier=supplier, warehouse=self.warehouse, by=self.by, lines=lines,
                order_date=start - datetime.timedelta(days=supplier.lead_time_days),
                expected_date=start if receive else self.today + datetime.timedelta(days=supplier.lead_time_days))
            order = purchasing.send_purchase_order(purchasing.submit_purchase_order(order, by=self.by), by=self.by)
            self.purchases += 1
            if not receive:
                continue  # on its way
            order = purchasing.receive_purchase_order(
                order, by=self.by, date=min(start, self.today),
                lines=[(line, line.quantity, None, self.location) for line in order.lines.order_by("pk")])
            timber = supplier.counterparty.legal_name == TIMBER
            freight = landed_costs.create_landed_cost(
                by=self.by, supplier=self.suppliers[CARRIER], date=min(start, self.today), orders=[order],
                amount=max((order.net_total * Decimal("0.05")).quantize(Decimal("0.01")), Decimal(25)),
                method="weight" if timber else "value", reference=f"SPS-{order.number}", note="Carrier's freight")
            landed_costs.allocate_landed_cost(freight, by=self.by)
            self.freights += 1

    def make(self, product, quantity, day: datetime.date, made: dict) -> ProductionOrder:
        """A production order run to the end on `day`: consumed (a board too many now and then), time booked,
        produced (a chair scrapped now and then), finished at actual cost."""
        order = production.create_production_order(product=product, quantity=quantity, by=self.by,
                                                    warehouse=self.warehouse, planned_start=day, note="furniture")
        order = production.start_production_order(production.confirm_production_order(order, by=self.by),
                                                   by=self.by)
        lines = []
        for component in order.components.select_related("product").order_by("position"):
            extra = 1 if component.product.sku == "FM-BOARD-OAK" and self.rng.random() < 0.3 else 0
            lot = None
            if component.product.tracking != Product.Tracking.NONE:  # this month's batch of table tops
                lot = Lot.objects.filter(product=component.product,
                                         code__startswith=f"{made[component.product.sku].number}-").first()
            lines.append(production.Consumption(component, component.required_quantity + extra, lot=lot))
        order = production.consume_components(order, by=self.by, effective_date=day, lines=lines)
        for operation in order.operations.all():
            minutes = operation.planned_minutes * Decimal(self.rng.choice(["0.9", "1", "1.1", "1.25"]))
            order = production.book_operation(order, operation=operation, by=self.by, effective_date=day,
                                              minutes=minutes.quantize(Decimal(1)))
        scrap = 1 if product.sku == "FM-CHAIR" else 0
        order = production.produce_output(order, quantity=quantity - scrap, scrap=scrap, by=self.by,
                                          effective_date=day)
        order = production.finish_production_order(order, by=self.by, effective_date=day)
        self.made += 1
        return order

    def sell(self, day: datetime.date) -> None:
        for number, wanted in enumerate(SALES):
            order_day = min(day + datetime.timedelta(days=3 * number), self.today)
            client = self.rng.choice(self.clients)
            counterparty = client.counterparties.filter(valid_from__lte=order_day, is_archived=False).exclude(
                valid_to__lt=order_day).order_by("pk").first()
            if counterparty is None:
                continue
            lines = [{"product": self.products[sku], "quantity": Decimal(self.rng.randint(low, high)),
                      "unit_price": PRICES_EUR[sku]} for sku, low, high in wanted]
            try:
                with transaction.atomic():
                    order = sales_orders.create_order(by=self.by, client=client, counterparty=counterparty,
                                                      warehouse=self.warehouse, order_date=order_day, lines=lines,
                                                      currency=self.company.base_currency)
                    order = sales_orders.confirm_order(order, by=self.by)
                    shipped_on = min(order_day + datetime.timedelta(days=2), self.today)
                    shipment = shipments.create_shipment(order, by=self.by, shipment_date=shipped_on)
                    shipment = shipments.pack_shipment(shipments.pick_shipment(shipment, by=self.by), by=self.by)
                    carrier = self.rng.choice(CARRIERS)
                    shipment = shipments.ship_shipment(shipment, by=self.by, carrier=carrier,
                                                       tracking_number=f"FM{self.rng.randint(10**8, 10**9 - 1)}")
                    delivered = shipped_on + datetime.timedelta(days=self.rng.randint(1, 4))
                    if delivered <= self.today:
                        shipments.deliver_shipment(shipment, by=self.by, delivered_date=delivered)
            except BusinessRuleError:
                continue  # a client over the credit limit, say: the demo goes on
            self.sold += 1

    def open_work(self) -> None:
        """Work still open today: timber on its way, a set order confirmed (its table and chairs reserved), a
        chair order in progress, and a client's order of dining sets confirmed short of stock."""
        chair, dining_set = self.products["FM-CHAIR"], self.products["FM-DINING-SET"]
        self.buy([(self.products["FM-TABLE-TOP"], Decimal(4))], self.today, receive=False)
        confirmed = production.create_production_order(product=dining_set, quantity=Decimal(1), by=self.by,
                                                       warehouse=self.warehouse, note="furniture",
                                                       planned_start=self.today + datetime.timedelta(days=5))
        production.confirm_production_order(confirmed, by=self.by)
        working = production.create_production_order(product=chair, quantity=Decimal(4), by=self.by,
                                                     warehouse=self.warehouse, note="furniture",
                                                     planned_start=self.today)
        working = production.start_production_order(production.confirm_production_order(working, by=self.by),
                                                     by=self.by)
        seats = working.components.get(product__sku="FM-CHAIR-SEAT")
        working = production.consume_components(working, by=self.by, effective_date=self.today,
                                                lines=[production.Consumption(seats, seats.required_quantity)])
        operation = working.operations.order_by("sequence", "pk").first()
        production.book_operation(working, operation=operation, minutes=operation.planned_minutes / 2, by=self.by,
                                  effective_date=self.today)
        client, counterparty = next((c, cp) for c in self.clients for cp in [
            c.counterparties.filter(valid_from__lte=self.today, is_archived=False)
            .exclude(valid_to__lt=self.today).order_by("pk").first()] if cp is not None)
        with override_settings(SALES_ALLOW_CONFIRM_WITH_SHORTAGE=True):  # taken although the sets are not there
            short = sales_orders.create_order(
                by=self.by, client=client, counterparty=counterparty, warehouse=self.warehouse, order_date=self.today,
                requested_date=self.today + datetime.timedelta(days=28), currency=self.company.base_currency,
                lines=[{"product": dining_set, "quantity": Decimal(6), "unit_price": PRICES_EUR["FM-DINING-SET"]}],
                note="Restaurant fit-out: six dining sets")
            sales_orders.confirm_order(short, by=self.by)
