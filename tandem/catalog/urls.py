from django.urls import path

from tandem.catalog import views

app_name = "catalog"

# Every path stays under /catalog/: CatalogConfig.url_prefixes switches them off with the module.
urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/picker/", views.product_picker, name="product-picker"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/price/", views.product_price_detail, name="product-price-detail"),
    path("products/<int:pk>/archive/", views.product_archive, name="product-archive"),
    path("products/<int:pk>/restore/", views.product_restore, name="product-restore"),
    path("products/<int:pk>/barcodes/add/", views.product_barcode_add, name="product-barcode-add"),
    path("products/<int:pk>/barcodes/<int:barcode_pk>/remove/", views.product_barcode_remove,
         name="product-barcode-remove"),
    path("products/<int:pk>/variants/new/", views.product_variant_create, name="product-variant-create"),
    path("price-lists/", views.pricelist_list, name="pricelist-list"),
    path("price-lists/new/", views.pricelist_create, name="pricelist-create"),
    path("price-lists/groups/new/", views.pricegroup_create, name="pricegroup-create"),
    path("price-lists/<int:pk>/", views.pricelist_detail, name="pricelist-detail"),
    path("price-lists/<int:pk>/edit/", views.pricelist_edit, name="pricelist-edit"),
    path("price-lists/<int:pk>/archive/", views.pricelist_archive, name="pricelist-archive"),
    path("price-lists/<int:pk>/restore/", views.pricelist_restore, name="pricelist-restore"),
    path("price-lists/<int:pk>/items/add/", views.pricelist_item_add, name="pricelist-item-add"),
    path("price-lists/<int:pk>/items/<int:item_pk>/remove/", views.pricelist_item_remove,
         name="pricelist-item-remove"),
    path("settings/categories/", views.category_settings, name="category-settings"),
    path("settings/categories/<int:category_pk>/archive/", views.category_archive, name="category-archive"),
    path("settings/units/", views.unit_settings, name="unit-settings"),
    path("settings/units/<int:unit_pk>/archive/", views.unit_archive, name="unit-archive"),
    path("settings/unit-conversions/<int:conversion_pk>/remove/", views.unitconversion_remove,
         name="unitconversion-remove"),
]
