"""Two-factor authentication with TOTP apps (django-otp): set up, confirm, verify, disable, role policy.

A user has at most one confirmed TOTPDevice. Setting up creates an unconfirmed device (kept while the user
scans it, so reloading the page does not change the secret); a correct code confirms it."""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.core import audit, caching
from tandem.core.errors import BusinessRuleError
from tandem.core.models import RolePolicy, User
from tandem.core.permissions import user_requires_two_factor

DEVICE_NAME = "Authenticator app"
STEP_VERIFY = "verify"
STEP_SETUP = "setup"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_step(user) -> str | None:
    """What a logged-in user must still do in this session before using Tandem: STEP_VERIFY (enter a code
    from their app), STEP_SETUP (their role requires an app they have not set up) or None.

    Read on every request, so the user's device and role requirement come from the cache (core.caching)."""
    if not user.is_authenticated or user.is_verified():
        return None
    has_device, required = caching.remember_for_user(
        user, "two-factor", lambda: (has_two_factor(user), user_requires_two_factor(user))
    )
    if has_device:
        return STEP_VERIFY
    return STEP_SETUP if required else None


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (created on first call, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code (rendered here; no outside service sees the secret)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _code_problem(device: TOTPDevice, code: str) -> BusinessRuleError | None:
    """None if `code` is the device's current code (each code works once), else the refusal to raise.

    Callers raise it after their transaction commits: a wrong code must still count against the throttle."""
    code = (code or "").strip().replace(" ", "")
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
        return BusinessRuleError(
            "two_factor_throttled",
            _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": seconds},
            field="code",
        )
    if not device.verify_token(code):
        return BusinessRuleError(
            "invalid_code", _("The code is not valid. Enter the current code."), field="code"
        )
    return None


def confirm_device(device: TOTPDevice, code: str, *, by: User) -> TOTPDevice:
    """Confirm a device being set up with its current code; the user's other devices are removed."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=by)
        if device.confirmed:
            raise BusinessRuleError("already_confirmed", _("Two-factor authentication is already on."))
        problem = _code_problem(device, code)
        if problem is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
            audit.record(device.user, "core.user.two_factor_enabled", by=by)
    if problem is not None:
        raise problem
    return device


def verify_code(user: User, code: str) -> TOTPDevice:
    """The user's confirmed device if `code` is its current code; raises BusinessRuleError otherwise."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        )
        if device is None:
            raise BusinessRuleError("no_device", _("Two-factor authentication is not set up."))
        problem = _code_problem(device, code)
    if problem is not None:
        raise problem
    return device


def disable_two_factor(user: User, code: str, *, by: User) -> None:
    """Switch two-factor off for the user (needs a current code); refused while a role requires it."""
    if user_requires_two_factor(user):
        raise BusinessRuleError(
            "two_factor_required",
            _("Your role requires two-factor authentication; it cannot be switched off."),
        )
    device = verify_code(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record(user, "core.user.two_factor_disabled", by=by, changes={"device": device.name})


def set_role_requires_two_factor(group: Group, required: bool, *, by: User) -> RolePolicy:
    """Make two-factor authentication mandatory (or optional) for everyone in a role."""
    with transaction.atomic():
        policy, _created = RolePolicy.objects.select_for_update().get_or_create(group=group)
        old = policy.requires_two_factor
        if old != required:
            policy.requires_two_factor = required
            policy.save(update_fields=["requires_two_factor"])
            changes = {"requires_two_factor": [old, required]}
            audit.record(policy, "core.rolepolicy.updated", by=by, changes=changes)
    return policy
