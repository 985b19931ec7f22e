"""REST endpoints: attribution."""

from ninja import Router

router = Router(tags=["crm"])
