"""Writes of receivables: credit limits and the credit policy, the credit check upper apps call before they
commit a client to more, dunning levels and the dunning run.

`check_credit(client, amount, currency, by=)` is what sales calls when an order is confirmed (sales sits above
finance and may import it; finance never names the order)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, formats, limits, modules, money
from tandem.core.concurrency import bump_version, refuse_stale
from tandem.core.currencies import is_active_currency
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.permissions import require_permission
from tandem.core.services import default_legal_entity
from tandem.finance.models import Account, CreditLimit, CreditPolicy, DunningLevel, DunningReminder, Invoice
from tandem.finance.receivables import queries

ZERO = Decimal(0)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("number", "amount", "due_date", "days", "client")
LIMIT_FIELDS = ("amount", "currency", "max_overdue", "max_days_overdue", "note")
LEVEL_FIELDS = ("days_overdue", "name", "text", "fee", "fee_currency")


def audit_value(value):
    """A value as the audit trail stores it (amounts and dates as text)."""
    return str(value) if isinstance(value, Decimal) else value


# --- Credit limits -------------------------------------------------------------------------------------------

def _check_amount(value, field: str) -> Decimal:
    if value is None:
        return None
    value = Decimal(value)
    limits.check_amount(value, field=field)
    return value


def set_credit_limit(client, *, by, amount, currency: str, max_overdue=None, max_days_overdue: int | None = None,
                     note: str = "", expected_version: int | None = None) -> CreditLimit:
    """Set (or change) the client's credit limit; audited on the client's card."""
    require_permission(by, "finance.change_creditlimit")
    amount = _check_amount(amount, "amount")
    currency = (currency or "").upper()
    if not is_active_currency(currency):
        raise BusinessRuleError("invalid_currency", _("Choose a currency."), field="currency")
    amount = money.quantize(amount, currency)
    max_overdue = _check_amount(max_overdue, "max_overdue")
    if max_overdue is not None:
        max_overdue = money.quantize(max_overdue, currency)
    if max_days_overdue is not None and not 0 <= int(max_days_overdue) <= 36500:
        raise BusinessRuleError("out_of_range", _("Enter between 0 and 36500 days."), field="max_days_overdue")
    values = {"amount": amount, "currency": currency, "max_overdue": max_overdue,
              "max_days_overdue": max_days_overdue, "note": (note or "").strip()[:300]}
    with transaction.atomic():
        row = CreditLimit.objects.select_for_update().filter(client=client).first()
        if row is None:
            row = CreditLimit.objects.create(client=client, created_by=by, **values)
            audit.record(row, "finance.creditlimit.set", by=by, root=client, changes=audit.snapshot(row, LIMIT_FIELDS))
            return row
        refuse_stale(row, expected_version)
        before = audit.snapshot(row, LIMIT_FIELDS)
        changes = {name: [before[name], audit_value(value)] for name, value in values.items()
                   if getattr(row, name) != value}
        if changes:
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[*values, "updated_at", *bump_version(row)])
            audit.record(row, "finance.creditlimit.changed", by=by, root=client, changes=changes)
    return row


def remove_credit_limit(client, *, by) -> None:
    """The client has no limit any more (nothing refers to the row: it is deleted, the audit keeps it)."""
    require_permission(by, "finance.change_creditlimit")
    with transaction.atomic():
        row = CreditLimit.objects.select_for_update().filter(client=client).first()
        if row is not None:
            audit.record(row, "finance.creditlimit.removed", by=by, root=client,
                         changes=audit.snapshot(row, LIMIT_FIELDS))
            row.delete()


def set_credit_policy(company, mode: str, *, by) -> CreditPolicy:
    require_permission(by, "finance.change_creditpolicy")
    if mode not in CreditPolicy.Mode.values:
        raise BusinessRuleError("invalid_choice", _("Choose refuse or approval."), field="mode")
    with transaction.atomic():
        row, created = CreditPolicy.objects.select_for_update().get_or_create(company=company,
                                                                            defaults={"mode": mode, "created_by": by})
        if not created and row.mode != mode:
            old = row.mode
            row.mode = mode
            row.save(update_fields=["mode", "updated_at"])
            audit.record(row, "finance.creditpolicy.changed", by=by, root=company, changes={"mode": [old, mode]})
    return row


def check_credit(client, amount, currency: str, *, by, company=None, on: datetime.date | None = None,
                 document=None) -> queries.Exposure | None:
    """Refuse (409 `credit_limit_exceeded`) committing `amount` more to the client when its exposure plus the
    amount exceeds its credit limit, or its overdue amount (or days) exceeds the maximum. Under the "approval"
    policy a user with `finance.override_credit_limit` goes ahead; the override is audited on the client.

    Call it inside the caller's transaction: the audit entry rolls back with a refused confirmation."""
    limit = queries.credit_limit_of(client)
    if limit is None:  # one statement for a client without a limit
        return None
    if "finance" not in modules.enabled_module_keys():  # finance switched off: its limits are not enforced
        return None
    company = company or getattr(document, "company", None) or default_legal_entity()
    on = on or timezone.localdate()
    exposure = queries.client_exposure(client, on=on, company=company)
    amount = Decimal(amount or 0)
    added = amount if currency.upper() == exposure.currency else money.convert(amount, currency, exposure.currency,
                                                                               on=on)
    reasons = []
    if exposure.balance + added > limit.amount:
        reasons.append(_("the balance %(balance)s plus %(amount)s exceeds the credit limit %(limit)s")
                       % {"balance": formats.format_money(exposure.balance, exposure.currency),
                          "amount": formats.format_money(added, exposure.currency),
                          "limit": formats.format_money(limit.amount, limit.currency)})
    if limit.max_overdue is not None and exposure.overdue > limit.max_overdue:
        reasons.append(_("%(overdue)s is overdue, more than the %(maximum)s allowed")
                       % {"overdue": formats.format_money(exposure.overdue, exposure.currency),
                          "maximum": formats.format_money(limit.max_overdue, limit.currency)})
    if limit.max_days_overdue is not None and exposure.max_days_overdue > limit.max_days_overdue:
        reasons.append(_("an invoice is %(days)s days overdue, more than the %(maximum)s days allowed")
                       % {"days": exposure.max_days_overdue, "maximum": limit.max_days_overdue})
    if not reasons:
        return exposure
    detail = "; ".join(reasons)
    if queries.credit_policy(company) == CreditPolicy.Mode.APPROVAL and by.has_perm("finance.override_credit_limit"):
        changes = {"reason": detail, "amount": str(added), "_currency": exposure.currency}
        if document is not None:
            changes["document"] = str(document)
        audit.record(limit, "finance.creditlimit.overridden", by=by, root=client, changes=changes)
        return exposure
    if queries.credit_policy(company) == CreditPolicy.Mode.APPROVAL:
        detail += ". " + _("A manager may approve it by confirming it.")
    raise ConflictError("credit_limit_exceeded",
                        _("Credit limit of %(client)s exceeded: %(detail)s.") % {"client": client, "detail": detail},
                        field=None, extra={"balance": str(exposure.balance), "overdue": str(exposure.overdue),
                                           "limit": str(limit.amount), "currency": exposure.currency})


