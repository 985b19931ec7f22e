from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from tandem.core.permissions import sync_roles


@receiver(post_migrate)
def create_roles_after_migrate(sender, **kwargs):
    # post_migrate fires once per app; permissions of every app exist only when the last one fires.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    sync_roles()
