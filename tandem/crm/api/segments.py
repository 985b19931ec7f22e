"""REST endpoints: segments."""

from ninja import Router

router = Router(tags=["crm"])
