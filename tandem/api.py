"""The REST API root: /api/v1/. Each app contributes a Router; errors share one JSON shape."""

from ninja import Swagger

from tandem.catalog.api import router as catalog_router
from tandem.core.api import router as core_router
from tandem.core.api_errors import install_error_handlers
from tandem.core.authentication import api_auth
from tandem.core.openapi import TandemNinjaAPI
from tandem.crm.api import router as crm_router
from tandem.finance.api import router as finance_router
from tandem.parties.api import router as parties_router
from tandem.planning.api import router as planning_router
from tandem.production.bom_api import router as production_bom_router
from tandem.production.order_api import router as production_orders_router
from tandem.purchasing.api import router as purchasing_router
from tandem.sales.api import router as sales_router
from tandem.stock.api import router as stock_router
from tandem.stock.valuation.api import router as stock_valuation_router
from tandem.stock_accounting.api import router as stock_accounting_router

DESCRIPTION = """CRM + ERP. Authenticate with `Authorization: Bearer <personal token>` or a browser session.

Conventions of every endpoint:

* **Lists** answer `{items, count, page, page_size}`; ask with `?page=` (1-based) and `?page_size=` (≤ 200).
* **Filters** are query parameters named after the field, typed below; a wrong value answers 400 naming it.
* **Errors** answer with one body, `ApiError`: `{code, field, message, errors: [{field, message}]}`; each
  operation lists the statuses it can give (400, 401, 403, 404, 409, 413).
* **Ids** are integers (1 … 2^63−1). **Amounts** are decimal strings next to their `currency` (ISO 4217).
  **Dates** are ISO 8601; moments carry their time zone.
* **PATCH** changes the fields sent; `DELETE` answers 204, or 409 (`referenced`) while other records refer to it.
* **Conditional updates**: a record with a `version` answers with an `ETag`; send it back as `If-Match`, and
  a stale one is refused with 409.
"""

api = TandemNinjaAPI(
    title="Tandem API",
    version="1",
    description=DESCRIPTION,
    auth=api_auth,
    urls_namespace="api",
    # Assets come from ninja's static files ("ninja" is in INSTALLED_APPS); no spec validator badge,
    # which would send the schema to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/crm/", crm_router)
api.add_router("/", stock_router)
api.add_router("/finance/", finance_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/stock/valuation", stock_valuation_router)
api.add_router("/stock-accounting/", stock_accounting_router)
api.add_router("/sales/", sales_router)
api.add_router("/purchasing/", purchasing_router)
api.add_router("/production/", production_bom_router)
api.add_router("/planning/", planning_router)
api.add_router("/production/", production_orders_router)
