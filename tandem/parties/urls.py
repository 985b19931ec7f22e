from django.urls import path

from tandem.parties import views

app_name = "parties"

urlpatterns = [
    path("clients/", views.client_list, name="client-list"),
]
