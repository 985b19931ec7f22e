"""Purchasing pages under /purchasing/."""

from tandem.purchasing import landed_cost_views, views

app_name = "purchasing"

urlpatterns = views.urlpatterns + landed_cost_views.urlpatterns
