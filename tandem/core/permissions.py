"""Roles as Django groups plus a RolePolicy. Each app declares which of its permissions each role
gets (AppConfig.role_permissions), so core never names upper apps."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from tandem.core.errors import AccessDenied
from tandem.core.models import RolePolicy
from tandem.core.roles import ACCOUNTANT, ADMINISTRATOR, ROLES, SALES_MANAGER, VIEWER

# Permissions core itself grants.
CORE_ROLE_PERMISSIONS = {
    ADMINISTRATOR: [
        "core.view_company", "core.change_company", "core.view_modulesetting", "core.change_modulesetting",
        "core.view_auditentry", "core.view_user", "core.add_user", "core.change_user", "core.delete_user",
        "core.view_legalentity", "core.add_legalentity", "core.change_legalentity",
        "core.view_exchangerate", "core.add_exchangerate",
    ],
    SALES_MANAGER: ["core.view_auditentry", "core.view_legalentity", "core.view_exchangerate"],
    ACCOUNTANT: [
        "core.view_auditentry", "core.view_legalentity", "core.add_legalentity", "core.change_legalentity",
        "core.view_exchangerate", "core.add_exchangerate",
    ],
    VIEWER: ["core.view_auditentry", "core.view_legalentity", "core.view_exchangerate"],
}  # fmt: skip


def role_permissions() -> dict[str, set[str]]:
    """{role: {"app_label.codename"}} merged from core and every app's AppConfig.role_permissions."""
    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    sources = [CORE_ROLE_PERMISSIONS] + [
        getattr(cfg, "role_permissions", {}) for cfg in apps.get_app_configs()
    ]
    for source in sources:
        for role, perms in source.items():
            merged[role].update(perms)
    return merged


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """Create or update the shipped roles' groups and permissions (idempotent; run after migrate)."""
    groups = {}
    for role, perms in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        RolePolicy.objects.get_or_create(group=group, defaults={"description": str(ROLES[role])})
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
        groups[role] = group
    return groups


def user_requires_two_factor(user) -> bool:
    return RolePolicy.objects.filter(group__user=user, requires_two_factor=True).exists()


def require_permission(user_or_request, perm: str) -> None:
    """Refuse with AccessDenied unless the user (or the request's user) holds `perm` ("app_label.codename").

    Services and endpoints call this one check. The API answers AccessDenied with 403
    {code: "permission_denied", ...}; a page answers 403 too (AccessDenied is a PermissionDenied)."""
    user = getattr(user_or_request, "user", user_or_request)
    if not user.has_perm(perm):
        raise AccessDenied()
