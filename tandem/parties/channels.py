"""Contact channels (phones, e-mails, messengers, social accounts): each checked by its kind and stored in one
form, so that duplicates and search find it however it was typed.

- phones and WhatsApp: parsed with `phonenumbers` (a number without a country code in the default legal
  entity's country) and stored in E.164;
- e-mail: a valid address, lower case;
- Telegram: a username (5–32 letters, digits, "_"), typed as "@name", "name" or "https://t.me/name";
- Skype: a Skype name (6–32 characters from a letter, or "live:…");
- social account: an http(s) URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from tandem.core.errors import BusinessRuleError
from tandem.parties.models import ContactChannel
from tandem.parties.phones import format_phone, normalize_phone

Kind = ContactChannel.Kind
MAX_CHANNELS = 30
_TELEGRAM = re.compile(r"^(?:https?://)?(?:t\.me/|telegram\.me/)?@?([A-Za-z][A-Za-z0-9_]{4,31})/?$")
_SKYPE = re.compile(r"^(?:skype:)?((?:live:[A-Za-z0-9._\-:]{1,64})|[A-Za-z][A-Za-z0-9.,_\-]{5,31})(?:\?chat)?$")


@dataclass(frozen=True)
class CleanChannel:
    kind: str
    value: str
    search_value: str


def _refuse(kind: str, raw: str, field: str) -> BusinessRuleError:
    messages = {
        Kind.EMAIL: _("“%(value)s” is not an e-mail address."),
        Kind.TELEGRAM: _("“%(value)s” is not a Telegram username (5–32 letters, digits or _, e.g. @anna_k)."),
        Kind.SKYPE: _("“%(value)s” is not a Skype name (6–32 characters starting with a letter, or live:…)."),
        Kind.SOCIAL: _("“%(value)s” is not a web address (https://…)."),
    }
    # An e-mail keeps the code of Django's e-mail check ("invalid"), as before channels.
    return BusinessRuleError(
        "invalid" if kind == Kind.EMAIL else "invalid_channel", messages[kind] % {"value": raw}, field=field
    )


def clean_channel(kind: str, raw: str, *, field: str = "channels") -> CleanChannel | None:
    """The channel in its stored form; None for an empty value; refused naming `field` when invalid."""
    raw = (raw or "").strip()
    if kind not in Kind.values:
        raise BusinessRuleError(
            "invalid_channel", _("“%(kind)s” is not a kind of contact channel.") % {"kind": kind}, field=field
        )
    if not raw:
        return None
    if len(raw) > 255:
        raise BusinessRuleError("too_long", _("A channel may have at most 255 characters."), field=field)
    if kind in ContactChannel.PHONE_KINDS:
        value = normalize_phone(raw, field=field)
        return CleanChannel(kind, value, value)
    if kind == Kind.EMAIL:
        value = raw.lower()
        try:
            EmailValidator()(value)
        except ValidationError:
            raise _refuse(kind, raw, field) from None
        return CleanChannel(kind, value, value)
    if kind == Kind.TELEGRAM:
        match = _TELEGRAM.match(raw)
        if not match:
            raise _refuse(kind, raw, field)
        return CleanChannel(kind, match.group(1), match.group(1).lower())
    if kind == Kind.SKYPE:
        match = _SKYPE.match(raw)
        if not match:
            raise _refuse(kind, raw, field)
        return CleanChannel(kind, match.group(1), match.group(1).lower())
    value = raw if "://" in raw else f"https://{raw}"
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise _refuse(kind, raw, field) from None
    return CleanChannel(kind, value, value.lower())


def clean_channels(channels, *, field: str = "channels") -> list[CleanChannel]:
    """A list of {kind, value} (or (kind, value) pairs) checked in order; empty values dropped, repeats kept once."""
    cleaned: list[CleanChannel] = []
    seen = set()
    for item in channels or ():
        kind, value = (item.get("kind"), item.get("value")) if isinstance(item, dict) else item
        channel = clean_channel(kind or "", value or "", field=field)
        if channel is not None and (channel.kind, channel.search_value) not in seen:
            seen.add((channel.kind, channel.search_value))
            cleaned.append(channel)
    if len(cleaned) > MAX_CHANNELS:
        raise BusinessRuleError("too_many", _("At most %(count)s channels.") % {"count": MAX_CHANNELS}, field=field)
    return cleaned


# The former fixed contact columns: which channel each one reads and writes (the n-th of a kind).
LEGACY_CONTACT_FIELDS = {
    "email": (Kind.EMAIL, 0), "alternate_email": (Kind.EMAIL, 1),
    "phone": (Kind.OFFICE_PHONE, 0), "mobile_phone": (Kind.MOBILE_PHONE, 0),
}  # fmt: skip


def apply_legacy_fields(channels: list[CleanChannel], values: dict) -> list[CleanChannel]:
    """Channels after setting the former columns present in `values` (email="…" replaces the first e-mail,
    "" removes it, a value where there was none adds one). Each is checked naming its own field."""
    channels = list(channels)
    for name, (kind, n) in LEGACY_CONTACT_FIELDS.items():
        if name not in values:
            continue
        new = clean_channel(kind, values[name] or "", field=name)
        positions = [i for i, c in enumerate(channels) if c.kind == kind]
        if n < len(positions):
            if new is None:
                del channels[positions[n]]
            else:
                channels[positions[n]] = new
        elif new is not None:
            channels.append(new)
    return channels


def as_clean(channels) -> list[CleanChannel]:
    return [CleanChannel(c.kind, c.value, c.search_value) for c in channels]


def describe(channels) -> list[str]:
    """For the audit log: "kind: value" per channel, in order."""
    return [f"{c.kind}: {c.value}" for c in channels]


def describe_for_people(items) -> str:
    """An audit value ["mobile_phone: +4915123456789", …] in words: "Mobile phone +49 151 23456789; …"."""
    labels = dict(Kind.choices)
    shown = []
    for item in items if isinstance(items, list) else [items]:
        kind, _sep, value = str(item).partition(": ")
        if kind in ContactChannel.PHONE_KINDS:
            value = format_phone(value)
        shown.append(f"{labels.get(kind, kind)} {value}".strip())
    return "; ".join(shown)
