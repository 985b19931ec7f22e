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
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, caching, deletion
from tandem.core.errors import BusinessRuleError, ConflictError, TwoFactorSetupRequired
from tandem.core.models import (
    BROWSER_LANGUAGE,
    ApiToken,
    Company,
    LegalEntity,
    LoginFailure,
    LoginThrottle,
    RevokedReason,
    User,
    user_language_choices,
)
from tandem.core.permissions import require_permission, user_requires_two_factor
from tandem.core.roles import ADMINISTRATOR

TOKEN_PREFIX = "tdm_"


# --- Login throttling -------------------------------------------------------------------------------
#
# Failures are counted per account AND source address ("pair"): a guesser locks out only their own address,
# not the account's owner. A higher per-account limit across all addresses slows a distributed attack; a
# browser the owner signed in from before (signed "known device" cookie) is exempt from that one. Each
# attempt reserves a slot with one atomic UPDATE before the password is checked, so parallel guesses get
# at most the limit of password checks.

KNOWN_DEVICE_COOKIE = "tandem_known_device"
KNOWN_DEVICE_SALT = "tandem.core.known-device"
KNOWN_DEVICE_MAX_AGE = 60 * 60 * 24 * 365


def _throttle_keys(username: str, ip: str | None) -> tuple[str, str]:
    name = (username or "").strip().lower()[:150]
    return f"pair:{name}|{ip or '-'}", f"account:{name}"


def _window() -> timedelta:
    return timedelta(minutes=settings.TANDEM_LOGIN_LOCKOUT_MINUTES)


def _reserve_attempt(key: str, limit: int) -> bool:
    """Count one attempt against `key` unless it has reached `limit` within the window (one atomic UPDATE)."""
    now = timezone.now()
    expired = Q(window_started_at__lt=now - _window())
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=key, failures=0, window_started_at=now)], ignore_conflicts=True
    )
    return bool(
        LoginThrottle.objects.filter(Q(key=key), Q(failures__lt=limit) | expired).update(
            failures=Case(When(expired, then=Value(1)), default=F("failures") + 1),
            window_started_at=Case(When(expired, then=Value(now)), default=F("window_started_at")),
        )
    )


def _release_attempt(key: str) -> None:
    LoginThrottle.objects.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)


def _locked_until(key: str):
    row = LoginThrottle.objects.filter(key=key).first()
    return row.window_started_at + _window() if row else timezone.now()


def known_device_user_id(request) -> int | None:
    """The user whose successful sign-in set this browser's known-device cookie, if it is genuine."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not value:
        return None
    try:
        return int(signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def known_device_cookie_value(user: User) -> str:
    return signing.dumps(user.pk, salt=KNOWN_DEVICE_SALT)


def login_locked_until(request, username: str):
    """When this browser may try `username` again, or None if it is not locked out."""
    pair_key, account_key = _throttle_keys(username, _client_ip(request))
    window_start = timezone.now() - _window()
    keys = [pair_key]
    if not _is_known_device(request, username):
        keys.append(account_key)
    limits = {pair_key: settings.TANDEM_LOGIN_MAX_FAILURES,
              account_key: settings.TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT}
    for row in LoginThrottle.objects.filter(key__in=keys, window_started_at__gte=window_start):
        if row.failures >= limits[row.key]:
            return row.window_started_at + _window()
    return None


def _is_known_device(request, username: str) -> bool:
    device_user = known_device_user_id(request)
    return device_user is not None and User.objects.filter(pk=device_user, username__iexact=username).exists()


def _locked_error(until) -> BusinessRuleError:
    return BusinessRuleError(
        "login_locked",
        _("Too many failed attempts. Try again after %(time)s.")
        % {"time": f"{timezone.localtime(until):%H:%M}"},
    )


def authenticate_with_lockout(request, username: str, password: str):
    """Check a password unless this account is locked for this address (or for everyone but its known
    devices); audit the outcome. Raises BusinessRuleError("login_locked") while locked; returns the user
    or None."""
    ip = _client_ip(request)
    pair_key, account_key = _throttle_keys(username, ip)
    if not _reserve_attempt(pair_key, settings.TANDEM_LOGIN_MAX_FAILURES):
        raise _locked_error(_locked_until(pair_key))
    counts_for_account = not _is_known_device(request, username)
    if counts_for_account and not _reserve_attempt(account_key, settings.TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        _release_attempt(pair_key)
        raise _locked_error(_locked_until(account_key))
    user = authenticate(request, username=username, password=password)
    account = user or User.objects.filter(username__iexact=username).order_by("pk").first()
    changes = {"username": username[:150], "ip": ip}
    with transaction.atomic():
        if user is None:
            LoginFailure.objects.create(username=username[:150], ip_address=ip)
            subject = account or LoginThrottle.objects.get(key=pair_key)
            audit.record(subject, "core.auth.login_failed", by=None, changes=changes)
        else:
            LoginThrottle.objects.filter(key=pair_key).delete()
            if counts_for_account:
                _release_attempt(account_key)
            audit.record(user, "core.auth.login_succeeded", by=user, changes=changes)
            if request is not None:
                # core.middleware.KnownDeviceMiddleware marks this browser as one of the user's devices.
                request.tandem_known_device_for = user
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


def revoke_api_token(token: ApiToken, *, by: User, reason: str | None = None) -> ApiToken:
    if reason is None:
        reason = RevokedReason.BY_OWNER if by.pk == token.user_id else RevokedReason.BY_ADMINISTRATOR
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_reason = reason
            token.save(update_fields=["revoked_at", "revoked_reason"])
            audit.record(token, "core.apitoken.revoked", by=by, root=token.user, changes={"reason": reason})
    return token


def revoke_user_tokens(user: User, reason: str, *, by: User | None) -> int:
    """Revoke every active token of `user` (after a password change, a deactivation); returns how many."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).order_by("pk"))
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.revoked_reason = reason
            token.save(update_fields=["revoked_at", "revoked_reason"])
            audit.record(token, "core.apitoken.revoked", by=by, root=user, changes={"reason": reason})
    return len(tokens)


