"""Bank and cash accounts, payments in and out, and their allocation to invoices.

A payment posts bank/cash against the receivable (or payable) account of its client at the payment's own rate;
allocating it to invoices lowers their `amount_due` in the same transaction. What is not allocated stays on the
payment as the client's credit (`unallocated_amount`), to be allocated later or refunded."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tandem.core.models import AMOUNT, RATE, ArchivableModel, TrackedModel, validate_currency


class PaymentAccount(ArchivableModel, TrackedModel):
    """Where money sits: a bank account (with its IBAN, for statements) or a cash box, with its ledger account."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.BANK)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account = models.ForeignKey("finance.Account", verbose_name=_("ledger account"), on_delete=models.PROTECT,
                                related_name="+")
    journal = models.ForeignKey("finance.Journal", verbose_name=_("journal"), on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["company_id", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="payment_account_name_once")]
        verbose_name = _("bank or cash account")
        verbose_name_plural = _("bank and cash accounts")

    def __str__(self) -> str:
        return self.name


class Payment(TrackedModel):
    class Direction(models.TextChoices):
        INCOMING = "in", pgettext_lazy("payment direction", "Incoming")
        OUTGOING = "out", pgettext_lazy("payment direction", "Outgoing")

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        REVERSED = "reversed", _("Reversed")

    TRANSITIONS = {Status.POSTED: {Status.REVERSED}}

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.POSTED)
    payment_account = models.ForeignKey(PaymentAccount, verbose_name=_("bank or cash account"),
                                        on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    rate = models.DecimalField(_("exchange rate"), default=Decimal(1), **RATE)
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # Not yet allocated to any invoice: the client's credit (incoming) or an advance to a supplier (outgoing).
    unallocated_amount = models.DecimalField(_("unallocated"), default=Decimal(0), **AMOUNT)
    entry = models.OneToOneField("finance.Entry", verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="payment")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(unallocated_amount__gte=0), name="payment_unallocated_not_negative"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="payment_rate_positive"),
        ]
        indexes = [models.Index(fields=["company", "date"], name="payment_company_date"),
                   models.Index(fields=["client", "date"], name="payment_client_date")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.number or f"{self.amount} {self.currency}"


class PaymentAllocation(TrackedModel):
    """Part of a payment (or of a credit note) settling an invoice, in the invoice currency.

    `exchange_difference` is the realised gain (positive) or loss in the base currency when the payment's rate
    differs from the invoice's; it is posted with the allocation."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="allocations")
    credit_note = models.ForeignKey("finance.Invoice", verbose_name=_("credit note"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="credit_allocations")
    invoice = models.ForeignKey("finance.Invoice", verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="allocations")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    exchange_difference = models.DecimalField(_("exchange difference"), default=Decimal(0), **AMOUNT)
    entry = models.ForeignKey("finance.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_reversed = models.BooleanField(_("undone"), default=False)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(condition=Q(payment__isnull=False) | Q(credit_note__isnull=False),
                                   name="allocation_has_source"),
        ]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice_id}"
