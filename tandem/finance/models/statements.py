"""Bank statements imported from the bank (CSV, MT940, CAMT.053) and their lines, matched to open invoices.

A line is `unmatched` when imported, `suggested` when open invoices fit it (amount, invoice number in the
remittance text, the payer's IBAN or name), `confirmed` once a person accepted a match (a payment was
registered from it) and `ignored` when it needs no payment (bank fees booked otherwise, transfers).
Importing the same file or the same line twice creates nothing twice: each line keeps a key made of the
payment account, date, amount, reference and the bank's transaction id (unique per payment account)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, TrackedModel, validate_currency


class BankStatement(TrackedModel):
    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        MT940 = "mt940", _("MT940")
        CAMT053 = "camt053", _("CAMT.053")

    payment_account = models.ForeignKey("finance.PaymentAccount", verbose_name=_("bank account"),
                                        on_delete=models.PROTECT, related_name="statements")
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    reference = models.CharField(_("statement reference"), max_length=100, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    opening_balance = models.DecimalField(_("opening balance"), null=True, blank=True, **AMOUNT)
    closing_balance = models.DecimalField(_("closing balance"), null=True, blank=True, **AMOUNT)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_hash = models.CharField(_("file hash"), max_length=64)
    line_count = models.PositiveIntegerField(_("lines"), default=0)

    class Meta:
        ordering = ["-date_to", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["payment_account", "file_hash"], name="bank_statement_file_once"),
            models.CheckConstraint(condition=Q(date_to__gte=models.F("date_from")), name="bank_statement_range"),
        ]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")

    def __str__(self) -> str:
        return self.reference or f"{self.date_from:%Y-%m-%d} – {self.date_to:%Y-%m-%d}"


class BankStatementLine(TrackedModel):
    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("Unmatched")
        SUGGESTED = "suggested", _("Suggested")
        CONFIRMED = "confirmed", _("Confirmed")
        IGNORED = "ignored", _("Ignored")

    # A reversed payment sends its line back to be matched again.
    TRANSITIONS = {
        Status.UNMATCHED: {Status.SUGGESTED, Status.CONFIRMED, Status.IGNORED},
        Status.SUGGESTED: {Status.UNMATCHED, Status.CONFIRMED, Status.IGNORED},
        Status.CONFIRMED: {Status.UNMATCHED},
        Status.IGNORED: {Status.UNMATCHED, Status.SUGGESTED},
    }
    OPEN_STATUSES = (Status.UNMATCHED, Status.SUGGESTED)

    statement = models.ForeignKey(BankStatement, verbose_name=_("statement"), on_delete=models.CASCADE,
                                  related_name="lines")
    payment_account = models.ForeignKey("finance.PaymentAccount", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    # Signed: money in is positive, money out negative.
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    counterparty_name = models.CharField(_("name"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=500, blank=True)
    transaction_id = models.CharField(_("bank transaction id"), max_length=100, blank=True)
    dedupe_key = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNMATCHED)
    suggested_invoices = models.ManyToManyField("finance.Invoice", verbose_name=_("suggested invoices"),
                                                blank=True, related_name="+", through="BankLineSuggestion")
    payment = models.ForeignKey("finance.Payment", verbose_name=_("payment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="statement_lines")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment_account", "dedupe_key"], name="bank_line_once"),
            models.CheckConstraint(condition=~Q(amount=0), name="bank_line_amount_not_zero"),
        ]
        indexes = [models.Index(fields=["statement", "status"], name="bank_line_statement_status")]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.amount} {self.currency}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class BankLineSuggestion(models.Model):
    """An open invoice suggested for a line, with how well it fits (finance.banking.statements.score)."""

    line = models.ForeignKey(BankStatementLine, on_delete=models.CASCADE, related_name="suggestions")
    invoice = models.ForeignKey("finance.Invoice", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line_id", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["line", "invoice"], name="bank_line_suggestion_once")]

    def __str__(self) -> str:
        return f"{self.line_id} → {self.invoice_id} ({self.score})"
