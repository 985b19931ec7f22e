# Every path stays under /stock/: StockConfig.url_prefixes switches them off with the module.
from django.urls import path

from tandem.stock import views

app_name = "stock"

urlpatterns = [
    path("", views.stock_list, name="stock-list"),
    path("moves/", views.move_list, name="move-list"),
    path("receipts/new/", views.receipt_new, name="receipt-new"),
    path("transfers/new/", views.transfer_new, name="transfer-new"),
    path("adjustments/new/", views.adjustment_new, name="adjustment-new"),
    path("products/picker/", views.product_picker, name="product-picker"),
    path("locations/picker/", views.location_picker, name="location-picker"),
    path("lots/picker/", views.lot_picker, name="lot-picker"),
    path("warehouses/", views.warehouse_list, name="warehouse-list"),
    path("warehouses/<int:pk>/edit/", views.warehouse_edit, name="warehouse-edit"),
    path("warehouses/<int:pk>/archive/", views.warehouse_archive, name="warehouse-archive"),
    path("warehouses/<int:pk>/restore/", views.warehouse_restore, name="warehouse-restore"),
    path("warehouses/<int:pk>/locations/add/", views.location_add, name="warehouse-location-add"),
    path("locations/<int:pk>/edit/", views.location_edit, name="location-edit"),
    path("locations/<int:pk>/archive/", views.location_archive, name="location-archive"),
    path("locations/<int:pk>/restore/", views.location_restore, name="location-restore"),
    path("counts/", views.count_list, name="count-list"),
    path("counts/new/", views.count_new, name="count-new"),
    path("counts/<int:pk>/", views.count_detail, name="count-detail"),
    path("counts/<int:pk>/lines/add/", views.count_line_add, name="count-line-add"),
    path("counts/<int:pk>/lines/<int:line_id>/delete/", views.count_line_delete, name="count-line-delete"),
    path("counts/<int:pk>/import/", views.count_import, name="count-import"),
    path("counts/<int:pk>/post/", views.count_post, name="count-post"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="count-cancel"),
]