def token_refusal(user: User) -> BusinessRuleError | None:
    """Why a valid token of `user` may not be used now: a role requiring two-factor while none is set up."""
    # The same cached pair as core.two_factor.pending_step reads for sessions: (has a device, role requires).
    has_device, required = caching.remember_for_user(
        user, "two-factor",
        lambda: (user.totpdevice_set.filter(confirmed=True).exists(), user_requires_two_factor(user)),
    )
    if required and not has_device:
        return TwoFactorSetupRequired(
            "two_factor_setup_required",
            _("Your role requires two-factor authentication. Set it up in your account before using API tokens."),
        )
    return None


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
    """Change the installation settings. A new base currency is also the default legal entity's (the two
    are one setting, see base_currency())."""
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
        if "base_currency" in changes:
            entity = LegalEntity.objects.select_for_update().filter(is_default=True).first()
            if entity is not None and entity.base_currency != company.base_currency:
                old = entity.base_currency
                entity.base_currency = company.base_currency
                entity.save(update_fields=["base_currency", "updated_at"])
                audit.record(entity, "core.legalentity.updated", by=by,
                             changes={"base_currency": [old, entity.base_currency]})
    return company


# --- Legal entities (reads; writes in core.legal_entities) -------------------------------------------

def default_legal_entity() -> LegalEntity:
    """The legal entity documents belong to unless another is chosen.

    An installation without one gets it made from its company settings (name, base currency), like
    get_company(); exactly one row is the default (partial unique index one_default_legal_entity)."""
    entity = LegalEntity.objects.filter(is_default=True).first()
    if entity is None:
        company = get_company()
        try:
            with transaction.atomic():
                entity = LegalEntity.objects.create(name=company.name, base_currency=company.base_currency,
                                                    is_default=True)
                audit.record(entity, "core.legalentity.created", by=None,
                             changes={"name": entity.name, "base_currency": entity.base_currency})
        except IntegrityError:  # another request made it first (unique index one_default_legal_entity)
            entity = LegalEntity.objects.get(is_default=True)
    return entity


def _default_entity_settings() -> dict | None:
    """{base_currency, country} of the default legal entity, cached (core.caching; forgotten when an entity
    is saved); None while there is none."""
    return caching.remember(caching.DEFAULT_LEGAL_ENTITY_KEY, lambda: LegalEntity.objects.filter(is_default=True)
                            .values("base_currency", "country").first())


def base_currency() -> str:
    """The currency totals are converted to: the default legal entity's base currency, which core keeps
    equal to Company.base_currency (setting either changes both)."""
    settings_ = _default_entity_settings()
    if settings_:
        return settings_["base_currency"]
    company = current_company()  # a read never creates the company row
    return company.base_currency if company else Company._meta.get_field("base_currency").default


def default_country() -> str:
    """The default legal entity's country (ISO 3166 alpha-2), "" when none is set; phone numbers written
    without a country code are read as numbers of this country."""
    settings_ = _default_entity_settings()
    return settings_["country"] if settings_ else ""


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
            audit.mute_user_signals(locked)  # audited here, with the service's own action code
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
            audit.mute_user_signals(locked)  # audited here, with its own action code
            locked.save(update_fields=["is_active"])
            _ensure_an_administrator_remains(was_administrator)
            audit.record(locked, "core.user.reactivated" if active else "core.user.deactivated", by=by,
                         changes={"is_active": [not active, active]})
        if not active:
            # Credentials end with the account: reactivation does not bring old tokens back.
            revoke_user_tokens(locked, RevokedReason.USER_DEACTIVATED, by=by)
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
        language = values["language"] or BROWSER_LANGUAGE  # empty or null: the browser's language
        if language not in dict(user_language_choices()):
            message = _("Unsupported language %(language)s.") % {"language": language}
            raise BusinessRuleError("invalid_choice", message, field="language")
        cleaned["language"] = language
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
                                    "language": language or BROWSER_LANGUAGE})
    groups = _resolve_roles(roles)
    generated = None
    if not password:
        password = generated = generate_password()
    user = User(username=username, **values)
    _check_password(password, user)
    with transaction.atomic(), audit.signals_muted():  # audited here, with the roles, in one entry
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
        if values["is_active"] is None:
            raise BusinessRuleError("required", _("This field cannot be empty."), field="is_active")
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
        with audit.signals_muted():  # audited below, with the service's own action code
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
        if not locked.is_active and "is_active" in changes:
            # Credentials end with the account, as with deactivate_user.
            revoke_user_tokens(locked, RevokedReason.USER_DEACTIVATED, by=by)
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
        # Credentials issued under the old password end with it (as core.signals does for other changes).
        revoked = revoke_user_tokens(locked, RevokedReason.PASSWORD_CHANGED, by=by)
        locked.set_password(password)
        audit.mute_user_signals(locked)  # audited here as a reset, not also as a change of one's own
        locked.save(update_fields=["password"])
        audit.record(locked, "core.user.password_reset", by=by,
                     changes={"generated": [None, generated is not None], "revoked_tokens": [None, revoked]})
    user.password = locked.password
    return generated, revoked
