"""Sales REST API under /api/v1/sales/: quotes and orders, each area module owns its Router."""

from ninja import Router

router = Router()
