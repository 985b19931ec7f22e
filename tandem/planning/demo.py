"""The planning part of the demo data: a minimum and safety stock for a few goods in the main warehouse, then one
planning run over what the other demos made (confirmed sales orders, purchase orders, BOMs), so the planning page,
the product pages and the order pages show proposals. Deterministic; idempotent: nothing happens once a run exists."""

from __future__ import annotations

import random
from decimal import Decimal

from tandem.catalog.models import Product
from tandem.core import roles
from tandem.core.models import User
from tandem.planning import services
from tandem.planning.models import PlanningRun
from tandem.stock.models import Warehouse


def build_planning_demo(*, seed: int = 20260601, scale: float = 1.0) -> list[str]:
    if PlanningRun.objects.exists():
        return []
    admin = (User.objects.filter(is_superuser=True).order_by("pk").first()
             or User.objects.filter(groups__name=roles.ADMINISTRATOR).order_by("pk").first())
    warehouse = Warehouse.objects.active().order_by("pk").first()
    if admin is None or warehouse is None:
        return []
    rng = random.Random(seed)
    goods = list(Product.objects.filter(kind=Product.Kind.GOODS, is_archived=False).order_by("sku")[:6])
    for product in goods[::2]:
        services.set_parameter(product=product, warehouse=warehouse, by=admin,
                               minimum_stock=Decimal(rng.randint(5, 20)), safety_stock=Decimal(rng.randint(0, 5)))
    run = services.run_planning(by=admin)
    return [f"planning: {len(goods[::2])} minimum stocks, one run with {run.proposals} proposals"]
