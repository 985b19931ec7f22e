"""Monthly sales targets per representative: a manager sets or removes them; amounts are in the company's
base currency. Reads live in crm.queries.targets."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.errors import BusinessRuleError
from tandem.core.models import User
from tandem.core.money import parse_decimal, quantize
from tandem.core.permissions import require_permission
from tandem.core.services import get_company
from tandem.crm.models import AMOUNT, SalesTarget

TARGET_FIELDS = ("user", "month", "amount", "currency")
MAX_AMOUNT = Decimal(10) ** (AMOUNT["max_digits"] - AMOUNT["decimal_places"])


def month_start(value) -> datetime.date:
    """The first day of the month of a date, or of a "YYYY-MM" / "YYYY-MM-DD" text; refused otherwise."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            raise BusinessRuleError("invalid", _("Give the month as YYYY-MM."), field="month") from None
    if not isinstance(value, datetime.date):
        raise BusinessRuleError("invalid", _("Give the month as YYYY-MM."), field="month")
    return value.replace(day=1)


def _clean_amount(amount, currency: str) -> Decimal:
    try:
        value = amount if isinstance(amount, Decimal) else parse_decimal(amount)
    except ValueError:
        value = None
    if value is None or not value.is_finite():
        raise BusinessRuleError("invalid", _("Enter the target as an amount, e.g. 10000.00."), field="amount")
    if value < 0:
        raise BusinessRuleError("negative_amount", _("A target cannot be negative."), field="amount")
    value = quantize(value, currency)
    if value >= MAX_AMOUNT:
        raise BusinessRuleError("invalid", _("The target is too large."), field="amount")
    return value


def set_target(user: User, month, amount, *, by: User) -> SalesTarget:
    """Set (create or change) the user's target for the month, in the company's base currency."""
    require_permission(by, "crm.change_salestarget")
    if not isinstance(user, User) or not user.is_active:
        raise BusinessRuleError("invalid", _("Choose an active user."), field="user")
    month = month_start(month)
    currency = get_company().base_currency
    value = _clean_amount(amount, currency)
    with transaction.atomic():
        target = SalesTarget.objects.select_for_update().filter(user=user, month=month).first()
        before = audit.snapshot(target, TARGET_FIELDS) if target else {}
        if target is None:
            target = SalesTarget.objects.create(user=user, month=month, amount=value, currency=currency,
                                                created_by=by)
        elif (target.amount, target.currency) == (value, currency):
            return target
        else:
            target.amount, target.currency = value, currency
            target.save(update_fields=["amount", "currency", "updated_at"])
        changes = audit.diff(before, audit.snapshot(target, TARGET_FIELDS))
        audit.record(target, "crm.salestarget.set", by=by, changes=changes)
    return target


def delete_target(target: SalesTarget, *, by: User) -> None:
    require_permission(by, "crm.delete_salestarget")
    with transaction.atomic():
        locked = SalesTarget.objects.select_for_update().get(pk=target.pk)
        audit.record(locked, "crm.salestarget.deleted", by=by,
                     changes=audit.diff(audit.snapshot(locked, TARGET_FIELDS), {k: None for k in TARGET_FIELDS}))
        locked.delete()
