"""What the bridge posted (or still has to post) for each stock move and revaluation.

One StockPosting per stock move (or revaluation entry) and legal entity whose inventory it changes: `amount`
is the signed change of that entity's stock value (+ goods came in, − goods went out), `counter` names the
account the other side goes to. Posted rows point to their journal entry; pending rows wait for the ledger
(no chart, no STK journal, or no fiscal year covering the date) and are posted by
services.post_pending(company, by=). A move is never posted twice: the row is unique per move (or
revaluation entry) and legal entity."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT


class StockPosting(models.Model):
    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        PENDING = "pending", _("Pending")

    class Counter(models.TextChoices):
        GOODS_RECEIVED = "goods_received", _("Goods received not invoiced")
        COGS = "cogs", _("Cost of goods sold")
        STOCK_ADJUSTMENT = "stock_adjustment", _("Stock adjustments")
        LANDED_COST = "landed_cost", _("Landed costs to allocate")
        WORK_IN_PROGRESS = "work_in_progress", _("Work in progress")

    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    move = models.ForeignKey("stock.StockMove", verbose_name=_("stock move"), on_delete=models.PROTECT,
                             related_name="+")
    revaluation = models.ForeignKey("stock.RevaluationEntry", verbose_name=_("revaluation"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    stock_date = models.DateField(_("stock date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    counter = models.CharField(_("counter account"), max_length=24, choices=Counter.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    reason = models.CharField(_("why pending"), max_length=24, blank=True)
    entry = models.ForeignKey("finance.Entry", verbose_name=_("journal entry"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        ordering = ["stock_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["move", "company"], condition=Q(revaluation__isnull=True),
                                    name="stock_posting_once_per_move"),
            models.UniqueConstraint(fields=["revaluation", "company"], condition=Q(revaluation__isnull=False),
                                    name="stock_posting_once_per_revaluation"),
        ]
        indexes = [models.Index(fields=["company", "status", "stock_date"], name="stock_posting_pending")]
        verbose_name = _("stock posting")
        verbose_name_plural = _("stock postings")

    def __str__(self) -> str:
        return f"{self.move_id}: {self.amount} ({self.status})"
