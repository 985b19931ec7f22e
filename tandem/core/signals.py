"""Receivers of core. Besides upkeep after migrate, they audit changes to users, roles and permissions
wherever they are made (services, /admin/, Django's password forms, `manage.py changepassword`): the actor
comes from the request (core.audit.acting_as). Services that audit a save themselves mark the instance
(core.audit.mute_user_signals) so it is not recorded twice."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import audit, caching
from tandem.core.models import Company, LegalEntity, ModuleSetting, RevokedReason, RolePolicy, User
from tandem.core.permissions import sync_roles
from tandem.core.services import revoke_user_tokens

USER_AUDITED_FIELDS = (
    "username", "first_name", "last_name", "email", "language", "is_active", "is_staff", "is_superuser",
)  # fmt: skip


@receiver(post_migrate)
def create_roles_after_migrate(sender, **kwargs):
    # post_migrate fires once per app; permissions of every app exist only when the last one fires.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    with audit.signals_muted():  # the shipped roles are code, not someone's change
        sync_roles()
    # New permission rows (a new app, a new model) are created without signals; superusers' cached
    # permissions must see them.
    caching.forget_access()
    # Fresh planner statistics after schema changes: SQLite picks poor plans on big tables without them
    # (the lost-at-stage report ran 3x slower at 100k deals before ANALYZE).
    with connections[kwargs.get("using", DEFAULT_DB_ALIAS)].cursor() as cursor:
        cursor.execute("ANALYZE")


def _quiet(instance=None, raw=False) -> bool:
    return raw or audit.signals_are_muted() or getattr(instance, "_audited_by_service", False)


# --- Users ------------------------------------------------------------------------------------------

@receiver(pre_save, sender=User)
def remember_user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if _quiet(instance, raw) or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(USER_AUDITED_FIELDS):
        return
    old = User.objects.filter(pk=instance.pk).first()
    if old is not None:
        instance._audit_before = audit.snapshot(old, USER_AUDITED_FIELDS)


@receiver(post_save, sender=User)
def audit_user_saved(sender, instance, created, raw=False, **kwargs):
    quiet = _quiet(instance, raw)
    # A service that audits the save itself (core.services.reset_password) also revokes the tokens itself.
    by_service = getattr(instance, "_audited_by_service", False)
    password_changed = getattr(instance, "_password", None) is not None and not created and not by_service
    instance._audited_by_service = False
    if quiet and not password_changed:
        return
    by = audit.current_actor()
    if created:
        changes = audit.snapshot(instance, USER_AUDITED_FIELDS)
        audit.record(instance, "core.user.created", by=by, changes=changes)
    elif getattr(instance, "_audit_before", None) is not None and not quiet:
        changes = audit.diff(instance._audit_before, audit.snapshot(instance, USER_AUDITED_FIELDS))
        if changes:
            audit.record(instance, "core.user.updated", by=by, changes=changes)
    instance._audit_before = None
    if password_changed and not raw:
        # A new password ends every credential issued under the old one.
        audit.record(instance, "core.user.password_changed", by=by)
        revoke_user_tokens(instance, RevokedReason.PASSWORD_CHANGED, by=by)


# --- Roles and permissions (many-to-many, from either side) -----------------------------------------

def _m2m_names(owner, field: str) -> list[str]:
    related = getattr(owner, field).all()
    if field in ("user_permissions", "permissions"):
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in related.select_related("content_type"))
    return sorted(str(o) for o in related)


def _m2m_changes(field: str, owner_model, instance, action, reverse, pk_set) -> list:
    """[(owner, {field: [old, new]})] once a many-to-many change is done; remembers the "before" on pre_*."""
    if _quiet(raw=False):
        return []
    if reverse:
        # Changed from the other side (group.user_set.add(user)): each owner row is affected.
        if pk_set is None:
            owners = list(owner_model.objects.filter(**{field: instance}))
        else:
            owners = list(owner_model.objects.filter(pk__in=pk_set))
    else:
        owners = [instance]
    if action.startswith("pre_"):
        instance._m2m_audit_before = {(o.pk, field): _m2m_names(o, field) for o in owners}
        instance._m2m_audit_owners = owners
        return []
    before = getattr(instance, "_m2m_audit_before", {})
    owners = getattr(instance, "_m2m_audit_owners", owners)
    changed = []
    for owner in owners:
        old = before.get((owner.pk, field), [])
        new = _m2m_names(owner, field)
        if old != new:
            changed.append((owner, {field: [old, new]}))
    return changed


M2M_ACTIONS = ("pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear")


@receiver(m2m_changed, sender=User.groups.through)
def audit_user_roles(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in M2M_ACTIONS:
        for user, changes in _m2m_changes("groups", User, instance, action, reverse, pk_set):
            audit.record(user, "core.user.roles_changed", by=audit.current_actor(), changes=changes)


@receiver(m2m_changed, sender=User.user_permissions.through)
def audit_user_permissions(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in M2M_ACTIONS:
        for user, changes in _m2m_changes("user_permissions", User, instance, action, reverse, pk_set):
            audit.record(user, "core.user.permissions_changed", by=audit.current_actor(), changes=changes)


@receiver(m2m_changed, sender=Group.permissions.through)
def audit_role_permissions(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in M2M_ACTIONS:
        for group, changes in _m2m_changes("permissions", Group, instance, action, reverse, pk_set):
            audit.record(group, "core.group.permissions_changed", by=audit.current_actor(), changes=changes)


@receiver(post_save, sender=Group)
def audit_role_saved(sender, instance, created, raw=False, **kwargs):
    if _quiet(instance, raw):
        return
    if created:
        audit.record(instance, "core.group.created", by=audit.current_actor(), changes={"name": instance.name})
    else:
        audit.record(instance, "core.group.updated", by=audit.current_actor(), changes={"name": instance.name})


@receiver(post_delete, sender=Group)
def audit_role_deleted(sender, instance, **kwargs):
    if not _quiet(instance):
        audit.record(instance, "core.group.deleted", by=audit.current_actor(), changes={"name": instance.name})


# --- Cached per-request settings (core.caching) are forgotten when their rows change -----------------

@receiver([post_save, post_delete], sender=Company)
def forget_company(sender, **kwargs):
    caching.forget_company()


@receiver([post_save, post_delete], sender=LegalEntity)
def forget_default_legal_entity(sender, **kwargs):
    caching.forget_default_legal_entity()


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
