"""Reads of core shared by the settings pages and the API."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core.models import User


def users_for_administration(*, q: str = "", active: str = "") -> QuerySet[User]:
    """Users with their roles (prefetched) and `two_factor_on`; `q` searches username, name and email;
    `active` is "true", "false" or "" (all)."""
    qs = User.objects.annotate(
        two_factor_on=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
    q = (q or "").strip()
    if q:
        for word in q.split():
            qs = qs.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                           | Q(last_name__icontains=word) | Q(email__icontains=word))
    if active == "true":
        qs = qs.filter(is_active=True)
    elif active == "false":
        qs = qs.filter(is_active=False)
    return qs.order_by("username", "pk")


def user_for_administration(pk: int) -> User | None:
    return users_for_administration().filter(pk=pk).first()
