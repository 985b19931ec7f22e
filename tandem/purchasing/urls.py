"""Purchasing pages under /purchasing/."""

from tandem.purchasing import views

app_name = "purchasing"

urlpatterns = views.urlpatterns
