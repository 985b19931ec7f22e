"""CRM pages under /crm/: each area's views module owns its urlpatterns."""

from tandem.crm.views import (
    attribution,
    complaints,
    dashboard,
    deals,
    interactions,
    leads,
    reference_lists,
    segments,
    tasks,
)

app_name = "crm"

urlpatterns = [
    *deals.urlpatterns,
    *leads.urlpatterns,
    *attribution.urlpatterns,
    *interactions.urlpatterns,
    *complaints.urlpatterns,
    *segments.urlpatterns,
    *tasks.urlpatterns,
    *reference_lists.urlpatterns,
    *dashboard.urlpatterns,
]
