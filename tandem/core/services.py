"""Writes owned by core: login throttling, API tokens, company settings, module switches, users."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, caching, deletion
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ApiToken, Company, LoginFailure, User, user_language_choices
from tandem.core.permissions import require_permission

TOKEN_PREFIX = "tdm_"


# --- Login throttling -------------------------------------------------------------------------------

def login_locked_until(username: str):
    """When the username may try again, or None if it is not locked."""
    window = timedelta(minutes=settings.TANDEM_LOGIN_LOCKOUT_MINUTES)
    recent = LoginFailure.objects.filter(
        username__iexact=username, created_at__gte=timezone.now() - window
    ).order_by("-created_at")
    times = list(recent.values_list("created_at", flat=True)[: settings.TANDEM_LOGIN_MAX_FAILURES])
    if len(times) < settings.TANDEM_LOGIN_MAX_FAILURES:
        return None
    return times[0] + window


def authenticate_with_lockout(request, username: str, password: str):
    """Check a password unless the username is locked; record the failure otherwise.

    Raises BusinessRuleError("login_locked") while locked; returns the user or None."""
    locked_until = login_locked_until(username)
    if locked_until:
        raise BusinessRuleError(
            "login_locked",
            _("Too many failed attempts. Try again after %(time)s.")
            % {"time": f"{timezone.localtime(locked_until):%H:%M}"},
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username[:150], ip_address=_client_ip(request))
    else:
        LoginFailure.objects.filter(username__iexact=username).delete()
    return user


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") if request is not None else None


# --- API tokens -------------------------------------------------------------------------------------

def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(user: User, name: str, *, by: User) -> tuple[ApiToken, str]:
    """Return the token row and its secret; the secret is not stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("Give the token a name."), field="name")
    if len(name) > 100:
        raise BusinessRuleError("too_long", _("The name may have at most 100 characters."), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=secret[:12], key_hash=hash_token(secret))
        audit.record(token, "core.apitoken.created", by=by, changes={"name": name}, root=user)
    return token, secret


def revoke_api_token(token: ApiToken, *, by: User) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(token, "core.apitoken.revoked", by=by, root=token.user)
    return token


def user_for_token(secret: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Stamp at most once a minute: a write per API call would serialize SQLite readers.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Company ----------------------------------------------------------------------------------------

COMPANY_FIELDS = ("name", "base_currency", "language", "time_zone")


def current_company() -> Company | None:
    """The company row as cached (core.caching; forgotten when it is saved), None before it exists."""
    return caching.remember(caching.COMPANY_KEY, lambda: Company.objects.order_by("pk").first())


def get_company() -> Company:
    company = current_company()
    if company is None:
        company = Company.objects.create(name="My company")
    return company


def update_company(*, by: User, **values) -> Company:
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=get_company().pk)
        before = audit.snapshot(company, COMPANY_FIELDS)
        for field, value in values.items():
            if field not in COMPANY_FIELDS:
                raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": field}, field=field)
            setattr(company, field, value)
        company.full_clean()
        company.save()
        changes = audit.diff(before, audit.snapshot(company, COMPANY_FIELDS))
        if changes:
            audit.record(company, "core.company.updated", by=by, changes=changes)
    return company


PROFILE_FIELDS = ("first_name", "last_name", "email", "language")


def set_user_language(user: User, language: str) -> User:
    return update_profile(user, language=language)


def update_profile(user: User, **values) -> User:
    """A user's own name, email and language, in one transaction, audited."""
    unknown = sorted(set(values) - set(PROFILE_FIELDS))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    if "language" in values and values["language"] not in dict(user_language_choices()):
        message = _("Unsupported language %(language)s.") % {"language": values["language"]}
        raise BusinessRuleError("invalid_choice", message, field="language")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(locked, PROFILE_FIELDS)
        for field, value in values.items():
            setattr(locked, field, value.strip() if isinstance(value, str) else value)
        changes = audit.diff(before, audit.snapshot(locked, PROFILE_FIELDS))
        if changes:
            locked.save(update_fields=list(changes))
            audit.record(locked, "core.user.updated", by=locked, changes=changes)
    for field in values:
        setattr(user, field, getattr(locked, field))
    return user


# --- Users: deactivate rather than delete -----------------------------------------------------------


def _set_user_active(user: User, active: bool, *, by: User) -> User:
    require_permission(by, "core.change_user")
    if user.pk == by.pk and not active:
        raise BusinessRuleError("own_account", _("You cannot deactivate your own account."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            audit.record(locked, "core.user.reactivated" if active else "core.user.deactivated", by=by,
                         changes={"is_active": [not active, active]})
    user.is_active = locked.is_active
    return user


def deactivate_user(user: User, *, by: User) -> User:
    """The user can no longer log in or use API tokens, and leaves choice lists; what they did and own
    stays theirs. This is how a user who has acted leaves; restore with reactivate_user."""
    return _set_user_active(user, False, by=by)


def reactivate_user(user: User, *, by: User) -> User:
    return _set_user_active(user, True, by=by)


def delete_user(user: User, *, by: User) -> None:
    """Only a user who never acted (no audit entries, owns nothing) may be deleted; otherwise 409."""
    require_permission(by, "core.delete_user")
    if user.pk == by.pk:
        raise BusinessRuleError("own_account", _("You cannot delete your own account."))
    deletion.delete(user, by=by, changes={"username": user.username},
                    hint=_("Deactivate the user instead."))
