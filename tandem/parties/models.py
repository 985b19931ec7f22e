from __future__ import annotations

import datetime

import phonenumbers
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.models import ArchivableModel, TrackedModel, validate_country, validate_currency
from tandem.core.search_keys import fold
from tandem.core.tax_ids import tax_id_key


class Source(ArchivableModel):
    """How a client first found us (website, referral, exhibition, …)."""

    class Channel(models.TextChoices):
        WEBSITE = "website", _("Website")
        REFERRAL = "referral", _("Referral")
        EXHIBITION = "exhibition", _("Exhibition")
        ADVERTISING = "advertising", _("Advertising")
        COLD_CALL = "cold_call", _("Cold call")
        SOCIAL = "social", _("Social media")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="source_name_unique_ci",
                                    violation_error_message=_("A source with this name exists already.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered in pickers: not archived (the API's `is_active` reads this)."""
        return not self.is_archived


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci",
                                    violation_error_message=_("A tag with this name exists already.")),
        ]

    def __str__(self) -> str:
        return self.name


class Client(ArchivableModel, TrackedModel):
    """The relationship with a customer; legal entities behind it are Counterparties."""

    class Kind(models.TextChoices):
        B2B = "b2b", _("Business (B2B)")
        B2C = "b2c", _("Consumer (B2C)")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices, default=Kind.B2B)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_clients"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="clients")
    first_source = models.ForeignKey(
        Source, verbose_name=_("source of first contact"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="clients",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("International format, e.g. +49 30 123456")
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The name folded (core.search_keys.fold: no case, no accents) for search and duplicates that can use an
    # index on every database (the composite indexes in Meta start with it).
    search_name = models.CharField(max_length=200, editable=False)
    # Counts changes: an edit based on an older version is refused (parties.services.update_client).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        permissions = [("view_all_clients", _("Can see clients of other owners (team visibility)"))]
        # Lists sort by (search_name, id) (parties.queries.CLIENT_SORTS): these indexes give the order
        # without a sort, let a LIMIT stop early and let deep pages skip rows in the index alone.
        indexes = [
            models.Index(fields=["search_name", "id"], name="parties_client_name_id_idx"),
            models.Index(fields=["owner", "search_name", "id"], name="parties_client_owner_name_idx"),
            models.Index(fields=["status", "search_name", "id"], name="parties_client_status_name_idx"),
            models.Index(fields=["email"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def own_channels(self) -> list[ContactChannel]:
        """The client's own channels (a general phone, an office e-mail), not those of its contact persons."""
        return [c for c in self.channels.all() if c.contact_id is None]

    def current_counterparty(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.counterparties.filter(Counterparty.valid_on(on)).order_by("-valid_from").first()


class Counterparty(ArchivableModel, TrackedModel):
    """A legal entity that contracts with us on behalf of a client, during [valid_from, valid_to]."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="counterparties"
    )
    legal_name = models.CharField(_("legal name"), max_length=255)
    tax_id = models.CharField(_("tax ID"), max_length=32, blank=True, db_index=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country],
        help_text=_("ISO 3166 code, e.g. PL; empty: the tax ID's prefix or our default legal entity's country."),
    )
    # The tax ID compact and without its country prefix (core.tax_ids.tax_id_key): duplicates and search compare it.
    tax_id_key = models.CharField(max_length=32, editable=False, blank=True, db_index=True)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    legal_address = models.TextField(_("legal address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty while it still contracts."))
    search_name = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("counterparty")
        verbose_name_plural = _("counterparties")
        indexes = [models.Index(fields=["registration_number"], name="parties_cp_registration_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="counterparty_valid_period",
                violation_error_message=_("'Valid to' must not be before 'valid from'."),
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.legal_name)
        self.tax_id_key = tax_id_key(self.tax_id)
        if kwargs.get("update_fields") is not None and {"legal_name", "tax_id"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name", "tax_id_key"}
        super().save(*args, **kwargs)

    @staticmethod
    def valid_on(day: datetime.date) -> Q:
        return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)


class BankAccount(TrackedModel):
    counterparty = models.ForeignKey(Counterparty, on_delete=models.CASCADE, related_name="bank_accounts")
    bank_name = models.CharField(_("bank"), max_length=200)
    account_number = models.CharField(_("account number / IBAN"), max_length=64)
    bic = models.CharField(_("BIC / SWIFT"), max_length=11, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])

    class Meta:
        ordering = ["id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"


class Contact(ArchivableModel, TrackedModel):
    """A person at a client we talk to; phones, e-mails and messengers are their channels (ContactChannel)."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    messengers = models.CharField(_("other messengers"), max_length=255, blank=True,
                                  help_text=_("Free text for what has no channel of its own."))
    search_name = models.CharField(max_length=201, editable=False, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        if kwargs.get("update_fields") is not None and {"first_name", "last_name"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    # The former fixed columns, read from the channels (API compatibility): the first (second) of a kind.
    def _nth(self, kind: str, n: int = 0) -> str:
        values = [c.value for c in self.channels.all() if c.kind == kind] if self.pk else []
        return values[n] if len(values) > n else ""

    @property
    def email(self) -> str:
        return self._nth(ContactChannel.Kind.EMAIL)

    @property
    def alternate_email(self) -> str:
        return self._nth(ContactChannel.Kind.EMAIL, 1)

    @property
    def phone(self) -> str:
        return self._nth(ContactChannel.Kind.OFFICE_PHONE)

    @property
    def mobile_phone(self) -> str:
        return self._nth(ContactChannel.Kind.MOBILE_PHONE)


class ContactChannel(models.Model):
    """One way to reach a contact person, or the client itself when `contact` is empty: a phone, an e-mail,
    a messenger or a social account. `value` is stored normalised (phones in E.164, e-mails in lower case,
    Telegram and Skype names without "@", URLs as typed); `search_value` is its search key (E.164 for
    phones and WhatsApp, otherwise lower case), indexed for search and duplicates."""

    class Kind(models.TextChoices):
        OFFICE_PHONE = "office_phone", _("Office phone")
        MOBILE_PHONE = "mobile_phone", _("Mobile phone")
        OTHER_PHONE = "other_phone", _("Other phone")
        EMAIL = "email", _("E-mail")
        TELEGRAM = "telegram", _("Telegram")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SKYPE = "skype", _("Skype")
        SOCIAL = "social", _("Social account (URL)")

    PHONE_KINDS = frozenset({Kind.OFFICE_PHONE, Kind.MOBILE_PHONE, Kind.OTHER_PHONE, Kind.WHATSAPP})

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="channels")
    contact = models.ForeignKey(Contact, verbose_name=_("contact person"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=255)
    search_value = models.CharField(max_length=255, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        indexes = [
            models.Index(fields=["search_value"], name="parties_channel_search_idx"),
            models.Index(fields=["client", "contact"], name="parties_channel_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_phone(self) -> bool:
        return self.kind in self.PHONE_KINDS

    @property
    def link(self) -> str:
        """What opens the channel: tel:, mailto:, https://t.me/…, https://wa.me/…, skype:…?chat, the URL."""
        kind, value = self.kind, self.value
        if kind in (self.Kind.OFFICE_PHONE, self.Kind.MOBILE_PHONE, self.Kind.OTHER_PHONE):
            return f"tel:{value}"
        if kind == self.Kind.EMAIL:
            return f"mailto:{value}"
        if kind == self.Kind.TELEGRAM:
            return f"https://t.me/{value}"
        if kind == self.Kind.WHATSAPP:
            return "https://wa.me/" + "".join(ch for ch in value if ch.isdigit())
        if kind == self.Kind.SKYPE:
            return f"skype:{value}?chat"
        return value

    @property
    def display(self) -> str:
        if self.is_phone:
            try:
                number = phonenumbers.parse(self.value)
            except phonenumbers.NumberParseException:
                return self.value
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if self.kind == self.Kind.TELEGRAM:
            return f"@{self.value}"
        return self.value
