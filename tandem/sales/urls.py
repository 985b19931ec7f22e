"""Sales pages under /sales/."""

from tandem.sales import shipping_views, views

app_name = "sales"

urlpatterns = views.urlpatterns + shipping_views.urlpatterns