# --- Dunning levels --------------------------------------------------------------------------------------------

def _level_values(company, *, days_overdue, name, text, fee, fee_currency, exclude_pk=None) -> dict:
    days = int(days_overdue)
    if not 1 <= days <= 36500:
        raise BusinessRuleError("out_of_range", _("Enter between 1 and 36500 days."), field="days_overdue")
    if DunningLevel.objects.filter(company=company, days_overdue=days).exclude(pk=exclude_pk).exists():
        raise ConflictError("duplicate", _("A level for %(days)s days overdue exists already.") % {"days": days},
                            field="days_overdue")
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("required", _("Name the level."), field="name")
    text = (text or "").strip()
    if not text:
        raise BusinessRuleError("required", _("Write the reminder text."), field="text")
    unknown = sorted({p for p in PLACEHOLDER.findall(text) if p not in PLACEHOLDERS})
    if unknown:
        raise BusinessRuleError("unknown_placeholder", _("Unknown placeholder: %(names)s. Use %(known)s.")
                                % {"names": ", ".join(unknown), "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
                                field="text")
    fee_currency = (fee_currency or company.base_currency).upper() if fee else ""
    fee = _check_amount(fee, "fee") if fee else None
    if fee is not None:
        fee = money.quantize(fee, fee_currency)
    return {"days_overdue": days, "name": name[:100], "text": text, "fee": fee, "fee_currency": fee_currency}


def create_dunning_level(company, *, by, days_overdue, name, text, fee=None, fee_currency="") -> DunningLevel:
    require_permission(by, "finance.add_dunninglevel")
    values = _level_values(company, days_overdue=days_overdue, name=name, text=text, fee=fee, fee_currency=fee_currency)
    with transaction.atomic():
        level = DunningLevel.objects.create(company=company, created_by=by, **values)
        audit.record(level, "finance.dunninglevel.created", by=by, root=company,
                     changes=audit.snapshot(level, LEVEL_FIELDS))
    return level


def update_dunning_level(level: DunningLevel, *, by, **data) -> DunningLevel:
    require_permission(by, "finance.change_dunninglevel")
    current = {"days_overdue": level.days_overdue, "name": level.name, "text": level.text, "fee": level.fee,
               "fee_currency": level.fee_currency}
    current.update({k: v for k, v in data.items() if k in current})
    values = _level_values(level.company, exclude_pk=level.pk, **current)
    is_active = data.get("is_active", level.is_active)
    with transaction.atomic():
        locked = DunningLevel.objects.select_for_update().get(pk=level.pk)
        before = audit.snapshot(locked, LEVEL_FIELDS)
        changes = {k: [before[k], audit_value(v)] for k, v in values.items() if getattr(locked, k) != v}
        if locked.is_active != is_active:
            changes["is_active"] = [locked.is_active, is_active]
        for k, v in values.items():
            setattr(locked, k, v)
        locked.is_active = is_active
        locked.save()
        if changes:
            audit.record(locked, "finance.dunninglevel.changed", by=by, root=locked.company, changes=changes)
    return locked


# --- The dunning run ---------------------------------------------------------------------------------------

def reminder_text(level: DunningLevel, invoice: Invoice, days: int) -> str:
    values = {"number": invoice.number, "amount": formats.format_money(invoice.amount_due, invoice.currency),
              "due_date": formats.format_date(invoice.due_date), "days": str(days), "client": str(invoice.client)}
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), level.text)


