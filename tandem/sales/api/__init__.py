"""Sales REST API under /api/v1/sales/: quotes, orders, shipments and returns, each area module owns its Router."""

from ninja import Router

from tandem.sales.api import client_pricing, invoicing, orders, quotes, returns, shipments

router = Router()
for area in (quotes, orders, shipments, returns, client_pricing, invoicing):
    router.add_router("/", area.router)
