"""Purchasing (issue #15): suppliers and their prices, purchase orders and their receipts.

A supplier is one of a client's counterparties (parties.Counterparty) with a SupplierProfile (payment terms,
currency, lead time). SupplierPrice rows are the supplier's price list per product. A purchase order is made
by a buyer, approved (by a manager when its total reaches the legal entity's threshold), sent, received in one
or more receipts (stock receipt moves at the line's cost, the rest staying expected) and closed."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE, TrackedModel, amount_in_range, validate_currency

PERCENT = {"max_digits": 9, "decimal_places": 4}


class PurchasingSettings(TrackedModel):
    """Per legal entity: from which total an order needs a manager's approval, and how much more than ordered
    may be received. A missing row means the defaults."""

    DEFAULT_APPROVAL_THRESHOLD = Decimal("5000")
    DEFAULT_RECEIPT_TOLERANCE = Decimal("5")

    company = models.OneToOneField("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.CASCADE,
                                   related_name="purchasing_settings")
    approval_threshold = models.DecimalField(_("approval from total"), default=DEFAULT_APPROVAL_THRESHOLD,
                                             **AMOUNT, help_text=_("In the legal entity's base currency."))
    receipt_tolerance_percent = models.DecimalField(_("over-receipt tolerance %"),
                                                    default=DEFAULT_RECEIPT_TOLERANCE, **PERCENT)
    # Three-way match of supplier bills: how far a bill's unit price and quantity may differ from the order
    # and the receipts before a person must accept the difference.
    bill_price_tolerance_percent = models.DecimalField(_("bill price tolerance %"), default=Decimal("2"),
                                                       **PERCENT)
    bill_quantity_tolerance_percent = models.DecimalField(_("bill quantity tolerance %"), default=Decimal("0"),
                                                          **PERCENT)

    class Meta:
        verbose_name = _("purchasing settings")
        verbose_name_plural = _("purchasing settings")
        constraints = [
            amount_in_range("approval_threshold", "purchasing_settings_threshold_range"),
            models.CheckConstraint(condition=Q(receipt_tolerance_percent__gte=0)
                                   & Q(receipt_tolerance_percent__lte=100), name="purchasing_tolerance_range"),
        ]


class SupplierProfile(TrackedModel):
    """Makes a counterparty a supplier."""

    counterparty = models.OneToOneField("parties.Counterparty", verbose_name=_("counterparty"),
                                        on_delete=models.PROTECT, related_name="supplier_profile")
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    lead_time_days = models.PositiveIntegerField(_("default lead time (days)"), default=7)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["counterparty__legal_name", "id"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.counterparty.legal_name


class SupplierPrice(TrackedModel):
    """A supplier's price for a product (per product's stock unit), valid between two dates, from a minimum
    quantity, sold in packs. One price per product may be the preferred one."""

    supplier = models.ForeignKey(SupplierProfile, verbose_name=_("supplier"), on_delete=models.CASCADE,
                                 related_name="prices")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    supplier_sku = models.CharField(_("supplier's code"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    unit_price = models.DecimalField(_("unit price"), **RATE)
    min_quantity = models.DecimalField(_("minimum quantity"), default=Decimal(0), **QUANTITY)
    pack_size = models.DecimalField(_("pack size"), default=Decimal(1), **QUANTITY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        ordering = ["product_id", "-is_preferred", "unit_price", "id"]
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier prices")
        indexes = [models.Index(fields=["product", "supplier"], name="supplier_price_product")]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(is_preferred=True),
                                    name="supplier_price_one_preferred",
                                    violation_error_message=_("The product already has a preferred supplier.")),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="supplier_price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="supplier_price_min_quantity"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="supplier_price_pack_size"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")), name="supplier_price_validity"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}: {self.product_id} {self.unit_price} {self.currency}"


class PurchaseOrder(TrackedModel):
    class Status(models.TextChoices):
        RFQ = "rfq", _("Request for quotation")
        DRAFT = "draft", _("Draft")
        TO_APPROVE = "to_approve", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        BILLED = "billed", _("Billed")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.RFQ: {Status.DRAFT, Status.CANCELLED},
        Status.DRAFT: {Status.TO_APPROVE, Status.APPROVED, Status.CANCELLED},
        Status.TO_APPROVE: {Status.APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.APPROVED: {Status.SENT, Status.CANCELLED},
        Status.SENT: {Status.PARTLY_RECEIVED, Status.RECEIVED, Status.CANCELLED},
        Status.PARTLY_RECEIVED: {Status.RECEIVED, Status.CLOSED},
        Status.RECEIVED: {Status.BILLED, Status.CLOSED},
        Status.BILLED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    supplier = models.ForeignKey(SupplierProfile, verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="orders")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="+", help_text=_("Where the goods are received."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected on"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    exchange_rate = models.DecimalField(_("exchange rate"), default=Decimal(1), **RATE,
                                        help_text=_("Base currency units for one unit of the order's currency."))
    net_total = models.DecimalField(_("net total"), default=Decimal(0), **AMOUNT)
    tax_total = models.DecimalField(_("tax total"), default=Decimal(0), **AMOUNT)
    total = models.DecimalField(_("total"), default=Decimal(0), **AMOUNT)
    note = models.TextField(_("note"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [
            ("approve_purchaseorder", _("Can approve purchase orders above the threshold")),
            ("receive_purchaseorder", _("Can receive the goods of purchase orders")),
        ]
        indexes = [
            models.Index(fields=["status", "order_date", "id"], name="po_status_date"),
            models.Index(fields=["supplier", "order_date", "id"], name="po_supplier_date"),
        ]
        constraints = [amount_in_range("total", "po_total_range"),
                       models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="po_rate_positive")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.RFQ, self.Status.DRAFT)

    @property
    def is_rfq(self) -> bool:
        return self.status == self.Status.RFQ

    def can_edit(self) -> bool:
        return self.is_editable

    def can_convert(self) -> bool:
        return self.status == self.Status.RFQ

    def can_submit(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_approve(self) -> bool:
        return self.status == self.Status.TO_APPROVE

    def can_return_to_draft(self) -> bool:
        return self.status == self.Status.TO_APPROVE

    def can_send(self) -> bool:
        return self.status == self.Status.APPROVED

    def can_receive(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.PARTLY_RECEIVED)

    def can_cancel(self) -> bool:
        return self.status in (self.Status.RFQ, self.Status.DRAFT, self.Status.TO_APPROVE, self.Status.APPROVED,
                               self.Status.SENT)

    def can_close(self) -> bool:
        return self.status in (self.Status.PARTLY_RECEIVED, self.Status.RECEIVED, self.Status.BILLED)


class PurchaseOrderLine(models.Model):
    """Quantities are in the product's stock unit."""

    order = models.ForeignKey(PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE,
                              related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=1)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **RATE)
    price_overridden = models.BooleanField(_("price overridden"), default=False)
    tax_rate = models.DecimalField(_("tax rate %"), default=Decimal(0), **PERCENT)
    net_amount = models.DecimalField(_("net amount"), default=Decimal(0), **AMOUNT)
    tax_amount = models.DecimalField(_("tax amount"), default=Decimal(0), **AMOUNT)
    expected_date = models.DateField(_("expected on"), null=True, blank=True)
    received_quantity = models.DecimalField(_("received"), default=Decimal(0), **QUANTITY)
    billed_quantity = models.DecimalField(_("billed"), default=Decimal(0), **QUANTITY)

    class Meta:
        ordering = ["order_id", "position", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="po_line_price_not_negative"),
            models.CheckConstraint(condition=Q(received_quantity__gte=0), name="po_line_received_not_negative"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="po_line_tax_range"),
            amount_in_range("net_amount", "po_line_net_amount_range"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def awaiting_price(self) -> bool:
        """A line of a request for quotation that has neither a price-list price nor a quoted one yet."""
        return not self.price_overridden and not self.unit_price

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal(0))


