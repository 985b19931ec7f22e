"""Production pages under /production/: bills of materials and work centres (bom_views)."""

from tandem.production import bom_views

app_name = "production"

urlpatterns = [*bom_views.urlpatterns]
