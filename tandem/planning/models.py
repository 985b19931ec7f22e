"""Planning (issue #15): the planning run and what it proposes.

`PlanningParameter` holds, per product and warehouse, what the run needs beyond the other apps: the minimum
stock and safety stock kept there (together a demand due today, "reorder point"), whether the product is
bought or made (auto: made when it has a BOM in force), and how many days making it takes (the make lead
time; buying uses the supplier price's lead time).

A `PlanningRun` is one run; its `PlanningProposal` rows propose a purchase (with the chosen supplier price)
or a production order, each with the date it is needed, the date it must start and the demands it serves
(`PlanningPegging`). Open proposals are replaced by the next run; confirmed ones point at the order they became."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import QUANTITY, RATE, TrackedModel


class PlanningParameter(TrackedModel):
    class Source(models.TextChoices):
        AUTO = "auto", _("Make when it has a BOM, else buy")
        BUY = "buy", _("Buy")
        MAKE = "make", _("Make")

    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="planning_parameters")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="+")
    source = models.CharField(_("buy or make"), max_length=8, choices=Source.choices, default=Source.AUTO)
    minimum_stock = models.DecimalField(_("minimum stock (reorder point)"), default=Decimal(0), **QUANTITY)
    safety_stock = models.DecimalField(_("safety stock"), default=Decimal(0), **QUANTITY)
    make_lead_time_days = models.PositiveIntegerField(_("make lead time (days)"), default=1)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("planning parameter")
        verbose_name_plural = _("planning parameters")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="planning_parameter_once"),
            models.CheckConstraint(condition=Q(minimum_stock__gte=0) & Q(safety_stock__gte=0),
                                   name="planning_parameter_stock_not_negative"),
            models.CheckConstraint(condition=Q(make_lead_time_days__lte=3650), name="planning_parameter_lead_time"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}"


class PlanningRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    plan_date = models.DateField(_("planned on"))
    products = models.PositiveIntegerField(_("products planned"), default=0)
    demands = models.PositiveIntegerField(_("demand lines"), default=0)
    proposals = models.PositiveIntegerField(_("proposals"), default=0)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.plan_date}"


class PlanningProposal(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        MAKE = "make", _("Make")

    class Status(models.TextChoices):
        OPEN = "open", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")

    run = models.ForeignKey(PlanningRun, verbose_name=_("planning run"), on_delete=models.CASCADE,
                            related_name="proposal_rows")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # product: indexed by planning_proposal_product (product, status); warehouse and BOM: not searched by.
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="planning_proposals", db_index=False)
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("warehouse"), on_delete=models.CASCADE,
                                  related_name="+", db_index=False)
    level = models.PositiveIntegerField(_("BOM level"), default=0,
                                        help_text=_("0: sold as it is; 1 and more: a component that many levels down."))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    net_quantity = models.DecimalField(_("quantity needed"), **QUANTITY,
                                       help_text=_("Before the minimum quantity and pack size."))
    need_date = models.DateField(_("needed on"))
    start_date = models.DateField(_("start on"))
    is_late = models.BooleanField(_("late"), default=False,
                                  help_text=_("It should have started before today to be ready in time."))
    supplier = models.ForeignKey("purchasing.SupplierProfile", verbose_name=_("supplier"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **RATE)
    bom = models.ForeignKey("production.Bom", verbose_name=_("bill of materials"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="+", db_index=False)
    # Orders are cancelled, not deleted: no index for the rare SET NULL (the run writes 10⁵ rows at once).
    purchase_order = models.ForeignKey("purchasing.PurchaseOrder", verbose_name=_("purchase order"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    production_order = models.ForeignKey("production.ProductionOrder", verbose_name=_("production order"),
                                         null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                         db_index=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["start_date", "level", "id"]
        verbose_name = _("planning proposal")
        verbose_name_plural = _("planning proposals")
        permissions = [("confirm_purchase_proposal", "Can confirm purchase proposals"),
                       ("confirm_make_proposal", "Can confirm production proposals")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(net_quantity__gt=0),
                                   name="planning_proposal_quantity_positive"),
            models.CheckConstraint(condition=Q(start_date__lte=models.F("need_date")),
                                   name="planning_proposal_start_before_need"),
        ]
        indexes = [
            models.Index(fields=["status", "start_date"], name="planning_proposal_status"),
            models.Index(fields=["product", "status"], name="planning_proposal_product"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id}"


class PlanningPegging(models.Model):
    """One demand (or part of one) a proposal serves."""

    class Kind(models.TextChoices):
        SALES = "sales", _("Sales order")
        COMPONENT = "component", _("Production order component")
        PLANNED = "planned", _("Proposed production")
        MINIMUM = "minimum", _("Minimum stock")

    # Pegging rows are written and deleted only by the planning run, together with their proposals, in one
    # transaction (services._drop_open_proposals, _store): no database constraint to check 10⁵ times at commit.
    proposal = models.ForeignKey(PlanningProposal, verbose_name=_("proposal"), on_delete=models.CASCADE,
                                 related_name="pegging", db_constraint=False)
    kind = models.CharField(_("demand"), max_length=10, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    need_date = models.DateField(_("needed on"))
    sales_line = models.ForeignKey("sales.OrderLine", verbose_name=_("sales order line"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    production_order = models.ForeignKey("production.ProductionOrder", verbose_name=_("production order"),
                                         null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                         db_index=False)
    parent = models.ForeignKey(PlanningProposal, verbose_name=_("proposed production"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["need_date", "id"]
        verbose_name = _("pegging")
        verbose_name_plural = _("pegging")

    def __str__(self) -> str:
        return f"{self.quantity} → {self.proposal_id}"
