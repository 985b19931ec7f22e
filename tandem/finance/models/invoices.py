"""Taxes and invoices: customer invoices and credit notes (later supplier bills), each posting itself.

An invoice is a finance document: it names no sales order or shipment. Upper apps (sales, purchasing) create
it through `finance.services` with `origin=` their document (content type + id, like a journal entry) and keep
their own link (e.g. how much of an order line is invoiced).

Amounts are in the invoice currency; `rate` is the base-currency value of one unit of it on the invoice date
(stored, never looked up again), so the posting and every later report use the same rate."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE, ArchivableModel, TrackedModel, validate_currency

PERCENT = {"max_digits": 9, "decimal_places": 4}


class TaxRate(ArchivableModel, TrackedModel):
    """A tax rate in force in a country for a tax category of products, over a validity range.

    Shipped as data for our markets (ID, PL, BG, PT, KR); `kind` tells the invoice how to post and print it:
    a reverse-charge or exempt line carries no tax amount and names its legal reason on the invoice."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("Standard")
        REDUCED = "reduced", _("Reduced")
        ZERO = "zero", _("Zero-rated")
        EXEMPT = "exempt", _("Exempt")
        REVERSE_CHARGE = "reverse_charge", _("Reverse charge")

    country = models.CharField(_("country"), max_length=2)
    tax_category = models.ForeignKey("catalog.TaxCategory", verbose_name=_("tax category"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="tax_rates")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STANDARD)
    rate = models.DecimalField(_("rate (%)"), **PERCENT)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_note = models.CharField(_("legal note on the invoice"), max_length=300, blank=True,
                                  help_text=_("Printed on invoices for exempt or reverse-charge lines."))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["country", "code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code", "valid_from"], name="tax_rate_once_per_start"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="tax_rate_percent"),
        ]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")

    def __str__(self) -> str:
        return f"{self.country} {self.name}"


class InvoiceSequence(models.Model):
    """The last number given per legal entity, kind and calendar year; locked by each issue: gapless."""

    company = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "kind", "year"], name="invoice_sequence_once")]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.kind}/{self.year}: {self.last_number}"


