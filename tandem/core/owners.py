"""Who may own clients, leads and deals: active users holding a sales role.

One definition for the owner pickers (core.pickers.sales_users) and for the services that assign an owner
(parties: clients; crm: leads, deals), so the web UI and the API refuse the same people. Only a new or changed
owner is checked: a record keeps an owner who has since left or changed role until someone reassigns it."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.roles import SALES_MANAGER, SALES_REPRESENTATIVE

SALES_ROLES = (SALES_MANAGER, SALES_REPRESENTATIVE)


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def sales_users() -> QuerySet[User]:
    """Who may own clients, leads and deals: active users holding a sales role."""
    in_sales = Group.objects.filter(user=OuterRef("pk"), name__in=SALES_ROLES)
    return active_users().filter(Exists(in_sales))


def is_sales_user(user: User | None) -> bool:
    return user is not None and user.pk is not None and sales_users().filter(pk=user.pk).exists()


def check_owner(owner: User, *, field: str = "owner") -> None:
    """Refuse (400, on `field`) an owner who is not an active user with a sales role."""
    if is_sales_user(owner):
        return
    code = "inactive_owner" if not owner.is_active else "owner_not_in_sales"
    raise BusinessRuleError(
        code, _("%(user)s is not an active user with a sales role.") % {"user": owner.display_name}, field=field
    )
