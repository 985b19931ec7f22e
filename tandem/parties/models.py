import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.models import ArchivableModel, TrackedModel, validate_currency


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

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered in pickers: not archived (the API's `is_active` reads this)."""
        return not self.is_archived


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

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
    # Lower-cased name for case-insensitive search that can use an index on every database (the composite
    # indexes in Meta start with it).
    search_name = models.CharField(max_length=200, editable=False)

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
        self.search_name = self.name.lower()
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

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
        self.search_name = self.legal_name.lower()
        if kwargs.get("update_fields") is not None and "legal_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
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
    """A person at a client we talk to."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    alternate_email = models.EmailField(_("alternate email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=32, blank=True, db_index=True)
    messengers = models.CharField(_("messengers"), max_length=255, blank=True,
                                  help_text=_("e.g. Telegram @ivan, WhatsApp +79001234567"))
    search_name = models.CharField(max_length=201, editable=False, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        indexes = [models.Index(fields=["alternate_email"], name="parties_contact_alt_email_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        self.search_name = self.full_name.lower()
        if kwargs.get("update_fields") is not None and {"first_name", "last_name"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)
