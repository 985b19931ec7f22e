from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")
    # core is always on: it has no module_key.

    def ready(self):
        from tandem.core import audit, signals  # noqa: F401 - signals connects receivers
        from tandem.core.audit_actions import ACTIONS, CHANGE_LABELS
        from tandem.core.deletion import register_blocker

        audit.register_actions(ACTIONS)
        for model_label, labels in CHANGE_LABELS.items():
            audit.register_change_labels(model_label, labels)
        # A user who has acted (changed anything on record) is deactivated, never deleted.
        register_blocker("core.User", "core.AuditEntry", "actor")
