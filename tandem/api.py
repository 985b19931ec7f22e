"""The REST API root: /api/v1/. Each app contributes a Router; errors share one JSON shape."""

from ninja import Swagger

from tandem.core.api import router as core_router
from tandem.core.api_errors import install_error_handlers
from tandem.core.authentication import api_auth
from tandem.core.openapi import TandemNinjaAPI
from tandem.crm.api import router as crm_router
from tandem.parties.api import router as parties_router

api = TandemNinjaAPI(
    title="Tandem API",
    version="1",
    description="CRM + ERP. Authenticate with `Authorization: Bearer <personal token>` or a browser session.",
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
