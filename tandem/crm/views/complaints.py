"""Web pages: complaints (placeholder until the area lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def index(request):
    return HttpResponse("complaints")


urlpatterns = [path("complaints/", index, name="complaint-list")]
