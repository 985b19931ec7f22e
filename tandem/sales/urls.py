"""Sales pages under /sales/."""

from django.http import HttpResponse
from django.urls import path

app_name = "sales"


def _placeholder(request):  # replaced by the quote and order pages
    return HttpResponse("")


urlpatterns = [
    path("quotes/", _placeholder, name="quote-list"),
    path("orders/", _placeholder, name="order-list"),
]
