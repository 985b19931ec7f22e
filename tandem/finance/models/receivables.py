"""Receivables: credit limits per client, the credit policy of a legal entity, dunning levels and reminders.

Aging and the overdue list are reads of `Invoice.amount_due` (finance.receivables.queries); these tables hold
what those reads cannot: how much credit a client gets, what happens when an order goes over it, and which
reminder each overdue invoice has had."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, TrackedModel, amount_in_range, validate_currency


class CreditPolicy(TrackedModel):
    """What a legal entity does when an order would take a client over its credit limit."""

    class Mode(models.TextChoices):
        REFUSE = "refuse", _("Refuse the order")
        APPROVAL = "approval", _("Require a manager's approval")

    company = models.OneToOneField("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                   related_name="+")
    mode = models.CharField(_("over the limit"), max_length=10, choices=Mode.choices, default=Mode.REFUSE)

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policies")
        permissions = [
            ("view_receivables", _("Can read aging, overdue invoices and client exposure")),
            ("override_credit_limit", _("Can confirm an order over a client's credit limit")),
        ]

    def __str__(self) -> str:
        return str(self.get_mode_display())


class CreditLimit(TrackedModel):
    """One per client: how much it may owe us (open invoices less unallocated payments, plus the order being
    confirmed) and how much of it may be overdue. No row: no limit."""

    client = models.OneToOneField("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                                  related_name="+")
    amount = models.DecimalField(_("credit limit"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    max_overdue = models.DecimalField(_("maximum overdue"), null=True, blank=True, **AMOUNT,
                                      help_text=_("In the limit's currency; empty: any overdue amount."))
    max_days_overdue = models.PositiveIntegerField(_("maximum days overdue"), null=True, blank=True,
                                                   help_text=_("Refuse when an invoice is overdue longer."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            amount_in_range("amount", "credit_limit_amount_range"),
            amount_in_range("max_overdue", "credit_limit_max_overdue_range", nullable=True),
            models.CheckConstraint(condition=Q(max_days_overdue__lte=36500) | Q(max_days_overdue__isnull=True),
                                   name="credit_limit_days_range"),
        ]
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class DunningLevel(TrackedModel):
    """A step of the reminder ladder of a legal entity: from `days_overdue` days after the due date, this
    reminder (text with {number}, {amount}, {due_date}, {days}, {client} placeholders) and an optional fee."""

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("reminder text"), help_text=_(
        "Placeholders: {number}, {amount}, {due_date}, {days}, {client}."))
    fee = models.DecimalField(_("fee"), null=True, blank=True, **AMOUNT)
    fee_currency = models.CharField(_("fee currency"), max_length=3, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["company_id", "days_overdue"]
        constraints = [
            models.UniqueConstraint(fields=["company", "days_overdue"], name="dunning_level_days_once"),
            models.CheckConstraint(condition=Q(days_overdue__gte=1, days_overdue__lte=36500),
                                   name="dunning_level_days_range"),
            amount_in_range("fee", "dunning_level_fee_range", nullable=True),
        ]
        verbose_name = _("dunning level")
        verbose_name_plural = _("dunning levels")

    def __str__(self) -> str:
        return self.name


class DunningReminder(TrackedModel):
    """A reminder of one level for one invoice: proposed by a dunning run, sent when the run sends. An invoice
    never gets the same level twice (unique), so running again the same day changes nothing."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SENT = "sent", _("Sent")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    invoice = models.ForeignKey("finance.Invoice", verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="reminders")
    level = models.ForeignKey(DunningLevel, verbose_name=_("level"), on_delete=models.PROTECT,
                              related_name="reminders")
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    run_date = models.DateField(_("run date"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    amount_due = models.DecimalField(_("amount due"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    fee = models.DecimalField(_("fee"), default=Decimal(0), **AMOUNT)
    text = models.TextField(_("reminder text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # The level's fee charged to the client when sent: a customer invoice of its own (receivable ↔ other income),
    # so the receivable account stays the sum of open customer balances.
    fee_invoice = models.OneToOneField("finance.Invoice", verbose_name=_("fee invoice"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="dunning_fee_of")

    class Meta:
        ordering = ["-run_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "level"], name="dunning_reminder_level_once")]
        indexes = [models.Index(fields=["company", "run_date"], name="dunning_reminder_run"),
                   models.Index(fields=["client", "run_date"], name="dunning_reminder_client")]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        permissions = [("run_dunning", _("Can run dunning and send reminders"))]

    def __str__(self) -> str:
        return f"{self.level} · {self.invoice}"
