"""Reads of monthly sales targets: a manager sees everyone's, a representative only their own."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from tandem.core import roles
from tandem.core.models import User
from tandem.crm.models import SalesTarget


def visible_targets(user) -> QuerySet[SalesTarget]:
    if not user.has_perm("crm.view_salestarget"):
        return SalesTarget.objects.none()
    if user.has_perm("crm.view_all_deals"):
        return SalesTarget.objects.all()
    return SalesTarget.objects.filter(user=user)


def representatives() -> QuerySet[User]:
    """The active members of the Sales representative role, by name."""
    return (User.objects.filter(is_active=True, groups__name=roles.SALES_REPRESENTATIVE).distinct()
            .order_by("first_name", "last_name", "username"))


def targets_of_month(user, month: datetime.date) -> list[dict]:
    """One row per representative the user may see, with their target for the month (None when unset).
    Two queries."""
    reps = representatives()
    if not user.has_perm("crm.view_all_deals"):
        reps = reps.filter(pk=user.pk)
    targets = {t.user_id: t for t in visible_targets(user).filter(month=month)}
    return [{"user": rep, "target": targets.get(rep.pk)} for rep in reps]
