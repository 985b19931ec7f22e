"""REST endpoints: tasks."""

from ninja import Router

router = Router(tags=["crm"])
