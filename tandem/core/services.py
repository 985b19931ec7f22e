"""Writes owned by core: login throttling, API tokens, company settings, module switches, users."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, caching, deletion
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import ApiToken, Company, LoginFailure, User
from tandem.core.permissions import require_permission
from tandem.core.roles import ADMINISTRATOR

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


def revoke_all_api_tokens(user: User, *, by: User) -> int:
    """Revoke every active token of `user` (after a password reset or change); returns how many."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user").order_by("pk"))
    for token in tokens:
        revoke_api_token(token, by=by)
    return len(tokens)


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
    if "language" in values and values["language"] not in dict(settings.LANGUAGES):
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

def _is_active_administrator(user: User) -> bool:
    return user.is_active and user.groups.filter(name=ADMINISTRATOR).exists()


def _ensure_an_administrator_remains(was_administrator: bool) -> None:
    """Called inside a user change's transaction, after the change: if the user was an active administrator,
    refuse (409, rolled back) when no active administrator would be left to manage users."""
    if not was_administrator:
        return
    # Lock the role's row: two administrators demoting each other at once are serialized.
    Group.objects.select_for_update().filter(name=ADMINISTRATOR).first()
    if not User.objects.filter(is_active=True, groups__name=ADMINISTRATOR).exists():
        raise ConflictError("last_administrator",
                            _("At least one active administrator must remain."))


def _set_user_active(user: User, active: bool, *, by: User) -> User:
    require_permission(by, "core.change_user")
    if user.pk == by.pk and not active:
        raise BusinessRuleError("own_account", _("You cannot deactivate your own account."), field="is_active")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active != active:
            was_administrator = _is_active_administrator(locked)
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            _ensure_an_administrator_remains(was_administrator)
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


# --- Users: managed by administrators ---------------------------------------------------------------

USER_FIELDS = ("first_name", "last_name", "email", "language", "is_active", "roles")


def generate_password() -> str:
    """A random password for an administrator to hand over once (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


def _clean_username(username: str, *, exclude_pk: int | None = None) -> str:
    username = (username or "").strip()
    if not username:
        raise BusinessRuleError("required", _("Enter a username."), field="username")
    if len(username) > 150:
        raise BusinessRuleError("too_long", _("The username may have at most 150 characters."), field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise BusinessRuleError(
            "invalid", _("A username may contain only letters, digits and @ . + - _ characters."), field="username"
        ) from None
    taken = User.objects.filter(username__iexact=username).exclude(pk=exclude_pk)
    if taken.exists():
        raise ConflictError("duplicate", _("The username %(username)s is already taken.") % {"username": username},
                            field="username")
    return username


def _clean_profile_values(values: dict) -> dict:
    cleaned = {}
    for field in ("first_name", "last_name"):
        if field in values:
            value = (values[field] or "").strip()
            if len(value) > 150:
                raise BusinessRuleError("too_long", _("At most 150 characters."), field=field)
            cleaned[field] = value
    if "email" in values:
        email = (values["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise BusinessRuleError("invalid", _("Enter a valid email address."), field="email") from None
        cleaned["email"] = email
    if "language" in values:
        if values["language"] not in dict(settings.LANGUAGES):
            message = _("Unsupported language %(language)s.") % {"language": values["language"]}
            raise BusinessRuleError("invalid_choice", message, field="language")
        cleaned["language"] = values["language"]
    return cleaned


def _resolve_roles(roles) -> list[Group]:
    """Role names (or groups) to groups; an unknown name is refused naming it."""
    names = sorted({role.name if isinstance(role, Group) else str(role) for role in roles or ()})
    groups = {group.name: group for group in Group.objects.filter(name__in=names)}
    unknown = [name for name in names if name not in groups]
    if unknown:
        raise BusinessRuleError("invalid_choice", _("Unknown role %(role)s.") % {"role": unknown[0]}, field="roles")
    return [groups[name] for name in names]


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BusinessRuleError("invalid_password", " ".join(exc.messages), field="password") from None


def _role_names(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def create_user(*, by: User, username: str, first_name: str = "", last_name: str = "", email: str = "",
                language: str | None = None, roles=(), password: str | None = None) -> tuple[User, str | None]:
    """Create a user with roles. Without a password one is generated and returned (shown once, never
    stored in clear); with one, None is returned in its place."""
    require_permission(by, "core.add_user")
    username = _clean_username(username)
    values = _clean_profile_values({"first_name": first_name, "last_name": last_name, "email": email,
                                    "language": language or get_company().language})
    groups = _resolve_roles(roles)
    generated = None
    if not password:
        password = generated = generate_password()
    user = User(username=username, **values)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.groups.set(groups)
        audit.record(user, "core.user.created", by=by, changes={
            "username": [None, username], **{field: [None, value] for field, value in values.items() if value},
            "roles": [[], [group.name for group in groups]],
        })
    return user, generated


def update_user(user: User, *, by: User, **values) -> User:
    """An administrator changes a user's name, email, language, roles or active flag, audited; deactivating
    oneself or leaving no active administrator is refused."""
    require_permission(by, "core.change_user")
    unknown = sorted(set(values) - set(USER_FIELDS))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    cleaned = _clean_profile_values(values)
    if "is_active" in values:
        cleaned["is_active"] = bool(values["is_active"])
        if user.pk == by.pk and not cleaned["is_active"]:
            raise BusinessRuleError("own_account", _("You cannot deactivate your own account."), field="is_active")
    groups = _resolve_roles(values["roles"]) if "roles" in values and values["roles"] is not None else None
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        fields = [field for field in cleaned]
        before = {**audit.snapshot(locked, fields), "roles": _role_names(locked)}
        was_administrator = _is_active_administrator(locked)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        if fields:
            locked.save(update_fields=fields)
        if groups is not None:
            locked.groups.set(groups)
        after = {**audit.snapshot(locked, fields), "roles": _role_names(locked)}
        changes = audit.diff(before, after)
        if changes:
            _ensure_an_administrator_remains(was_administrator)
            if list(changes) != ["is_active"]:
                audit.record(locked, "core.user.updated", by=by, changes=changes)
            elif locked.is_active:
                audit.record(locked, "core.user.reactivated", by=by, changes=changes)
            else:
                audit.record(locked, "core.user.deactivated", by=by, changes=changes)
    for field, value in cleaned.items():
        setattr(user, field, value)
    return user


def reset_password(user: User, *, by: User, password: str | None = None) -> tuple[str | None, int]:
    """An administrator sets a user's password (or has one generated). The user's sessions end (Django's
    session hash) and their API tokens are revoked. Returns (generated password or None, tokens revoked)."""
    require_permission(by, "core.change_user")
    generated = None
    if not password:
        password = generated = generate_password()
    _check_password(password, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        revoked = revoke_all_api_tokens(locked, by=by)
        audit.record(locked, "core.user.password_reset", by=by,
                     changes={"generated": [None, generated is not None], "revoked_tokens": [None, revoked]})
    user.password = locked.password
    return generated, revoked
