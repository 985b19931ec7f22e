import zoneinfo

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tandem.core import limits
from tandem.core.currencies import is_active_currency

# Column shapes of ARCHITECTURE.md "Money and quantities": amounts and quantities 18.4, unit prices and rates 18.6.
AMOUNT = {"max_digits": 18, "decimal_places": 4}
QUANTITY = AMOUNT
RATE = {"max_digits": 18, "decimal_places": 6}
_amount_message = lazy(limits.amount_message, str)


def amount_in_range(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    """The database holds core.limits' amount range: never negative, and at most what SQLite reads back
    exactly. A refusal (a race past the services' checks) answers 409 naming the field with the range."""
    condition = Q(**{f"{field}__gte": limits.MIN_AMOUNT, f"{field}__lte": limits.MAX_AMOUNT})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=_amount_message())


def validate_currency(value: str) -> None:
    """An ISO 4217 code in use today (CLDR data via babel, see core.currencies)."""
    if not is_active_currency(value):
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 country code (the territories phonenumbers knows)."""
    if value and value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(_("%(value)s is not an ISO 3166 country code."), params={"value": value})


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
    """Settings of this installation (one row): display name, language, time zone, base currency.

    The base currency is the one every total is converted to (deal board, CRM reports). It is the base
    currency of the default legal entity: core.services keeps the two equal whichever side changes."""

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
    # PROTECT: a user who has acted is deactivated, never deleted, so the trail keeps naming them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.PROTECT,
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


class RevokedReason(models.TextChoices):
    BY_OWNER = "by_owner", _("revoked by its owner")
    BY_ADMINISTRATOR = "by_administrator", _("revoked by an administrator")
    PASSWORD_CHANGED = "password_changed", _("the password was changed")
    USER_DEACTIVATED = "user_deactivated", _("the user was deactivated")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(
        _("why revoked"), max_length=32, choices=RevokedReason.choices, blank=True,
    )

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


class LoginThrottle(models.Model):
    """Failed sign-ins counted for one key within a window: an account from one address ("pair:…") or an
    account from anywhere ("account:…"). Attempts reserve a slot with one atomic UPDATE before the password
    is checked, so parallel guesses cannot exceed the limit."""

    key = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
class ExchangeRate(TrackedModel):
    """How many units of `quote_currency` one unit of `base_currency` buys on `date` (1 EUR = 1.0832 USD).

    A rate holds from its date until the pair's next row; core.money.convert picks the latest on or before
    the day it converts for."""

    base_currency = models.CharField(_("base currency"), max_length=3, validators=[validate_currency])
    quote_currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["-date", "base_currency", "quote_currency"]
        constraints = [
            models.UniqueConstraint(fields=["base_currency", "quote_currency", "date"],
                                    name="exchange_rate_one_per_pair_and_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            # core.limits: 15 significant digits, what SQLite reads back identically.
            models.CheckConstraint(condition=Q(rate__lte=limits.MAX_EXCHANGE_RATE), name="exchange_rate_range"),
            models.CheckConstraint(condition=~Q(base_currency=models.F("quote_currency")),
                                   name="exchange_rate_two_currencies"),
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 1 {self.base_currency} = {self.rate.normalize():f} {self.quote_currency}"


class LegalEntity(TrackedModel):
    """One of the business's own companies. Every ERP document will belong to one; exactly one is the default
    (a partial unique index), and its base currency is the installation's (Company.base_currency)."""

    class ValuationMethod(models.TextChoices):
        """How stock leaving a warehouse is costed (tandem.stock.valuation)."""

        MOVING_AVERAGE = "average", _("Moving average")
        FIFO = "fifo", _("FIFO (first in, first out)")

    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax ID"), max_length=32, blank=True,
                              help_text=_("VAT or tax number, checked for the country when its format is known."))
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    registered_address = models.TextField(_("registered address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True,
                                      help_text=_("Leave empty when letters go to the registered address."))
    base_currency = models.CharField(_("base currency"), max_length=3, default="EUR", validators=[validate_currency])
    country = models.CharField(_("default country"), max_length=2, blank=True, validators=[validate_country],
                               help_text=_("ISO 3166 code, e.g. DE. Phone numbers typed without a country code "
                                           "are read as numbers of this country."))
    logo = models.ImageField(_("logo"), upload_to="legal-entities/", blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    valuation_method = models.CharField(
        _("stock valuation"), max_length=16, choices=ValuationMethod.choices, default=ValuationMethod.MOVING_AVERAGE,
        help_text=_("How the cost of goods leaving stock is computed. Fixed once the entity has stock moves."))

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="one_default_legal_entity"),
        ]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return self.name


class LegalEntityBankAccount(TrackedModel):
    legal_entity = models.ForeignKey(LegalEntity, on_delete=models.CASCADE, related_name="bank_accounts",
                                     verbose_name=_("legal entity"))
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[validate_currency])

    class Meta:
        ordering = ["id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.iban}".strip()
