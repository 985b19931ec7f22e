"""Production (issue #15): work centres, bills of materials with routings, production orders.

A BOM says how one product (`Bom.product`) is made: its components per `Bom.quantity` made (with a scrap
allowance each) and its operations on work centres (minutes per unit and set-up minutes, priced at the work
centre's hourly cost). A product may have several BOM versions; the one in force on a date is the active one
whose validity covers it (newest `valid_from` first). Components may themselves have BOMs: multi-level.

A production order makes `quantity` of a product with a BOM version in a warehouse: confirmed, its components
are reserved; in progress, components are consumed and output produced (partly, more than once); done or
cancelled at the end. Its standard cost (from the BOM at confirmation) and actual cost (what was consumed at
valuation plus operations at work-centre rates) give the variance posted through work in progress."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE, ArchivableModel, TrackedModel, amount_in_range

PERCENT = {"max_digits": 9, "decimal_places": 4}
MINUTES = QUANTITY  # core.limits' amount range, 4 decimal places


class WorkCentre(ArchivableModel, TrackedModel):
    """A machine, line or team; its capacity per week and what an hour of it costs (base currency)."""

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    hourly_cost = models.DecimalField(_("cost per hour"), default=Decimal(0), **RATE)
    capacity_hours_per_week = models.DecimalField(_("capacity (hours per week)"), default=Decimal(40), **QUANTITY)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="work_centre_code_per_company"),
            models.CheckConstraint(condition=Q(hourly_cost__gte=0), name="work_centre_cost_not_negative"),
            models.CheckConstraint(condition=Q(capacity_hours_per_week__gte=0),
                                   name="work_centre_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Bom(ArchivableModel, TrackedModel):
    """One version of how `product` is made; `quantity` is how much of it one run of the lines yields."""

    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="boms")
    code = models.CharField(_("version"), max_length=32, help_text=_("A name for this version, e.g. v2."))
    quantity = models.DecimalField(_("quantity made"), default=Decimal(1), **QUANTITY)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["product_id", "-valid_from", "id"]
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="bom_code_per_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_quantity_positive"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="bom_validity_order"),
        ]
        indexes = [models.Index(fields=["product", "valid_from"], name="bom_product_valid_from")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.code}"


class BomLine(models.Model):
    """A component: `quantity` of it per `bom.quantity` made, plus `scrap_percent` of that lost on the way."""

    bom = models.ForeignKey(Bom, verbose_name=_("bill of materials"), on_delete=models.CASCADE,
                            related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=1)
    component = models.ForeignKey("catalog.Product", verbose_name=_("component"), on_delete=models.PROTECT,
                                  related_name="used_in_bom_lines")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    scrap_percent = models.DecimalField(_("scrap %"), default=Decimal(0), **PERCENT)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["bom_id", "position", "id"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(condition=Q(scrap_percent__gte=0) & Q(scrap_percent__lt=100),
                                   name="bom_line_scrap_range"),
        ]
        indexes = [models.Index(fields=["component", "bom"], name="bom_line_where_used")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component_id}"

    @property
    def gross_quantity(self) -> Decimal:
        """Per `bom.quantity` made, scrap included: quantity / (1 − scrap %)."""
        return self.quantity * Decimal(100) / (Decimal(100) - self.scrap_percent)


class BomOperation(models.Model):
    """A routing step of a BOM: time on a work centre per unit made, plus set-up once per production order."""

    bom = models.ForeignKey(Bom, verbose_name=_("bill of materials"), on_delete=models.CASCADE,
                            related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("operation"), max_length=200)
    work_centre = models.ForeignKey(WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT,
                                    related_name="bom_operations")
    minutes_per_unit = models.DecimalField(_("minutes per unit"), default=Decimal(0), **MINUTES)
    setup_minutes = models.DecimalField(_("set-up minutes"), default=Decimal(0), **MINUTES)

    class Meta:
        ordering = ["bom_id", "sequence", "id"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(condition=Q(minutes_per_unit__gte=0) & Q(setup_minutes__gte=0),
                                   name="bom_operation_minutes_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductionOrder(TrackedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.IN_PROGRESS, Status.DRAFT, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = (Status.DRAFT, Status.CONFIRMED, Status.IN_PROGRESS)

    number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="production_orders")
    bom = models.ForeignKey(Bom, verbose_name=_("bill of materials"), on_delete=models.PROTECT,
                            related_name="production_orders")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    produced_quantity = models.DecimalField(_("produced"), default=Decimal(0), **QUANTITY)
    scrapped_quantity = models.DecimalField(_("scrapped"), default=Decimal(0), **QUANTITY)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    standard_cost = models.DecimalField(_("standard cost"), default=Decimal(0), **AMOUNT,
                                        help_text=_("For the whole quantity, from the BOM at confirmation."))
    material_cost = models.DecimalField(_("material cost"), default=Decimal(0), **AMOUNT)
    operation_cost = models.DecimalField(_("operation cost"), default=Decimal(0), **AMOUNT)
    # What left work in progress into stock (the outputs' values) and, at the end, what was left there and went
    # to production variances; `variance` is actual − standard of the quantity produced (set when done).
    output_value = models.DecimalField(_("value produced"), default=Decimal(0), **AMOUNT)
    written_off = models.DecimalField(_("written off to variances"), default=Decimal(0), **AMOUNT)
    variance = models.DecimalField(_("variance"), default=Decimal(0), **AMOUNT)
    note = models.TextField(_("note"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        indexes = [
            models.Index(fields=["status", "planned_start", "id"], name="mo_status_start"),
            models.Index(fields=["product", "status"], name="mo_product_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="mo_quantity_positive"),
            models.CheckConstraint(condition=Q(produced_quantity__gte=0) & Q(scrapped_quantity__gte=0),
                                   name="mo_done_not_negative"),
            amount_in_range("standard_cost", "mo_standard_cost_range"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def actual_cost(self) -> Decimal:
        return self.material_cost + self.operation_cost

    @property
    def work_in_progress(self) -> Decimal:
        """What the order holds in work in progress: costs booked less the value produced and written off."""
        return self.actual_cost - self.output_value - self.written_off

    @property
    def standard_unit_cost(self) -> Decimal:
        return self.standard_cost / self.quantity if self.quantity else Decimal(0)

    def can_confirm(self) -> bool:
        return self.Status.CONFIRMED in self.TRANSITIONS[self.status] and self.status == self.Status.DRAFT

    def can_start(self) -> bool:
        return self.Status.IN_PROGRESS in self.TRANSITIONS[self.status]

    def can_finish(self) -> bool:
        return self.Status.DONE in self.TRANSITIONS[self.status]

    def can_cancel(self) -> bool:
        return self.Status.CANCELLED in self.TRANSITIONS[self.status]

    def can_unconfirm(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_in_progress(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.produced_quantity, Decimal(0))


class ProductionOrderComponent(models.Model):
    """What the order needs of one component (from its BOM line, scrap included) and what it has consumed."""

    order = models.ForeignKey(ProductionOrder, verbose_name=_("production order"), on_delete=models.CASCADE,
                              related_name="components")
    bom_line = models.ForeignKey(BomLine, verbose_name=_("BOM line"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=1)
    product = models.ForeignKey("catalog.Product", verbose_name=_("component"), on_delete=models.PROTECT,
                                related_name="+")
    required_quantity = models.DecimalField(_("required"), **QUANTITY)
    consumed_quantity = models.DecimalField(_("consumed"), default=Decimal(0), **QUANTITY)
    standard_unit_cost = models.DecimalField(_("standard unit cost"), default=Decimal(0), **RATE,
                                             help_text=_("Its valuation when the order was confirmed."))
    consumed_value = models.DecimalField(_("consumed value"), default=Decimal(0), **AMOUNT)

    class Meta:
        ordering = ["order_id", "position", "id"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.CheckConstraint(condition=Q(required_quantity__gt=0), name="mo_component_required_positive"),
            models.CheckConstraint(condition=Q(consumed_quantity__gte=0), name="mo_component_consumed_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "order"], name="mo_component_product")]

    def __str__(self) -> str:
        return f"{self.required_quantity} × {self.product_id}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.required_quantity - self.consumed_quantity, Decimal(0))


class ProductionOrderOperation(models.Model):
    """A routing step copied onto the order: planned minutes (set-up + per unit × quantity) and those booked."""

    order = models.ForeignKey(ProductionOrder, verbose_name=_("production order"), on_delete=models.CASCADE,
                              related_name="operations")
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("operation"), max_length=200)
    work_centre = models.ForeignKey(WorkCentre, verbose_name=_("work centre"), on_delete=models.PROTECT,
                                    related_name="order_operations")
    planned_minutes = models.DecimalField(_("planned minutes"), default=Decimal(0), **MINUTES)
    actual_minutes = models.DecimalField(_("actual minutes"), default=Decimal(0), **MINUTES)
    hourly_cost = models.DecimalField(_("cost per hour"), default=Decimal(0), **RATE,
                                      help_text=_("The work centre's rate when the order was confirmed."))

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        verbose_name = _("order operation")
        verbose_name_plural = _("order operations")
        constraints = [
            models.CheckConstraint(condition=Q(planned_minutes__gte=0) & Q(actual_minutes__gte=0),
                                   name="mo_operation_minutes_not_negative"),
        ]
        indexes = [models.Index(fields=["work_centre", "order"], name="mo_operation_centre")]

    def __str__(self) -> str:
        return self.name


class ProductionOrderOutput(models.Model):
    """What one "produce" step recorded: finished goods (into stock, a new lot when tracked), a by-product (into
    stock at the cost given) or scrap (finished units lost: a quantity, no stock)."""

    class Kind(models.TextChoices):
        FINISHED = "finished", _("Finished goods")
        BY_PRODUCT = "by_product", _("By-product")
        SCRAP = "scrap", _("Scrap")

    order = models.ForeignKey(ProductionOrder, verbose_name=_("production order"), on_delete=models.CASCADE,
                              related_name="outputs")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    lot = models.ForeignKey("stock.Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    move = models.ForeignKey("stock.StockMove", verbose_name=_("stock move"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal(0), **RATE)
    value = models.DecimalField(_("value"), default=Decimal(0), **AMOUNT)
    effective_date = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="mo_output_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id}"
