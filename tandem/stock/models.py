"""Warehouses, locations, lots, and stock that changes only through moves.

Skeleton laid by the integrator; the stock and valuation branches extend it. The contract other apps rely on:
- StockMove: one movement of a quantity (always positive) of a product from a location, to a location, or
  both, effective on a date that may lie in the past, pointing to its origin document by content type + id.
- StockLevel: on hand per product, location and lot (maintained by stock.services, never written elsewhere).
- WarehouseStock: per product and warehouse, on hand, reserved and incoming; the row locked by every service
  that changes them, so concurrent reservations and shipments serialise per product and warehouse.
- Reservation: a quantity held for an origin document (a sales order line, a production order)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE, ArchivableModel, TrackedModel


class Warehouse(ArchivableModel, TrackedModel):
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="warehouses")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    allow_negative = models.BooleanField(_("allow negative stock"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(ArchivableModel, TrackedModel):
    """A place inside a warehouse (a bin, a shelf, the quarantine area). Each warehouse has one default."""

    class Kind(models.TextChoices):
        STORAGE = "storage", _("Storage")
        QUARANTINE = "quarantine", _("Quarantine")

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="locations")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STORAGE)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["warehouse_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_per_warehouse"),
            models.UniqueConstraint(fields=["warehouse"], condition=Q(is_default=True),
                                    name="one_default_location_per_warehouse"),
        ]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.code}"


class Lot(TrackedModel):
    """A lot (batch) or, for serial-tracked products, one serial number."""

    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="lots")
    code = models.CharField(_("lot or serial number"), max_length=64)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["product_id", "expiry_date", "code"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="lot_code_per_product")]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return self.code


class StockMove(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        SHIPMENT = "shipment", _("Shipment")
        TRANSFER = "transfer", _("Transfer")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RETURN = "return", _("Customer return")
        COST_CORRECTION = "cost_correction", _("Cost correction")
        # Production (issue #15): components leave stock into work in progress; the output enters from it.
        CONSUMPTION = "consumption", _("Consumption")
        PRODUCTION = "production", _("Production")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="stock_moves")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    from_location = models.ForeignKey(Location, verbose_name=_("from"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="moves_out")
    to_location = models.ForeignKey(Location, verbose_name=_("to"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="moves_in")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="moves")
    effective_date = models.DateField(_("effective date"), db_index=True)
    # Cost in the legal entity's base currency: set by the caller for incoming moves, by valuation for the rest.
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **RATE)
    value = models.DecimalField(_("value"), null=True, blank=True, max_digits=AMOUNT["max_digits"],
                                decimal_places=AMOUNT["decimal_places"])
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    origin_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["effective_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                                   name="stock_move_has_a_location"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="stock_move_goes_somewhere"),
        ]
        indexes = [
            models.Index(fields=["product", "effective_date", "id"], name="stock_move_product_date"),
            models.Index(fields=["origin_type", "origin_id"], name="stock_move_origin"),
            models.Index(fields=["from_location", "effective_date"], name="stock_move_from_date"),
            models.Index(fields=["to_location", "effective_date"], name="stock_move_to_date"),
        ]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id}"


class StockLevel(models.Model):
    """On hand of one product in one location (and lot). Written only by stock.services."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.DecimalField(_("on hand"), default=Decimal(0), **QUANTITY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location", "lot"], condition=Q(lot__isnull=False),
                                    name="stock_level_per_lot"),
            models.UniqueConstraint(fields=["product", "location"], condition=Q(lot__isnull=True),
                                    name="stock_level_without_lot"),
        ]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.on_hand}"


class WarehouseStock(models.Model):
    """On hand, reserved and incoming of one product in one warehouse: answers "available" in one row read."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="warehouse_stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.DecimalField(_("on hand"), default=Decimal(0), **QUANTITY)
    reserved = models.DecimalField(_("reserved"), default=Decimal(0), **QUANTITY)
    incoming = models.DecimalField(_("incoming"), default=Decimal(0), **QUANTITY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="warehouse_stock_once"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="warehouse_stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(incoming__gte=0), name="warehouse_stock_incoming_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="warehouse_stock_by_warehouse")]
        verbose_name = _("warehouse stock")
        verbose_name_plural = _("warehouse stock")

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand} − {self.reserved}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """Stock held in a warehouse for an origin document line until it ships or is released."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    origin_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    origin_id = models.BigIntegerField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive")]
        indexes = [models.Index(fields=["origin_type", "origin_id"], name="reservation_origin"),
                   models.Index(fields=["product", "warehouse", "lot"], name="reservation_product_lot")]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}@{self.warehouse_id}"


class ExpectedReceipt(TrackedModel):
    """Goods expected in a warehouse on a date (a purchase order line, a production order): the incoming
    quantity of WarehouseStock is the sum of these; sales shows "expected on" for a shortage from them."""

    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="expected_receipts")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="expected_receipts")
    expected_date = models.DateField(_("expected on"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    origin_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["expected_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="expected_receipt_quantity_positive")]
        indexes = [
            models.Index(fields=["product", "warehouse", "expected_date"], name="expected_receipt_product"),
            models.Index(fields=["origin_type", "origin_id"], name="expected_receipt_origin"),
        ]
        verbose_name = _("expected receipt")
        verbose_name_plural = _("expected receipts")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}@{self.warehouse_id} {self.expected_date}"


class StockCount(TrackedModel):
    """A count of (part of) a warehouse: counted quantities per product, location and lot; posting it turns
    each difference from on hand into an adjustment move."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.POSTED, Status.CANCELLED},
        Status.POSTED: set(),
        Status.CANCELLED: set(),
    }

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="counts")
    count_date = models.DateField(_("count date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-count_date", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return f"{self.warehouse.code} {self.count_date}"

    def can_edit(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_post(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_cancel(self) -> bool:
        return self.status == self.Status.DRAFT


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    counted = models.DecimalField(_("counted"), **QUANTITY)
    # Filled when the count is posted: what the books said then, and the adjustment it made.
    on_hand_at_posting = models.DecimalField(_("on hand at posting"), null=True, blank=True, **QUANTITY)
    move = models.ForeignKey(StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="stock_count_line_counted_not_negative"),
            models.UniqueConstraint(fields=["count", "product", "location", "lot"], condition=Q(lot__isnull=False),
                                    name="stock_count_line_per_lot"),
            models.UniqueConstraint(fields=["count", "product", "location"], condition=Q(lot__isnull=True),
                                    name="stock_count_line_without_lot"),
        ]
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.counted}"
# Valuation tables live in tandem.stock.valuation (owned by the valuation work); imported here so they are
# models of the stock app.
from tandem.stock.valuation.models import CostCorrection, RevaluationEntry, ValuationEntry  # noqa: E402, F401
