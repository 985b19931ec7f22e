"""REST endpoints: interactions."""

from ninja import Router

router = Router(tags=["crm"])
