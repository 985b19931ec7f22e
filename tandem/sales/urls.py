"""Sales pages under /sales/."""

from tandem.sales import client_pricing_views, invoicing_views, shipping_views, views

app_name = "sales"

urlpatterns = (views.urlpatterns + shipping_views.urlpatterns + client_pricing_views.urlpatterns
               + invoicing_views.urlpatterns)
