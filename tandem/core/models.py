import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.currencies import ISO_4217_CODES


def validate_currency(value: str) -> None:
    if value not in ISO_4217_CODES:
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class TrackedModel(models.Model):
    """Who created a row and when it last changed; every business table inherits this."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True


class ArchiveQuerySet(models.QuerySet):
    """Rows of an archivable table: `.active()` for pickers and default lists."""

    # API ?archived= and the UI list filter: "false" (default) active rows, "true" archived ones, "all" both.
    STATES = ("false", "true", "all")

    def active(self):
        return self.filter(is_archived=False)

    def archived(self):
        return self.filter(is_archived=True)

    def in_archive_state(self, state: str | None):
        state = (state or "false").lower()
        if state == "all":
            return self
        return self.archived() if state == "true" else self.active()


class ArchivableModel(models.Model):
    """A record others refer to: it is archived (hidden from pickers and default lists, restorable), not
    deleted. Archive and restore through core.archive, which audits."""

    is_archived = models.BooleanField(_("archived"), default=False, db_index=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("archived by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = ArchiveQuerySet.as_manager()

    class Meta:
        abstract = True


# A user's language: one of settings.LANGUAGES, or empty for "whatever the browser asks for".
BROWSER_LANGUAGE = ""


def language_choices():
    # A callable, so that adding a language to settings.LANGUAGES needs no migration.
    return list(settings.LANGUAGES)


def user_language_choices():
    return [(BROWSER_LANGUAGE, _("Browser language")), *settings.LANGUAGES]


class User(AbstractUser):
    language = models.CharField(
        _("language"), max_length=8, choices=user_language_choices, blank=True, default=BROWSER_LANGUAGE,
        help_text=_("Empty: the language your browser asks for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        # Audit entries and choice lists show people by name, not by login.
        return self.display_name


class Company(models.Model):
    """The business running this installation (one row)."""

    name = models.CharField(_("name"), max_length=200)
    base_currency = models.CharField(
        _("base currency"), max_length=3, default="EUR", validators=[validate_currency]
    )
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class ModuleSetting(models.Model):
    """Whether a domain module is switched on. A missing row means on."""

    key = models.CharField(_("module"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    def __str__(self) -> str:
        return f"{self.key}: {'on' if self.enabled else 'off'}"


class RolePolicy(models.Model):
    """Settings of a role (a Django group) beyond its permissions."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="policy")
    requires_two_factor = models.BooleanField(_("requires two-factor authentication"), default=False)
    description = models.CharField(_("description"), max_length=255, blank=True)

    def __str__(self) -> str:
        return self.group.name


class AuditEntry(models.Model):
    """One change to a business record. Written by services in the change's transaction; never edited."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    # {field: [old, new]} for updates, {field: value} snapshots for create/delete.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The root record whose page shows this entry (a contact's change shows on its client's card).
    root_content_type = models.ForeignKey(ContentType, null=True, on_delete=models.PROTECT, related_name="+")
    root_object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["root_content_type", "root_object_id"]),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    @property
    def event(self) -> str:
        return self.action.rsplit(".", 1)[-1]


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed login attempt, kept to slow down password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} at {self.created_at:%Y-%m-%d %H:%M}"
