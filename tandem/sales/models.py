"""Quotes (commercial offers) and sales orders.

A quote is made for a client (often from a deal), by one of our legal entities and to one of the client's
counterparties valid on its date. Its lines carry the price used (from the price list, or overridden by
someone allowed to), the discount and the tax rate used; totals are stored rounded (sales.calculations).
Accepting a quote makes an order with a copy of its lines; confirming the order reserves stock per line."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE, TrackedModel, amount_in_range, validate_currency

PERCENT = {"max_digits": 9, "decimal_places": 4}


class TaxRounding(models.TextChoices):
    """Where tax is rounded (ARCHITECTURE.md 5): on each line, or once per rate on the document."""

    LINE = "line", _("Per line")
    DOCUMENT = "document", _("Per document")


class SalesDocument(TrackedModel):
    """What quotes and orders share: parties, currency, totals, version."""

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"),
                                     on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("parties.Contact", verbose_name=_("contact person"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    deal = models.ForeignKey("crm.Deal", verbose_name=_("deal"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    tax_rounding = models.CharField(_("tax rounding"), max_length=10, choices=TaxRounding.choices,
                                    default=TaxRounding.LINE)
    net_total = models.DecimalField(_("net total"), default=Decimal(0), **AMOUNT)
    tax_total = models.DecimalField(_("tax total"), default=Decimal(0), **AMOUNT)
    total = models.DecimalField(_("total"), default=Decimal(0), **AMOUNT)
    note = models.TextField(_("note"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status == "draft"

    def can_edit(self) -> bool:
        return self.is_editable


class SalesLine(models.Model):
    """What quote and order lines share: the product, quantity in a unit, the price used and the amounts."""

    position = models.PositiveIntegerField(_("position"), default=1)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey("catalog.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(_("unit price"), **RATE)
    list_price = models.DecimalField(_("list price"), null=True, blank=True, **RATE,
                                     help_text=_("The price list's price when the line was priced."))
    price_explanation = models.CharField(_("price source"), max_length=300, blank=True)
    price_overridden = models.BooleanField(_("price overridden"), default=False)
    discount_percent = models.DecimalField(_("discount %"), default=Decimal(0), **PERCENT)
    tax_rate = models.DecimalField(_("tax rate %"), default=Decimal(0), **PERCENT)
    net_amount = models.DecimalField(_("net amount"), default=Decimal(0), **AMOUNT)
    tax_amount = models.DecimalField(_("tax amount"), default=Decimal(0), **AMOUNT)
    gross_amount = models.DecimalField(_("gross amount"), default=Decimal(0), **AMOUNT)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


def _line_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(quantity__gt=0), name=f"{prefix}_quantity_positive"),
        models.CheckConstraint(condition=Q(unit_price__gte=0), name=f"{prefix}_unit_price_not_negative"),
        models.CheckConstraint(condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                               name=f"{prefix}_discount_range"),
        models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name=f"{prefix}_tax_rate_range"),
        amount_in_range("net_amount", f"{prefix}_net_amount_range"),
    ]


class Quote(SalesDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    TRANSITIONS = {
        Status.DRAFT: {Status.SENT},
        Status.SENT: {Status.ACCEPTED, Status.REJECTED, Status.EXPIRED},
        Status.ACCEPTED: set(),
        Status.REJECTED: set(),
        Status.EXPIRED: set(),
    }

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    quote_date = models.DateField(_("quote date"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-quote_date", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        permissions = [
            ("override_price", _("Can override prices and discounts on quotes and orders")),
            ("view_all_quotes", _("Can see quotes and orders of every client")),
        ]
        indexes = [
            models.Index(fields=["client", "quote_date", "id"], name="quote_client_date"),
            models.Index(fields=["status", "quote_date", "id"], name="quote_status_date"),
            models.Index(fields=["deal"], name="quote_deal"),
        ]
        constraints = [
            amount_in_range("total", "quote_total_range"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("quote_date")),
                                   name="quote_valid_until_after_date",
                                   violation_error_message=_("'Valid until' must not be before the quote date.")),
        ]

    def can_send(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_accept(self) -> bool:
        return self.status == self.Status.SENT

    def can_reject(self) -> bool:
        return self.status == self.Status.SENT

    def can_expire(self) -> bool:
        return self.status == self.Status.SENT


class QuoteLine(SalesLine):
    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["quote_id", "position", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = _line_constraints("quote_line")


class Order(SalesDocument):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.PARTLY_SHIPPED, Status.SHIPPED, Status.CANCELLED},
        Status.PARTLY_SHIPPED: {Status.SHIPPED, Status.CLOSED},
        Status.SHIPPED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    order_date = models.DateField(_("order date"))
    quote = models.OneToOneField(Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="order")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text=_("Where the goods are reserved and shipped from."))
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [
            models.Index(fields=["client", "order_date", "id"], name="order_client_date"),
            models.Index(fields=["status", "order_date", "id"], name="order_status_date"),
            models.Index(fields=["deal"], name="order_deal"),
        ]
        constraints = [amount_in_range("total", "order_total_range")]

    def can_confirm(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_cancel(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.CONFIRMED)

    def can_close(self) -> bool:
        return self.status in (self.Status.SHIPPED, self.Status.PARTLY_SHIPPED)

    @property
    def has_shortage(self) -> bool:
        return any(line.short_quantity > 0 for line in self.lines.all())


class OrderLine(SalesLine):
    order = models.ForeignKey(Order, verbose_name=_("sales order"), on_delete=models.CASCADE, related_name="lines")
    quote_line = models.ForeignKey(QuoteLine, verbose_name=_("quote line"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Stock unit quantities (the product's unit): what confirming reserved, what was missing, what has shipped.
    reserved_quantity = models.DecimalField(_("reserved"), default=Decimal(0), **QUANTITY)
    short_quantity = models.DecimalField(_("short"), default=Decimal(0), **QUANTITY,
                                         help_text=_("Missing when the order was confirmed."))
    expected_date = models.DateField(_("expected on"), null=True, blank=True,
                                     help_text=_("When the missing quantity is expected in stock."))
    shipped_quantity = models.DecimalField(_("shipped"), default=Decimal(0), **QUANTITY)
    # In the line's own unit (the unit it is priced in): what invoices (not cancelled) bill, less what credit
    # notes of returns gave back. Kept by sales.services.invoicing in the invoice's transaction.
    invoiced_quantity = models.DecimalField(_("invoiced"), default=Decimal(0), **QUANTITY)

    class Meta:
        ordering = ["order_id", "position", "id"]
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        constraints = [
            *_line_constraints("order_line"),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0) & Q(short_quantity__gte=0)
                                   & Q(shipped_quantity__gte=0), name="order_line_quantities_not_negative"),
            models.CheckConstraint(condition=Q(invoiced_quantity__gte=0), name="order_line_invoiced_not_negative"),
        ]

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.shipped_quantity


class ClientPricing(TrackedModel):
    """Which price group a client buys in (catalog's lists for that group beat the general ones)."""

    client = models.OneToOneField("parties.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                                  related_name="sales_pricing")
    price_group = models.ForeignKey("catalog.PriceGroup", verbose_name=_("price group"), on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("client price group")
        verbose_name_plural = _("client price groups")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.price_group}"


# --- Shipments and customer returns (issue #13.5) --------------------------------------------------------------
# Quantities here are in the product's stock unit, like OrderLine.reserved_quantity/shipped_quantity.


class Shipment(TrackedModel):
    """Goods of one sales order leaving one warehouse: picked, packed, shipped (the stock moves are posted),
    delivered; cancelled while not yet shipped. What is not shipped stays reserved on the order (backorder)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("To pick")
        PICKED = "picked", _("Picked")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.PICKED, Status.CANCELLED},
        Status.PICKED: {Status.PACKED, Status.CANCELLED},
        Status.PACKED: {Status.SHIPPED, Status.CANCELLED},
        Status.SHIPPED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("sales order"), on_delete=models.PROTECT,
                              related_name="shipments")
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    shipment_date = models.DateField(_("shipment date"))
    delivered_date = models.DateField(_("delivered on"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-shipment_date", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        permissions = [("confirm_shipment", _("Can confirm picks, packing, shipments and deliveries"))]
        indexes = [
            models.Index(fields=["client", "shipment_date", "id"], name="shipment_client_date"),
            models.Index(fields=["status", "shipment_date", "id"], name="shipment_status_date"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        """Not shipped yet and not cancelled: its lines still count against what is left to ship."""
        return self.status in (self.Status.DRAFT, self.Status.PICKED, self.Status.PACKED)

    def can_edit(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_pick(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_pack(self) -> bool:
        return self.status == self.Status.PICKED

    def can_ship(self) -> bool:
        return self.status == self.Status.PACKED

    def can_deliver(self) -> bool:
        return self.status == self.Status.SHIPPED

    def can_cancel(self) -> bool:
        return self.is_open


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE,
                                 related_name="lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("sales order line"), on_delete=models.PROTECT,
                                   related_name="shipment_lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    location = models.ForeignKey("stock.Location", verbose_name=_("location"), on_delete=models.PROTECT,
                                 related_name="+")
    lot = models.ForeignKey("stock.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    stock_move = models.OneToOneField("stock.StockMove", verbose_name=_("stock move"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["shipment_id", "id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class CustomerReturn(TrackedModel):
    """Goods a client sends back from an order, received into a storage or quarantine location; linked to
    a complaint when there is one. Receiving posts RETURN stock moves at the cost they left with."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.RECEIVED, Status.CANCELLED},
        Status.RECEIVED: set(),
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("sales order"), on_delete=models.PROTECT,
                              related_name="returns")
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="+")
    complaint = models.ForeignKey("crm.Complaint", verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("stock.Location", verbose_name=_("received into"), on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_date = models.DateField(_("return date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-return_date", "-id"]
        verbose_name = _("customer return")
        verbose_name_plural = _("customer returns")
        indexes = [
            models.Index(fields=["client", "return_date", "id"], name="return_client_date"),
            models.Index(fields=["complaint"], name="return_complaint"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def can_receive(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_cancel(self) -> bool:
        return self.status == self.Status.DRAFT


class ReturnLine(models.Model):
    customer_return = models.ForeignKey(CustomerReturn, verbose_name=_("customer return"), on_delete=models.CASCADE,
                                        related_name="lines")
    order_line = models.ForeignKey(OrderLine, verbose_name=_("sales order line"), on_delete=models.PROTECT,
                                   related_name="return_lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    lot = models.ForeignKey("stock.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **RATE,
                                    help_text=_("The cost the goods left with (from the shipment's stock move)."))
    stock_move = models.OneToOneField("stock.StockMove", verbose_name=_("stock move"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["customer_return_id", "id"]
        verbose_name = _("customer return line")
        verbose_name_plural = _("customer return lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"
