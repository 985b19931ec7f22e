"""The general ledger of each of our legal entities: chart of accounts, journals, fiscal years and periods,
double-entry journal entries.

Guarantees (enforced by finance.services, the only writer):
- an entry balances: in the base currency debits equal credits exactly, and each foreign currency's signed
  amounts add up to zero;
- a posted entry is never edited; a reversing entry corrects it;
- a closed period refuses postings; numbers are gapless per journal and fiscal year;
- AccountBalance holds, per account and period, the sums of the posted lines (maintained in the posting
  transaction), so reports add a few hundred rows instead of millions of lines.
Entries point to their origin (an invoice, a stock move) by content type + id: finance names no upper app."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, RATE, ArchivableModel, TrackedModel, validate_currency


class Account(ArchivableModel, TrackedModel):
    class Type(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Subtype(models.TextChoices):
        NONE = "", _("Other")
        RECEIVABLE = "receivable", _("Receivable")
        PAYABLE = "payable", _("Payable")
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")
        INVENTORY = "inventory", _("Inventory")
        FIXED_ASSET = "fixed_asset", _("Fixed asset")
        TAX = "tax", _("Tax")
        RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")
        SALES = "sales", _("Sales")
        COGS = "cogs", _("Cost of goods sold")
        # The stock bridge (stock_accounting) credits goods received here until the supplier's invoice comes,
        # and books stock found, lost or broken against the stock adjustment account.
        GOODS_RECEIVED = "goods_received", _("Goods received not invoiced")
        STOCK_ADJUSTMENT = "stock_adjustment", _("Stock adjustments")
        OPERATING_EXPENSE = "operating_expense", _("Operating expense")
        FINANCIAL = "financial", _("Financial income or expense")
        LOAN = "loan", _("Loans and borrowings")
        # Production (issue #15): components consumed sit in work in progress until the output is produced;
        # the difference between standard and actual cost goes to production variances.
        WORK_IN_PROGRESS = "work_in_progress", _("Work in progress")
        PRODUCTION_VARIANCE = "production_variance", _("Production variances")
        # Work-centre time booked on production orders: Dr work in progress / Cr this (labour and overhead
        # absorbed into products instead of staying an expense).
        PRODUCTION_ABSORPTION = "production_absorption", _("Labour and overhead absorbed")
        # Purchasing (issue #15): a supplier bill priced differently from the goods received posts the
        # difference here; freight, duties and insurance wait in the landed-cost clearing account until
        # they are allocated to the receipts they concern.
        PRICE_VARIANCE = "price_variance", _("Purchase price variances")
        LANDED_COST_CLEARING = "landed_cost_clearing", _("Landed costs to allocate")

    # Income statement accounts are closed into retained earnings at year end.
    PROFIT_AND_LOSS = (Type.INCOME, Type.EXPENSE)

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="accounts")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    subtype = models.CharField(_("subtype"), max_length=24, choices=Subtype.choices, blank=True, default="")
    parent = models.ForeignKey("self", verbose_name=_("group"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["company_id", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="account_code_per_company")]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_profit_and_loss(self) -> bool:
        return self.type in self.PROFIT_AND_LOSS


class Journal(ArchivableModel, TrackedModel):
    class Kind(models.TextChoices):
        SALES = "sales", _("Sales")
        PURCHASE = "purchase", _("Purchases")
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")
        GENERAL = "general", _("General")
        STOCK = "stock", _("Stock")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="journals")
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        ordering = ["company_id", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="journal_code_per_company")]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FiscalYear(TrackedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="fiscal_years")
    name = models.CharField(_("name"), max_length=32)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["company_id", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "start_date"], name="fiscal_year_start_per_company"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="fiscal_year_ends_after"),
        ]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")

    def __str__(self) -> str:
        return self.name

    def can_close(self) -> bool:
        return self.status == self.Status.OPEN


class Period(models.Model):
    """One month of a fiscal year. Closed: no posting dated in it (an accountant may reopen it, audited)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    TRANSITIONS = {Status.OPEN: {Status.CLOSED}, Status.CLOSED: {Status.OPEN}}

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    fiscal_year = models.ForeignKey(FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT,
                                    related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["company_id", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "start_date"], name="period_start_per_company"),
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="period_number_per_year"),
        ]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        permissions = [("reopen_period", _("Can reopen a closed period"))]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m}"

    def can_close(self) -> bool:
        return self.status == self.Status.OPEN and self.fiscal_year.status == FiscalYear.Status.OPEN

    def can_reopen(self) -> bool:
        return self.status == self.Status.CLOSED and self.fiscal_year.status == FiscalYear.Status.OPEN


