"""CRM REST API under /api/v1/crm/: each area module owns its Router."""

from ninja import Router

from tandem.crm.api import (
    attribution,
    complaints,
    deals,
    interactions,
    leads,
    reference_lists,
    segments,
    targets,
    tasks,
)

router = Router()
for area in (deals, leads, attribution, interactions, complaints, segments, tasks, reference_lists, targets):
    router.add_router("/", area.router)
