from django.urls import path

from tandem.parties import views

app_name = "parties"

# Every path stays under /clients/, /search/ or /settings/{sources,tags}/: PartiesConfig.url_prefixes switches them
# off with the module.
urlpatterns = [
    path("settings/sources/", views.source_settings, name="source-settings"),
    path("settings/sources/<int:pk>/rename/", views.source_rename, name="source-rename"),
    path("settings/sources/<int:pk>/archive/", views.source_archive, name="source-archive"),
    path("settings/sources/<int:pk>/restore/", views.source_restore, name="source-restore"),
    path("settings/tags/", views.tag_settings, name="tag-settings"),
    path("settings/tags/<int:pk>/rename/", views.tag_rename, name="tag-rename"),
    path("settings/tags/<int:pk>/delete/", views.tag_delete, name="tag-delete"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
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
