from django.urls import path

from tandem.stock_accounting import views

app_name = "stock_accounting"

# Every path stays under /stock-accounting/: the module switch turns them off with the bridge.
urlpatterns = [
    path("", views.reconciliation_list, name="reconciliation-list"),
    path("legal-entities/<int:entity_id>/post-pending/", views.pending_post, name="pending-post"),
]
