"""Budgets: planned amounts per account and period of one fiscal year, compared with the ledger's actuals.

A budget belongs to one legal entity and fiscal year; its lines hold one amount per account and period, in the
account's natural sign (income and liabilities as credits, expenses and assets as debits, both entered
positive). A dimension (project, department) is not modelled yet: a nullable reference on BudgetLine would add
it without changing the rest."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.models import AMOUNT, TrackedModel


class Budget(TrackedModel):
    company = models.ForeignKey("core.LegalEntity", verbose_name=_("legal entity"), on_delete=models.PROTECT,
                                related_name="+")
    fiscal_year = models.ForeignKey("finance.FiscalYear", verbose_name=_("fiscal year"), on_delete=models.PROTECT,
                                    related_name="budgets")
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["company_id", "-fiscal_year__start_date", "name"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "name"], name="budget_name_per_year")]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return f"{self.name} {self.fiscal_year.name}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey("finance.Account", verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="+")
    period = models.ForeignKey("finance.Period", verbose_name=_("period"), on_delete=models.PROTECT,
                               related_name="+")
    amount = models.DecimalField(_("amount"), default=Decimal(0), **AMOUNT)

    class Meta:
        ordering = ["budget_id", "account_id", "period_id"]
        constraints = [models.UniqueConstraint(fields=["budget", "account", "period"], name="budget_line_once")]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.account_id}@{self.period_id}: {self.amount}"
