"""Planning pages under /planning/."""

from tandem.planning import views

app_name = "planning"

urlpatterns = views.urlpatterns
