"""Production pages under /production/."""

from tandem.production import order_views

app_name = "production"

urlpatterns = [*order_views.urlpatterns]
