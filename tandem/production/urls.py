"""Production pages under /production/: bills of materials and work centres (bom_views), production orders and
the work-centre load (order_views)."""

from tandem.production import bom_views, order_views

app_name = "production"

urlpatterns = [*bom_views.urlpatterns, *order_views.urlpatterns]
