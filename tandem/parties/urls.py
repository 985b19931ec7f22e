from django.urls import path

from tandem.parties import views

app_name = "parties"

# Every path stays under /clients/ or /search/: PartiesConfig.url_prefixes switches them off with the module.
urlpatterns = [
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/picker/", views.client_picker, name="client-picker"),
    path("clients/picker/counterparties/", views.counterparty_picker, name="counterparty-picker"),
    path("clients/picker/contacts/", views.contact_picker, name="contact-picker"),
    path("clients/<int:pk>/", views.client_detail, name="client-detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client-edit"),
    path("clients/<int:pk>/delete/", views.client_delete, name="client-delete"),
    path("clients/<int:pk>/archive/", views.client_archive, name="client-archive"),
    path("clients/<int:pk>/restore/", views.client_restore, name="client-restore"),
    path(
        "clients/<int:client_pk>/counterparties/new/", views.counterparty_create, name="counterparty-create"
    ),
    path(
        "clients/<int:client_pk>/counterparties/<int:pk>/edit/",
        views.counterparty_edit,
        name="counterparty-edit",
    ),
    path(
        "clients/<int:client_pk>/counterparties/<int:pk>/delete/",
        views.counterparty_delete,
        name="counterparty-delete",
    ),
    path("clients/<int:client_pk>/counterparties/<int:pk>/archive/", views.counterparty_archive,
         name="counterparty-archive"),
    path("clients/<int:client_pk>/counterparties/<int:pk>/restore/", views.counterparty_restore,
         name="counterparty-restore"),
    path(
        "clients/<int:client_pk>/counterparties/<int:counterparty_pk>/bank-accounts/new/",
        views.bankaccount_create,
        name="bankaccount-create",
    ),
    path("clients/<int:client_pk>/contacts/new/", views.contact_create, name="contact-create"),
    path("clients/<int:client_pk>/contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("clients/<int:client_pk>/contacts/<int:pk>/delete/", views.contact_delete, name="contact-delete"),
    path("clients/<int:client_pk>/contacts/<int:pk>/archive/", views.contact_archive, name="contact-archive"),
    path("clients/<int:client_pk>/contacts/<int:pk>/restore/", views.contact_restore, name="contact-restore"),
    path("search/", views.search, name="search"),
]
