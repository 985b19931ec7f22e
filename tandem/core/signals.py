from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import caching
from tandem.core.models import Company, ModuleSetting, RolePolicy, User
from tandem.core.permissions import sync_roles


@receiver(post_migrate)
def create_roles_after_migrate(sender, **kwargs):
    # post_migrate fires once per app; permissions of every app exist only when the last one fires.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    sync_roles()
    # New permission rows (a new app, a new model) are created without signals; superusers' cached
    # permissions must see them.
    caching.forget_access()
    # Fresh planner statistics after schema changes: SQLite picks poor plans on big tables without them
    # (the lost-at-stage report ran 3x slower at 100k deals before ANALYZE).
    with connections[kwargs.get("using", DEFAULT_DB_ALIAS)].cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Cached per-request settings (core.caching) are forgotten when their rows change -----------------

@receiver([post_save, post_delete], sender=Company)
def forget_company(sender, **kwargs):
    caching.forget_company()


@receiver([post_save, post_delete], sender=ModuleSetting)
def forget_module_switches(sender, **kwargs):
    caching.forget_module_switches()


@receiver([post_save, post_delete], sender=RolePolicy)
@receiver([post_save, post_delete], sender=TOTPDevice)
@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
def forget_access(sender, **kwargs):
    caching.forget_access()


@receiver(m2m_changed, sender=Group.permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def forget_access_on_membership_change(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        caching.forget_access()