def run_dunning(company, date: datetime.date, *, by, send: bool = False) -> list[DunningReminder]:
    """Propose (or, with `send`, send) a reminder for each overdue customer invoice of the legal entity at
    `date`: the highest active level whose days overdue it has reached, unless the invoice already had that
    level or a higher one. An invoice never gets the same level twice. Returns the new reminders."""
    require_permission(by, "finance.run_dunning")
    limits.check_date(date, field="date")
    levels = list(DunningLevel.objects.filter(company=company, is_active=True).order_by("days_overdue"))
    if not levels:
        raise BusinessRuleError("no_dunning_levels", _("Set up at least one dunning level first."), field=None)
    first = levels[0].days_overdue
    with transaction.atomic():
        invoices = list(Invoice.objects.select_for_update(of=("self",)).filter(
            company=company, kind=Invoice.Kind.CUSTOMER_INVOICE, status__in=Invoice.OPEN_STATUSES,
            amount_due__gt=0, due_date__lte=date - datetime.timedelta(days=first))
            .select_related("client").order_by("pk"))
        reached = {}
        for invoice_id, days in (DunningReminder.objects.filter(invoice__in=invoices)
                                 .values_list("invoice_id", "level__days_overdue")):
            reached[invoice_id] = max(days, reached.get(invoice_id, 0))
        created = []
        for invoice in invoices:
            days = (date - invoice.due_date).days
            level = next((lv for lv in reversed(levels) if lv.days_overdue <= days), None)
            if level is None or reached.get(invoice.pk, 0) >= level.days_overdue:
                continue
            created.append(DunningReminder(
                company=company, invoice=invoice, level=level, client=invoice.client, run_date=date,
                days_overdue=days, amount_due=invoice.amount_due, currency=invoice.currency,
                fee=level.fee or ZERO, text=reminder_text(level, invoice, days), created_by=by))
        DunningReminder.objects.bulk_create(created)
        for reminder in created:
            audit.record(reminder, "finance.reminder.proposed", by=by, root=reminder.client,
                         changes={"level": reminder.level.name, "invoice": reminder.invoice.number})
        if send:
            send_reminders(created, by=by)
    return created


