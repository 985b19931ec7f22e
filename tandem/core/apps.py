from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")
    # core is always on: it has no module_key.

    def ready(self):
        from tandem.core import signals  # noqa: F401 - connects receivers
        from tandem.core.deletion import register_blocker

        # A user who has acted (changed anything on record) is deactivated, never deleted.
        register_blocker("core.User", "core.AuditEntry", "actor")
