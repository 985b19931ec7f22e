"""Sales REST API under /api/v1/sales/: quotes and orders, each area module owns its Router."""

from ninja import Router

from tandem.sales.api import orders, quotes

router = Router()
for area in (quotes, orders):
    router.add_router("/", area.router)