FEE_ACCOUNT_CODE = "4900"  # Other income in the generic chart


def _fee_account(company):
    """Where reminder fees are booked: the chart's 4900 Other income, else the sales account (line left empty)."""
    return Account.objects.filter(company=company, code=FEE_ACCOUNT_CODE, type=Account.Type.INCOME,
                                  is_archived=False).first()


def _charge_fee(reminder: DunningReminder, *, by) -> Invoice | None:
    """The level's fee as a customer invoice of its own, issued on the reminder's run date in the base currency,
    tax exempt (a fee is no supply), billed to the reminded invoice's counterparty, with the reminder as origin:
    receivable ↔ other income, so the receivable control account stays the sum of open customer balances and
    the fee is paid, allocated and dunned like any invoice. No fee (or zero): nothing."""
    if not reminder.fee or reminder.fee <= 0:
        return None
    from tandem.finance.services import invoices as invoice_services  # the receivables app sits below invoices

    invoice = reminder.invoice
    fee_invoice = invoice_services.create_invoice(
        by=by, client=reminder.client, company=reminder.company, counterparty=invoice.counterparty,
        invoice_date=reminder.run_date, currency=reminder.level.fee_currency or reminder.company.base_currency,
        origin=reminder,
        notes=_("Reminder fee for invoice %(number)s.") % {"number": invoice.number},
        lines=[{"description": _("Reminder fee: %(level)s, invoice %(number)s")
                % {"level": reminder.level.name, "number": invoice.number},
                "quantity": Decimal(1), "unit_price": reminder.fee, "tax_kind": "exempt",
                "account": _fee_account(reminder.company)}])
    return invoice_services.issue_invoice(fee_invoice, by=by)


def send_reminders(reminders, *, by) -> int:
    """Mark proposed reminders sent and put each on its client's timeline (text, invoice, amount, run date).
    Sending the mail itself is comms' job (not built yet): the reminder text is what it will send."""
    require_permission(by, "finance.run_dunning")
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        ids = [r.pk for r in reminders]
        for reminder in (DunningReminder.objects.select_for_update(of=("self",))
                         .filter(pk__in=ids, status=DunningReminder.Status.PROPOSED)
                         .select_related("invoice", "level", "client").order_by("pk")):
            reminder.status = DunningReminder.Status.SENT
            reminder.sent_at, reminder.sent_by = now, by
            reminder.fee_invoice = _charge_fee(reminder, by=by)
            reminder.save(update_fields=["status", "sent_at", "sent_by", "fee_invoice", "updated_at"])
            changes = {"level": reminder.level.name, "invoice": reminder.invoice.number,
                       "run_date": reminder.run_date.isoformat(), "amount_due": str(reminder.amount_due),
                       "_currency": reminder.currency, "text": reminder.text}
            if reminder.fee_invoice is not None:
                changes.update({"fee": str(reminder.fee), "fee_invoice": reminder.fee_invoice.number})
            audit.record(reminder, "finance.reminder.sent", by=by, root=reminder.client, changes=changes)
            sent += 1
        for given in reminders:  # the caller's objects read as sent too
            if given.status == DunningReminder.Status.PROPOSED:
                given.status, given.sent_at, given.sent_by = DunningReminder.Status.SENT, now, by
    return sent
