"""Tables of stock valuation (imported by tandem.stock.models, so they belong to the stock app).

- ValuationEntry: one move's effect on one valuation pool (product + warehouse), in the pool's order
  (effective date, move id), with the running quantity and value AFTER it. A revaluation restarts from the
  entry just before a back-dated change instead of from the first move, and "value at a date" is one indexed
  read of the last entry on or before it.
- CostCorrection: a later-known cost of an earlier receipt (a supplier invoice with another price, freight):
  changes the receipt's unit cost without moving any quantity.
- RevaluationEntry: what a back-dated change did to moves valued before it (old value, new value, the date the
  difference belongs to); the ledger posts these (signal stock.signals.stock_revalued)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, QUANTITY, RATE

_MONEY = {"max_digits": AMOUNT["max_digits"], "decimal_places": AMOUNT["decimal_places"]}


class ValuationEntry(models.Model):
    class Basis(models.TextChoices):
        OUT = "out", _("Leaves the warehouse (costed by the method)")
        GIVEN = "given", _("Enters at the cost given")
        DERIVED = "derived", _("Enters at the current cost")
        TRANSFER = "transfer", _("Enters at the cost it left the other warehouse with")
        # A receipt with landed costs added (freight, duties): its value is kept as stored, the cost follows it.
        VALUED = "valued", _("Enters at the value given (its cost plus landed costs)")
        # A customer return: enters at the current unit cost of the shipment it returns (`source_move`), and is
        # revalued whenever that shipment is.
        RETURNED = "returned", _("Enters at the current cost of the shipment it returns")

    move = models.ForeignKey("stock.StockMove", on_delete=models.CASCADE, related_name="valuation_entries")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("stock.Warehouse", on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField(_("effective date"))
    basis = models.CharField(max_length=8, choices=Basis.choices)
    # Basis returned: the outgoing move (a shipment) whose current unit cost this entry takes.
    source_move = models.ForeignKey("stock.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal(0), **RATE)
    value = models.DecimalField(_("value"), default=Decimal(0), **_MONEY)
    # The pool after this entry.
    running_quantity = models.DecimalField(_("quantity on hand"), default=Decimal(0), **QUANTITY)
    running_value = models.DecimalField(_("stock value"), default=Decimal(0), **_MONEY)
    current_cost = models.DecimalField(_("current unit cost"), default=Decimal(0), **RATE)
    cum_in = models.DecimalField(default=Decimal(0), **QUANTITY)   # all quantity that ever entered (FIFO layers)
    cum_out = models.DecimalField(default=Decimal(0), **QUANTITY)  # all quantity that ever left

    class Meta:
        constraints = [models.UniqueConstraint(fields=["move", "warehouse"], name="valuation_entry_once")]
        indexes = [
            models.Index(fields=["product", "warehouse", "effective_date", "move"], name="valuation_entry_pool"),
            models.Index(fields=["warehouse", "product", "effective_date", "move"], name="valuation_entry_wh"),
        ]
        permissions = [("view_valuation", "Can see stock values and costs")]
        verbose_name = _("valuation entry")
        verbose_name_plural = _("valuation entries")

    def __str__(self) -> str:
        return f"{self.move_id}@{self.warehouse_id}: {self.value}"

    @property
    def incoming(self) -> bool:
        return self.basis != self.Basis.OUT


class CostCorrection(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Cost correction")
        LANDED_COST = "landed_cost", _("Landed cost")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CORRECTION)
    move = models.ForeignKey("stock.StockMove", verbose_name=_("receipt"), on_delete=models.PROTECT,
                             related_name="cost_corrections")
    effective_date = models.DateField(_("effective date"))
    old_unit_cost = models.DecimalField(_("old unit cost"), **RATE)
    new_unit_cost = models.DecimalField(_("new unit cost"), **RATE)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A landed cost: the value it added to the receipt, in the legal entity's base currency (the receipt's
    # value becomes its value before plus this, exactly; the unit cost follows).
    added_value = models.DecimalField(_("value added"), null=True, blank=True, **_MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("cost correction")
        verbose_name_plural = _("cost corrections")

    def __str__(self) -> str:
        return f"{self.move_id}: {self.old_unit_cost} → {self.new_unit_cost}"


class RevaluationEntry(models.Model):
    """One move whose value a back-dated change altered. `effective_date` is the move's own date: the ledger
    posts `difference` in that period (or, when it is closed, the first open one)."""

    move = models.ForeignKey("stock.StockMove", on_delete=models.CASCADE, related_name="revaluations")
    warehouse = models.ForeignKey("stock.Warehouse", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("core.LegalEntity", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24)
    effective_date = models.DateField(_("effective date"), db_index=True)
    old_value = models.DecimalField(_("old value"), **_MONEY)
    new_value = models.DecimalField(_("new value"), **_MONEY)
    difference = models.DecimalField(_("difference"), **_MONEY)
    cause_move = models.ForeignKey("stock.StockMove", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    cause_correction = models.ForeignKey(CostCorrection, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="revaluations")
    batch = models.UUIDField(_("revaluation"), db_index=True,
                             help_text=_("The entries one back-dated change made share it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("revaluation entry")
        verbose_name_plural = _("revaluation entries")

    def __str__(self) -> str:
        return f"{self.move_id}: {self.old_value} → {self.new_value}"
