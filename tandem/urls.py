from django.contrib import admin
from django.urls import include, path

from tandem.api import api
from tandem.core.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tandem.parties.urls")),
    path("crm/", include("tandem.crm.urls")),
    path("stock/", include("tandem.stock.urls")),
    path("finance/", include("tandem.finance.urls")),
    path("catalog/", include("tandem.catalog.urls")),
    path("stock/valuation/", include("tandem.stock.valuation.views")),
    path("stock-accounting/", include("tandem.stock_accounting.urls")),
    path("sales/", include("tandem.sales.urls")),
    path("purchasing/", include("tandem.purchasing.urls")),
    path("production/", include("tandem.production.urls")),
    path("planning/", include("tandem.planning.urls")),
    path("", include("tandem.core.urls")),
]
handler404 = "tandem.core.views.page_not_found"