# --- Landed costs -----------------------------------------------------------------------------------------------

class LandedCost(TrackedModel):
    """Freight, duty, insurance or another cost of bringing goods in, spread over the receipts (stock receipt moves
    of purchase order lines) it concerns by value, quantity or weight. Allocating changes those receipts' value
    through stock's valuation (goods on hand cost more; what was already shipped is revalued to cost of goods
    sold) and posts against the landed-cost clearing account. Draft → allocated; a draft may be cancelled."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ALLOCATED = "allocated", _("Allocated")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        FREIGHT = "freight", _("Freight")
        DUTY = "duty", _("Customs duty")
        INSURANCE = "insurance", _("Insurance")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        VALUE = "value", _("By value")
        QUANTITY = "quantity", _("By quantity")
        WEIGHT = "weight", _("By weight")

    TRANSITIONS = {
        Status.DRAFT: {Status.ALLOCATED, Status.CANCELLED},
        Status.ALLOCATED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FREIGHT)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    exchange_rate = models.DecimalField(_("exchange rate"), default=Decimal(1), **RATE,
                                        help_text=_("Base currency units for one unit of the currency, on the date."))
    base_amount = models.DecimalField(_("amount in base currency"), default=Decimal(0), **AMOUNT)
    supplier = models.ForeignKey(SupplierProfile, verbose_name=_("service supplier"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="landed_costs",
                                 help_text=_("Who bills it: the carrier, the customs broker, the insurer."))
    method = models.CharField(_("allocation"), max_length=16, choices=Method.choices, default=Method.VALUE)
    reference = models.CharField(_("bill reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("landed cost")
        verbose_name_plural = _("landed costs")
        permissions = [("allocate_landedcost", _("Can allocate landed costs to receipts (changes stock values)"))]
        indexes = [models.Index(fields=["status", "date", "id"], name="landed_cost_status_date")]
        constraints = [
            amount_in_range("amount", "landed_cost_amount_range"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="landed_cost_amount_positive"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="landed_cost_rate_positive"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def can_edit(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_allocate(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_cancel(self) -> bool:
        return self.status == self.Status.DRAFT


class LandedCostLine(models.Model):
    """One receipt a landed cost concerns, and once allocated its share: the measure it was split by (the
    receipt's value, quantity or weight), the part of the amount (document currency and base currency, each
    summing to the document's exactly) and the receipt's unit cost before and after."""

    landed_cost = models.ForeignKey(LandedCost, verbose_name=_("landed cost"), on_delete=models.CASCADE,
                                    related_name="lines")
    move = models.ForeignKey("stock.StockMove", verbose_name=_("receipt"), on_delete=models.PROTECT,
                             related_name="+")
    basis = models.DecimalField(_("allocated by"), null=True, blank=True, **RATE)
    amount = models.DecimalField(_("share"), null=True, blank=True, **AMOUNT)
    base_amount = models.DecimalField(_("share in base currency"), null=True, blank=True, **AMOUNT)
    unit_cost_before = models.DecimalField(_("unit cost before"), null=True, blank=True, **RATE)
    unit_cost_after = models.DecimalField(_("unit cost after"), null=True, blank=True, **RATE)
    correction = models.ForeignKey("stock.CostCorrection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["landed_cost_id", "move_id"]
        verbose_name = _("landed cost receipt")
        verbose_name_plural = _("landed cost receipts")
        constraints = [models.UniqueConstraint(fields=["landed_cost", "move"], name="landed_cost_line_once")]

    def __str__(self) -> str:
        return f"{self.landed_cost_id}: {self.move_id}"


# --- Three-way match of supplier bills ---------------------------------------------------------------------------

class BillMatch(TrackedModel):
    """The three-way match of one supplier bill (a finance.Invoice of kind supplier bill) with its purchase order
    and the goods received: the verdict of the last check per line and, when the bill differs beyond the legal
    entity's tolerances, who accepted the difference and when (the mismatches accepted are kept: a bill changed
    afterwards is checked again)."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matches")
        MISMATCH = "mismatch", _("Does not match")
        ACCEPTED = "accepted", _("Difference accepted")

    invoice = models.OneToOneField("finance.Invoice", verbose_name=_("supplier bill"), on_delete=models.CASCADE,
                                   related_name="bill_match")
    order = models.ForeignKey(PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.PROTECT,
                              related_name="bill_matches")
    status = models.CharField(_("match"), max_length=16, choices=Status.choices, default=Status.MATCHED)
    mismatches = models.JSONField(_("differences"), default=list, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    accepted_mismatches = models.JSONField(_("differences accepted"), default=list, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accept_note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("bill match")
        verbose_name_plural = _("bill matches")
        permissions = [("accept_bill_mismatch",
                        _("Can accept a supplier bill that differs from its order and receipts"))]

    def __str__(self) -> str:
        return f"{self.invoice_id} ↔ {self.order_id}: {self.status}"
