from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "tandem.production"
    label = "production"
    verbose_name = _("Production")

    module_key = "production"
    module_requires = ("catalog", "stock")
    url_prefixes = ("/production/", "/api/v1/production/")
    menu = []
    role_permissions = {}