class Invoice(TrackedModel):
    class Kind(models.TextChoices):
        CUSTOMER_INVOICE = "customer_invoice", _("Invoice")
        CUSTOMER_CREDIT_NOTE = "customer_credit_note", _("Credit note")
        SUPPLIER_BILL = "supplier_bill", _("Supplier bill")
        SUPPLIER_CREDIT_NOTE = "supplier_credit_note", _("Supplier credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    # Issued invoices are never edited; a credit note corrects them. Payment states follow allocations
    # (an allocation undone moves paid → partly paid → issued).
    TRANSITIONS = {
        Status.DRAFT: {Status.ISSUED, Status.CANCELLED},
        Status.ISSUED: {Status.PARTLY_PAID, Status.PAID},
        Status.PARTLY_PAID: {Status.PAID, Status.ISSUED},
        Status.PAID: {Status.PARTLY_PAID, Status.ISSUED},
    }
    OPEN_STATUSES = (Status.ISSUED, Status.PARTLY_PAID)
    CUSTOMER_KINDS = (Kind.CUSTOMER_INVOICE, Kind.CUSTOMER_CREDIT_NOTE)
    SUPPLIER_KINDS = (Kind.SUPPLIER_BILL, Kind.SUPPLIER_CREDIT_NOTE)
    CREDIT_KINDS = (Kind.CUSTOMER_CREDIT_NOTE, Kind.SUPPLIER_CREDIT_NOTE)

    class TaxRounding(models.TextChoices):
        LINE = "line", _("Per line")
        DOCUMENT = "document", _("Per document")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.CUSTOMER_INVOICE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    sequence_number = models.PositiveIntegerField(null=True, blank=True)
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text=_("The legal entity billed; required to issue."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    rate = models.DecimalField(_("exchange rate"), default=Decimal(1), **RATE,
                               help_text=_("Base currency per one unit of the invoice currency, on its date."))
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    tax_rounding = models.CharField(_("tax rounding"), max_length=10, choices=TaxRounding.choices,
                                    default=TaxRounding.LINE)
    net_total = models.DecimalField(_("net total"), default=Decimal(0), **AMOUNT)
    tax_total = models.DecimalField(_("tax total"), default=Decimal(0), **AMOUNT)
    total = models.DecimalField(_("total"), default=Decimal(0), **AMOUNT)
    # What is still owed, in the invoice currency: total less allocated payments and credits. Stored (and kept
    # by finance.services in the allocation's transaction) so aging reads one indexed column.
    amount_due = models.DecimalField(_("amount due"), default=Decimal(0), **AMOUNT)
    credited_invoice = models.ForeignKey("self", verbose_name=_("credits invoice"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="credit_notes")
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    origin_id = models.BigIntegerField(null=True, blank=True)
    entry = models.OneToOneField("finance.Entry", verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="invoice")
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    supplier_reference = models.CharField(_("supplier's invoice number"), max_length=64, blank=True,
                                          help_text=_("On supplier bills: the number the supplier gave it."))
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-invoice_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "number"], condition=~Q(number=""),
                                    name="invoice_number_once"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="invoice_rate_positive"),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("invoice_date")), name="invoice_due_after_date"),
        ]
        indexes = [
            # The overdue list: open invoices by company and due date.
            models.Index(fields=["company", "status", "due_date"], name="invoice_open_due"),
            # Aging (finance.receivables.queries.aging): covers every column it reads, in the order of its GROUP BY
            # (client, currency), so the database reads the index alone, in order, without sorting; one client's
            # aging (the client card, the exposure) is a range of it.
            models.Index(fields=["company", "client", "currency", "status", "kind", "due_date", "amount_due", "rate",
                                 "counterparty"], name="invoice_aging_cover"),
            models.Index(fields=["client", "status"], name="invoice_client_status"),
            models.Index(fields=["origin_type", "origin_id"], name="invoice_origin"),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [("issue_invoice", _("Can issue invoices and credit notes")),
                       ("prepare_supplier_bill", _("Can prepare draft supplier bills"))]

    def __str__(self) -> str:
        return self.number or str(_("Draft supplier bill") if self.is_supplier else _("Draft invoice"))

    @property
    def is_supplier(self) -> bool:
        return self.kind in self.SUPPLIER_KINDS

    @property
    def is_customer(self) -> bool:
        return self.kind in self.CUSTOMER_KINDS

    @property
    def is_credit(self) -> bool:
        return self.kind in self.CREDIT_KINDS

    @property
    def paid_amount(self) -> Decimal:
        return self.total - self.amount_due

    def can_edit(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_issue(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_cancel(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_credit(self) -> bool:
        return not self.is_credit and self.status in (self.Status.ISSUED, self.Status.PARTLY_PAID, self.Status.PAID)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(_("unit price"), **RATE)
    discount_percent = models.DecimalField(_("discount %"), default=Decimal(0), **PERCENT)
    tax_rate = models.ForeignKey(TaxRate, verbose_name=_("tax"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    tax_percent = models.DecimalField(_("tax rate %"), default=Decimal(0), **PERCENT)
    tax_kind = models.CharField(_("tax kind"), max_length=16, choices=TaxRate.Kind.choices,
                                default=TaxRate.Kind.STANDARD)
    account = models.ForeignKey("finance.Account", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                help_text=_("Revenue (or expense) account; the sales account when empty."))
    net_amount = models.DecimalField(_("net amount"), default=Decimal(0), **AMOUNT)
    tax_amount = models.DecimalField(_("tax amount"), default=Decimal(0), **AMOUNT)
    gross_amount = models.DecimalField(_("gross amount"), default=Decimal(0), **AMOUNT)
    # The upper document's line this one bills (a sales order line, a shipment line), by content type + id.
    origin_line_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    origin_line_id = models.BigIntegerField(null=True, blank=True)
    # Supplier bills: the base-currency value at which the goods this line bills were received (credited to goods
    # received not invoiced by the receipt); the bill clears exactly that and posts the rest of its net amount to
    # purchase price variances. Empty: no goods received (an expense line).
    received_value = models.DecimalField(_("received value"), null=True, blank=True, **AMOUNT)

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        indexes = [models.Index(fields=["origin_line_type", "origin_line_id"], name="invoice_line_origin")]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return self.description
