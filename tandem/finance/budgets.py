"""Writes of budgets (the only writer of Budget and BudgetLine): create, rename, delete a budget and set its
amounts per account and period. Accountants keep budgets (finance.add_budget / change_budget / delete_budget);
whoever reads the ledger reads them. Reads and the report are in finance.reports.budgets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import audit, limits
from tandem.core.concurrency import refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.money import minor_unit
from tandem.core.permissions import require_permission
from tandem.finance.models import Account, Budget, BudgetLine, FiscalYear, Period


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("Enter a name."), field="name")
    if len(name) > 200:
        raise BusinessRuleError("too_long", _("A name has at most 200 characters."), field="name")
    return name


def _unique(fiscal_year, name, exclude=None):
    qs = Budget.objects.filter(fiscal_year=fiscal_year, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        raise ConflictError("duplicate_name", _("Another budget of %(year)s is called %(name)s.")
                            % {"year": fiscal_year.name, "name": name}, field="name")


def create_budget(company, *, by, fiscal_year: FiscalYear, name: str) -> Budget:
    require_permission(by, "finance.add_budget")
    name = _name(name)
    if fiscal_year.company_id != company.pk:
        raise BusinessRuleError("unknown_reference", _("Choose a fiscal year of this legal entity."),
                                field="fiscal_year_id")
    with transaction.atomic():
        _unique(fiscal_year, name)
        budget = Budget.objects.create(company=company, fiscal_year=fiscal_year, name=name,
                                       created_by=by if getattr(by, "pk", None) else None)
        audit.record(budget, "finance.budget.created", by=by, changes={"name": name, "fiscal_year": fiscal_year.name})
    return budget


def update_budget(budget: Budget, *, by, name: str, expected_version: int | None = None) -> Budget:
    require_permission(by, "finance.change_budget")
    name = _name(name)
    with transaction.atomic():
        budget = Budget.objects.select_for_update().select_related("fiscal_year", "company").get(pk=budget.pk)
        refuse_stale(budget, expected_version)
        _unique(budget.fiscal_year, name, exclude=budget)
        if name != budget.name:
            audit.record(budget, "finance.budget.changed", by=by, changes={"name": [budget.name, name]})
            budget.name = name
        budget.version += 1
        budget.save()
    return budget


def delete_budget(budget: Budget, *, by) -> None:
    """A budget is a plan nothing refers to: deleting it (with its lines) loses no booked fact."""
    require_permission(by, "finance.delete_budget")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        audit.record(budget, "finance.budget.deleted", by=by, changes={"name": budget.name})
        budget.delete()


def parse_amount(value, currency: str, field: str) -> Decimal:
    """An amount typed or pasted into the grid (from a spreadsheet): spaces dropped; a comma alone is the decimal
    sign ("1234,5"), with a dot present commas are thousands separators ("1,234.50"); empty is zero. Negative
    amounts are allowed (a planned credit on an expense account)."""
    text = str(value if value is not None else "").strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return Decimal(0)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BusinessRuleError("invalid", _("Enter a number."), field=field) from None
    problem = limits.amount_problem(amount, low=-limits.MAX_AMOUNT)
    if problem:
        raise BusinessRuleError("out_of_range", problem, field=field)
    if amount != amount.quantize(Decimal(1).scaleb(-minor_unit(currency))):
        raise BusinessRuleError("too_many_decimals", _("%(currency)s has %(places)s decimals.")
                                % {"currency": currency, "places": minor_unit(currency)}, field=field)
    return amount


def set_budget_amounts(budget: Budget, *, by, amounts: list[dict], expected_version: int | None = None) -> int:
    """Set amounts: each {"account": id or Account, "period": id or Period, "amount": Decimal|str}; zero or empty
    removes the line. All or nothing; answers how many cells changed."""
    require_permission(by, "finance.change_budget")
    currency = budget.company.base_currency
    accounts = {a.pk: a for a in Account.objects.filter(company_id=budget.company_id)}
    periods = {p.pk: p for p in Period.objects.filter(fiscal_year_id=budget.fiscal_year_id)}
    wanted: dict[tuple[int, int], Decimal] = {}
    for index, item in enumerate(amounts):
        account_id = getattr(item["account"], "pk", item["account"])
        period_id = getattr(item["period"], "pk", item["period"])
        if account_id not in accounts:
            raise BusinessRuleError("unknown_reference", _("No such account."), field=f"lines.{index}.account_id")
        if period_id not in periods:
            raise BusinessRuleError("unknown_reference", _("Choose a period of the budget's fiscal year."),
                                    field=f"lines.{index}.period_id")
        wanted[(account_id, period_id)] = parse_amount(item.get("amount"), currency, f"lines.{index}.amount")
    changed = 0
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        refuse_stale(budget, expected_version)
        existing = {(line.account_id, line.period_id): line for line in
                    BudgetLine.objects.filter(budget=budget, account_id__in={a for a, _p in wanted})}
        for (account_id, period_id), amount in sorted(wanted.items()):
            line = existing.get((account_id, period_id))
            if line is None and amount:
                BudgetLine.objects.create(budget=budget, account_id=account_id, period_id=period_id, amount=amount)
            elif line is not None and not amount:
                line.delete()
            elif line is not None and line.amount != amount:
                line.amount = amount
                line.save(update_fields=["amount"])
            else:
                continue
            changed += 1
        if changed:
            budget.version += 1
            budget.save(update_fields=["version", "updated_at"])
            audit.record(budget, "finance.budget.amounts_set", by=by, changes={"cells": changed})
    return changed
