"""Purchasing pages under /purchasing/."""

from tandem.purchasing import bill_views, views

app_name = "purchasing"

urlpatterns = views.urlpatterns + bill_views.urlpatterns