class EntrySequence(models.Model):
    """The last number given in a journal and fiscal year; locked by each posting, so numbers are gapless."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journal", "fiscal_year"], name="entry_sequence_once")]

    def __str__(self) -> str:
        return f"{self.journal_id}/{self.fiscal_year_id}: {self.last_number}"


class Entry(TrackedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        REVERSED = "reversed", _("Reversed")

    TRANSITIONS = {Status.DRAFT: {Status.POSTED}, Status.POSTED: {Status.REVERSED}}

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    journal = models.ForeignKey(Journal, verbose_name=_("journal"), on_delete=models.PROTECT, related_name="entries")
    fiscal_year = models.ForeignKey(FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT,
                                    related_name="entries")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="entries")
    date = models.DateField(_("date"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    is_closing = models.BooleanField(_("year-end closing"), default=False)
    reversal_of = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="reversed_by")
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    origin_id = models.BigIntegerField(null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "fiscal_year", "number"], condition=Q(number__isnull=False),
                                    name="entry_number_per_journal_year"),
        ]
        indexes = [
            models.Index(fields=["company", "date", "id"], name="entry_company_date"),
            models.Index(fields=["origin_type", "origin_id"], name="entry_origin"),
        ]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return self.reference or _("Draft entry")

    @property
    def reference(self) -> str:
        """JOURNAL/YEAR/NUMBER, e.g. GEN/2026/0007."""
        if self.number is None:
            return ""
        return f"{self.journal.code}/{self.fiscal_year.name}/{self.number:04d}"

    def can_reverse(self) -> bool:
        return self.status == self.Status.POSTED and not self.is_closing and self.reversal_of_id is None

    # Once posted, only the status may change (posted → reversed, by finance.services.reverse_entry).
    MUTABLE_AFTER_POSTING = frozenset({"status", "updated_at"})
    save_guards_only_existing_rows = True  # core.bulk.insert_rows may insert new entries without save()

    def save(self, *args, update_fields=None, **kwargs):
        if self.pk and self.posted_at is not None and (
                update_fields is None or not set(update_fields) <= self.MUTABLE_AFTER_POSTING):
            raise PostedEntryIsImmutable(self)
        super().save(*args, update_fields=update_fields, **kwargs)


class PostedEntryIsImmutable(Exception):
    """A posted entry or one of its lines was about to be changed: correct it with a reversing entry."""

    def __init__(self, entry):
        super().__init__(f"Journal entry {entry.pk} is posted; reverse it instead of changing it.")


class EntryLine(models.Model):
    """One side of an entry in the base currency (debit or credit), with the foreign currency amount (signed:
    debit positive) and the rate used when the line is in another currency."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="lines")
    company = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="lines")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    debit = models.DecimalField(_("debit"), default=Decimal(0), **AMOUNT)
    credit = models.DecimalField(_("credit"), default=Decimal(0), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    amount_currency = models.DecimalField(_("amount in currency"), **AMOUNT)
    rate = models.DecimalField(_("rate"), default=Decimal(1), **RATE)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0, credit__gte=0), name="entry_line_not_negative"),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="entry_line_one_side"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="entry_line_rate_positive"),
        ]
        indexes = [
            models.Index(fields=["account", "date", "entry"], name="entry_line_account_date"),
            # The lines of the periods a report's range cuts (the trial balance sums the rest from balances).
            models.Index(fields=["period", "date"], name="entry_line_period_date"),
        ]
        verbose_name = _("entry line")
        verbose_name_plural = _("entry lines")

    def __str__(self) -> str:
        return f"{self.account_id} D {self.debit} C {self.credit}"

    save_guards_only_existing_rows = True  # core.bulk.insert_rows may insert new lines without save()

    def save(self, *args, **kwargs):
        if self.pk:  # lines are written once, with their entry
            raise PostedEntryIsImmutable(self.entry)
        super().save(*args, **kwargs)


class AccountBalance(models.Model):
    """Sums of posted lines per account and period: written only in the posting transaction."""

    company = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="balances")
    debit = models.DecimalField(default=Decimal(0), max_digits=24, decimal_places=4)
    credit = models.DecimalField(default=Decimal(0), max_digits=24, decimal_places=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="account_balance_once")]
        indexes = [models.Index(fields=["company", "period"], name="account_balance_company")]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.period_id}: {self.debit - self.credit}"
