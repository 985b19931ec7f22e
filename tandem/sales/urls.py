"""Sales pages under /sales/."""

from tandem.sales import views

app_name = "sales"

urlpatterns = views.urlpatterns
