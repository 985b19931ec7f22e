"""Every write to the ledger. Other apps post through `post_entry(..., origin=document)` and never write
finance tables themselves.

Locks, always in this order: the period (serialises postings and closing of one month), the entry sequence
row of the journal and fiscal year (gapless numbers), then account balances (one period, so no two postings
touch them at once). `post_entry` checks no permission: the caller's own action was authorised (a manual
entry by finance.add_entry in the API and pages; an invoice by the invoicing permission of its app)."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import archive, audit
from tandem.core.bulk import add_to, insert_row, insert_rows, next_in_sequence
from tandem.core.concurrency import refuse_stale
from tandem.core.currencies import is_active_currency
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.limits import MAX_AMOUNT
from tandem.core.money import minor_unit, quantize
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.core.workflow import transition
from tandem.finance import errors
from tandem.finance.charts import generic
from tandem.finance.models import (
    Account,
    AccountBalance,
    Entry,
    EntryLine,
    EntrySequence,
    FiscalYear,
    Journal,
    Period,
)

ZERO = Decimal(0)


@dataclass
class LineIn:
    """One line given to post_entry. Base-currency amounts in `debit` or `credit`; a line in another currency
    also gives `currency`, `amount_currency` (positive, on the same side) and optionally `rate` (base per
    unit; computed from the two amounts when missing)."""

    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    currency: str = ""
    amount_currency: Decimal | None = None
    rate: Decimal | None = None
    memo: str = ""
    client: object = None
    counterparty: object = None


def _as_line(raw) -> LineIn:
    return raw if isinstance(raw, LineIn) else LineIn(**raw)


def _amount(value, currency: str, name: str, index: int) -> Decimal:
    key = f"lines.{index}.{name}"
    try:
        amount = Decimal(value if value not in (None, "") else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise BusinessRuleError("invalid_amount", _("Enter a number."), field=key) from None
    if isinstance(value, float):
        raise BusinessRuleError("invalid_amount", _("Enter a number."), field=key)
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise BusinessRuleError("invalid_amount", _("Enter an amount between 0 and %(max)s.")
                                % {"max": MAX_AMOUNT}, field=key)
    if amount != quantize(amount, currency):
        raise BusinessRuleError("too_many_decimals", _("%(currency)s amounts have at most %(places)s decimals.")
                                % {"currency": currency, "places": minor_unit(currency)}, field=key)
    return amount


def _periods_on(company_id, date):
    return Period.objects.select_related("fiscal_year").filter(company_id=company_id, start_date__lte=date,
                                                                end_date__gte=date).order_by("pk")[:1]


# Read on every posting: compiled once (core.prepared).
_PERIOD = prepared(_periods_on)
_LOCKED_PERIOD = prepared(lambda company_id, date: _periods_on(company_id, date).select_for_update())


def _period_for(company, date: datetime.date, *, lock: bool) -> Period:
    date = Period._meta.get_field("start_date").to_python(date)  # "2026-01-05" as the ORM took it
    period = (_LOCKED_PERIOD if lock else _PERIOD).first(company.pk, date)
    if period is None:
        raise errors.no_period(date)
    return period


def _next_number(journal: Journal, fiscal_year: FiscalYear) -> int:
    """The journal's next number in the fiscal year: the sequence row's UPDATE holds it until the posting
    commits, so concurrent postings queue and numbers have no gaps."""
    number = next_in_sequence(EntrySequence, "last_number", journal_id=journal.pk, fiscal_year_id=fiscal_year.pk)
    if number is None:  # the first posting of the journal in the year
        try:
            with transaction.atomic():
                EntrySequence.objects.get_or_create(journal=journal, fiscal_year=fiscal_year)
        except IntegrityError:
            pass  # created by a concurrent posting meanwhile
        number = next_in_sequence(EntrySequence, "last_number", journal_id=journal.pk,
                                  fiscal_year_id=fiscal_year.pk)
    return number


def _add_to_balances(company, period: Period, lines: list[EntryLine]) -> None:
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        sums[line.account_id][0] += line.debit
        sums[line.account_id][1] += line.credit
    for account_id in sorted(sums):
        debit, credit = sums[account_id]
        if not add_to(AccountBalance, {"debit": debit, "credit": credit}, account_id=account_id,
                      period_id=period.pk):
            insert_row(AccountBalance(company=company, account_id=account_id, period=period, debit=debit,
                                      credit=credit))


def _check_lines(company, raw_lines) -> list[LineIn]:
    base = company.base_currency
    lines = [_as_line(raw) for raw in raw_lines]
    if len(lines) < 2:
        raise BusinessRuleError("too_few_lines", _("An entry needs at least two lines."), field="lines")
    foreign: dict[str, Decimal] = defaultdict(lambda: ZERO)
    total_debit = total_credit = ZERO
    for index, line in enumerate(lines):
        account = line.account
        if account is None or account.company_id != company.pk:
            raise BusinessRuleError("invalid_account", _("Choose an account of this legal entity."),
                                    field=f"lines.{index}.account")
        if account.is_archived:
            raise BusinessRuleError("archived_account", _("%(account)s is archived.") % {"account": account},
                                    field=f"lines.{index}.account")
        line.debit = _amount(line.debit, base, "debit", index)
        line.credit = _amount(line.credit, base, "credit", index)
        if (line.debit > 0) == (line.credit > 0):
            raise BusinessRuleError("one_side", _("Enter either a debit or a credit."),
                                    field=f"lines.{index}.debit")
        line.currency = (line.currency or base).upper()
        side = 1 if line.debit > 0 else -1
        base_amount = line.debit or line.credit
        if line.currency == base:
            line.amount_currency, line.rate = base_amount * side, Decimal(1)
        else:
            if not is_active_currency(line.currency):
                raise BusinessRuleError("invalid_currency", _("%(value)s is not an ISO 4217 currency code.")
                                        % {"value": line.currency}, field=f"lines.{index}.currency")
            amount = _amount(line.amount_currency, line.currency, "amount_currency", index)
            if amount == 0:
                raise BusinessRuleError("amount_currency_required", _("Enter the amount in %(currency)s.")
                                        % {"currency": line.currency}, field=f"lines.{index}.amount_currency")
            if line.rate in (None, ""):
                line.rate = (base_amount / amount).quantize(Decimal("0.000001"))
            else:
                line.rate = Decimal(line.rate)
                if line.rate <= 0 or quantize(amount * line.rate, base) != base_amount:
                    raise BusinessRuleError(
                        "rate_mismatch", _("%(amount)s %(currency)s at this rate is not %(base)s %(base_currency)s.")
                        % {"amount": amount, "currency": line.currency, "base": base_amount, "base_currency": base},
                        field=f"lines.{index}.rate")
            line.amount_currency = amount * side
            foreign[line.currency] += line.amount_currency
        total_debit += line.debit
        total_credit += line.credit
    if total_debit != total_credit:
        raise errors.unbalanced(base, total_debit, total_credit)
    for currency, total in sorted(foreign.items()):
        if total != 0:
            raise errors.unbalanced(currency, sum((x.amount_currency for x in lines
                                                   if x.currency == currency and x.amount_currency > 0), ZERO),
                                    -sum((x.amount_currency for x in lines
                                          if x.currency == currency and x.amount_currency < 0), ZERO))
    return lines


def _origin(origin) -> tuple[ContentType | None, int | None]:
    if origin is None:
        return None, None
    return ContentType.objects.get_for_model(origin), origin.pk


def _post(*, company, journal: Journal, date: datetime.date, lines, memo: str, origin, by,
          reversal_of: Entry | None = None, is_closing: bool = False, allow_closed: bool = False) -> Entry:
    if journal.company_id != company.pk:
        raise BusinessRuleError("invalid_journal", _("Choose a journal of this legal entity."), field="journal")
    if journal.is_archived:
        raise BusinessRuleError("archived_journal", _("%(journal)s is archived.") % {"journal": journal},
                                field="journal")
    checked = _check_lines(company, lines)
    actor = by if getattr(by, "pk", None) else None
    with transaction.atomic():
        period = _period_for(company, date, lock=True)
        if not allow_closed and (period.status == Period.Status.CLOSED
                                 or period.fiscal_year.status == FiscalYear.Status.CLOSED):
            raise errors.period_closed(period)
        origin_type, origin_id = _origin(origin)
        entry = insert_row(Entry(
            company=company, journal=journal, fiscal_year=period.fiscal_year, period=period, date=date,
            number=_next_number(journal, period.fiscal_year), memo=memo[:300], status=Entry.Status.POSTED,
            is_closing=is_closing, reversal_of=reversal_of, origin_type=origin_type, origin_id=origin_id,
            posted_at=timezone.now(), posted_by=actor, created_by=actor))
        rows = insert_rows([
            EntryLine(entry=entry, company=company, account=line.account, period=period, date=date,
                      debit=line.debit, credit=line.credit, currency=line.currency,
                      amount_currency=line.amount_currency, rate=line.rate, memo=(line.memo or "")[:300],
                      client=line.client, counterparty=line.counterparty)
            for line in checked])
        _add_to_balances(company, period, rows)
        audit.record(entry, "finance.entry.posted", by=by,
                     changes={"reference": entry.reference, "total": str(sum((r.debit for r in rows), ZERO))})
    return entry


def post_entry(*, company, journal: Journal, date: datetime.date, lines, memo: str = "", origin=None, by) -> Entry:
    """Post a balanced entry: numbered (gapless per journal and fiscal year), immutable from now on.

    `lines`: LineIn objects or dicts of its fields. Refusals: 400 unbalanced / one_side / too_many_decimals /
    invalid_account (field lines.<i>.<name>), 400 no_fiscal_year, 409 period_closed."""
    return _post(company=company, journal=journal, date=date, lines=lines, memo=memo, origin=origin, by=by)


def reverse_entry(entry: Entry, *, date: datetime.date | None = None, memo: str = "", by) -> Entry:
    """Post the mirror image of a posted entry (debits become credits) on `date` (default: the entry's date)
    and mark the original reversed. A closed period refuses the reversal like any posting."""
    require_permission(by, "finance.change_entry")
    with transaction.atomic():
        original = Entry.objects.select_for_update().select_related("company", "journal").get(pk=entry.pk)
        if not original.can_reverse():
            raise ConflictError("not_reversible", _("Only a posted entry that is not a reversal itself can be "
                                                    "reversed."), field="status")
        lines = [LineIn(account=line.account, debit=line.credit, credit=line.debit, currency=line.currency,
                        amount_currency=abs(line.amount_currency), rate=line.rate, memo=line.memo,
                        client=line.client, counterparty=line.counterparty)
                 for line in original.lines.select_related("account")]
        reversal = _post(company=original.company, journal=original.journal, date=date or original.date,
                         lines=lines, memo=memo or _("Reversal of %(reference)s") % {"reference": original.reference},
                         origin=None, by=by, reversal_of=original)
        original.status = Entry.Status.REVERSED
        original.save(update_fields=["status", "updated_at"])
        audit.record(original, "finance.entry.reversed", by=by,
                     changes={"status": [Entry.Status.POSTED, Entry.Status.REVERSED],
                              "reversal": reversal.reference})
    return reversal


# --- Fiscal years and periods -------------------------------------------------------------------------------

def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def create_fiscal_year(company, *, start_date: datetime.date, by, name: str = "") -> FiscalYear:
    """A fiscal year of twelve monthly periods starting on the first of a month."""
    require_permission(by, "finance.add_fiscalyear")
    if start_date.day != 1:
        raise BusinessRuleError("not_first_of_month", _("A fiscal year starts on the first day of a month."),
                                field="start_date")
    end_date = _add_months(start_date, 12) - datetime.timedelta(days=1)
    with transaction.atomic():
        if FiscalYear.objects.filter(company=company, start_date__lte=end_date, end_date__gte=start_date).exists():
            raise ConflictError("overlapping_year", _("Another fiscal year covers part of these dates."),
                                field="start_date")
        year = FiscalYear.objects.create(
            company=company, start_date=start_date, end_date=end_date,
            name=name or (str(start_date.year) if start_date.month == 1 else f"{start_date.year}/{end_date:%y}"),
            created_by=by if getattr(by, "pk", None) else None)
        Period.objects.bulk_create([
            Period(company=company, fiscal_year=year, number=n + 1, start_date=_add_months(start_date, n),
                   end_date=_add_months(start_date, n + 1) - datetime.timedelta(days=1))
            for n in range(12)])
        audit.record(year, "finance.fiscalyear.created", by=by,
                     changes={"start_date": start_date.isoformat(), "end_date": end_date.isoformat()})
    return year


def close_period(period: Period, *, by) -> Period:
    require_permission(by, "finance.change_period")
    if period.fiscal_year.status == FiscalYear.Status.CLOSED:
        raise ConflictError("year_closed", _("The fiscal year is closed."), field="status")
    return transition(period, Period.Status.CLOSED, by=by)


def reopen_period(period: Period, *, by, reason: str = "") -> Period:
    """Reopen a closed period (permission finance.reopen_period; audited with the reason). A period of a
    closed fiscal year stays closed."""
    require_permission(by, "finance.reopen_period")
    if period.fiscal_year.status == FiscalYear.Status.CLOSED:
        raise ConflictError("year_closed", _("The fiscal year is closed; its periods cannot be reopened."),
                            field="status")
    return transition(period, Period.Status.OPEN, by=by, data={"reason": reason[:300]} if reason else None)


def retained_earnings_account(company) -> Account:
    account = (Account.objects.filter(company=company, subtype=Account.Subtype.RETAINED_EARNINGS, is_archived=False)
               .order_by("code").first())
    if account is None:
        raise BusinessRuleError("no_retained_earnings", _("Mark one equity account as retained earnings first."),
                                field="retained_earnings_account")
    return account


def close_fiscal_year(year: FiscalYear, *, by, journal: Journal | None = None) -> FiscalYear:
    """Carry the year's income and expense balances to retained earnings with a closing entry dated the
    year's last day, then close every period and the year."""
    require_permission(by, "finance.change_fiscalyear")
    company = year.company
    with transaction.atomic():
        year = FiscalYear.objects.select_for_update().select_related("company").get(pk=year.pk)
        if not year.can_close():
            raise ConflictError("year_closed", _("The fiscal year is already closed."), field="status")
        if FiscalYear.objects.filter(company=company, end_date__lt=year.start_date,
                                     status=FiscalYear.Status.OPEN).exists():
            raise ConflictError("earlier_year_open", _("Close the earlier fiscal years first."), field="status")
        periods = list(Period.objects.select_for_update().filter(fiscal_year=year).order_by("pk"))
        retained = retained_earnings_account(company)
        journal = journal or Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL,
                                                    is_archived=False).order_by("code").first()
        if journal is None:
            raise BusinessRuleError("no_general_journal", _("Create a general journal first."), field="journal")
        sums = (AccountBalance.objects.filter(period__fiscal_year=year, account__type__in=Account.PROFIT_AND_LOSS)
                .values("account").annotate(debit=Sum("debit"), credit=Sum("credit")).order_by("account"))
        lines, result = [], ZERO
        accounts = Account.objects.in_bulk([row["account"] for row in sums])
        for row in sums:
            balance = row["debit"] - row["credit"]
            if balance == 0:
                continue
            result += balance
            lines.append(LineIn(account=accounts[row["account"]], debit=-balance if balance < 0 else ZERO,
                                credit=balance if balance > 0 else ZERO))
        if lines:
            # A profit (credits exceeded debits: result < 0) is credited to retained earnings.
            lines.append(LineIn(account=retained, debit=result if result > 0 else ZERO,
                                credit=-result if result < 0 else ZERO))
            _post(company=company, journal=journal, date=year.end_date, lines=lines,
                  memo=_("Closing of fiscal year %(year)s") % {"year": year.name}, origin=None, by=by,
                  is_closing=True, allow_closed=True)
        now, actor = timezone.now(), (by if getattr(by, "pk", None) else None)
        Period.objects.filter(pk__in=[p.pk for p in periods]).update(
            status=Period.Status.CLOSED, status_changed_at=now, status_changed_by=actor)
        year.status, year.closed_at, year.closed_by = FiscalYear.Status.CLOSED, now, actor
        year.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        audit.record(year, "finance.fiscalyear.closed", by=by,
                     changes={"status": [FiscalYear.Status.OPEN, FiscalYear.Status.CLOSED],
                              "result": str(-result), "_currency": company.base_currency})
    return year


# --- Chart of accounts and journals ---------------------------------------------------------------------------

ACCOUNT_FIELDS = ("code", "name", "type", "subtype", "parent")


def _check_account(company, values: dict, *, account: Account | None = None) -> dict:
    if "type" in values and values["type"] not in Account.Type.values:
        raise BusinessRuleError("invalid_type", _("Choose an account type."), field="type")
    if "subtype" in values and (values["subtype"] or "") not in Account.Subtype.values:
        raise BusinessRuleError("invalid_subtype", _("Choose an account subtype."), field="subtype")
    if "code" in values:
        values["code"] = (values["code"] or "").strip()
        if not values["code"]:
            raise BusinessRuleError("required", _("Enter a code."), field="code")
        clash = Account.objects.filter(company=company, code=values["code"])
        if account is not None:
            clash = clash.exclude(pk=account.pk)
        if clash.exists():
            raise ConflictError("duplicate_code", _("Another account has the code %(code)s.")
                                % {"code": values["code"]}, field="code")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise BusinessRuleError("required", _("Enter a name."), field="name")
    parent = values.get("parent")
    if parent is not None:
        if parent.company_id != company.pk:
            raise BusinessRuleError("invalid_parent", _("Choose an account of this legal entity."), field="parent_id")
        walk = parent
        while walk is not None:
            if account is not None and walk.pk == account.pk:
                raise BusinessRuleError("parent_cycle", _("An account cannot be grouped under itself."),
                                        field="parent_id")
            walk = walk.parent
    if account is not None and "type" in values and values["type"] != account.type and account.lines.exists():
        raise ConflictError("type_in_use", _("The account has postings; its type cannot change."), field="type")
    return values


def create_account(company, *, by, code: str, name: str, type: str, subtype: str = "", parent=None) -> Account:
    require_permission(by, "finance.add_account")
    values = _check_account(company, {"code": code, "name": name, "type": type, "subtype": subtype or "",
                                      "parent": parent})
    with transaction.atomic():
        account = Account.objects.create(company=company, created_by=by if getattr(by, "pk", None) else None,
                                         **values)
        audit.record(account, "finance.account.created", by=by,
                     changes=audit.snapshot(account, ["code", "name", "type", "subtype"]))
    return account


def update_account(account: Account, *, by, expected_version: int | None = None, **values) -> Account:
    require_permission(by, "finance.change_account")
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        refuse_stale(account, expected_version)
        values = _check_account(account.company, {k: v for k, v in values.items() if k in ACCOUNT_FIELDS},
                                account=account)
        before = audit.snapshot(account, list(values))
        for key, value in values.items():
            setattr(account, key, value)
        account.version += 1
        account.save()
        changes = audit.diff(before, audit.snapshot(account, list(values)))
        if changes:
            audit.record(account, "finance.account.changed", by=by, changes=changes)
    return account


def create_journal(company, *, by, code: str, name: str, kind: str) -> Journal:
    require_permission(by, "finance.add_journal")
    code, name = (code or "").strip().upper(), (name or "").strip()
    if not code:
        raise BusinessRuleError("required", _("Enter a code."), field="code")
    if len(code) > 8:
        raise BusinessRuleError("too_long", _("A journal code has at most 8 characters."), field="code")
    if not name:
        raise BusinessRuleError("required", _("Enter a name."), field="name")
    if kind not in Journal.Kind.values:
        raise BusinessRuleError("invalid_kind", _("Choose a journal kind."), field="kind")
    if Journal.objects.filter(company=company, code=code).exists():
        raise ConflictError("duplicate_code", _("Another journal has the code %(code)s.") % {"code": code},
                            field="code")
    with transaction.atomic():
        journal = Journal.objects.create(company=company, code=code, name=name, kind=kind,
                                         created_by=by if getattr(by, "pk", None) else None)
        audit.record(journal, "finance.journal.created", by=by, changes={"code": code, "name": name, "kind": kind})
    return journal


def install_chart_template(company, *, by, template: str = "generic") -> int:
    """Create the shipped chart (finance/charts/<template>.py) and its journals for a legal entity; accounts
    and journals that exist (same code) are left as they are. Returns the number of accounts created."""
    require_permission(by, "finance.add_account")
    charts = {"generic": generic}
    if template not in charts:
        raise BusinessRuleError("unknown_template", _("There is no such chart template."), field="template")
    chart = charts[template]
    actor = by if getattr(by, "pk", None) else None
    created = 0
    with transaction.atomic():
        by_code = {a.code: a for a in Account.objects.filter(company=company)}
        for code, name, type_, subtype, parent_code in chart.ACCOUNTS:
            if code in by_code:
                continue
            by_code[code] = Account.objects.create(company=company, code=code, name=str(name), type=type_,
                                                   subtype=subtype, parent=by_code.get(parent_code),
                                                   created_by=actor)
            created += 1
        existing = set(Journal.objects.filter(company=company).values_list("code", flat=True))
        for code, name, kind in chart.JOURNALS:
            if code not in existing:
                Journal.objects.create(company=company, code=code, name=str(name), kind=kind, created_by=actor)
        audit.record(company, "finance.chart.installed", by=by, changes={"template": template, "accounts": created})
        from tandem.finance.services.taxes import install_tax_rates  # the taxes invoices need, shipped as data

        install_tax_rates(by=by)
    return created



def archive_account(account: Account, *, by) -> Account:
    require_permission(by, "finance.change_account")
    return archive.archive(account, by=by)


def restore_account(account: Account, *, by) -> Account:
    require_permission(by, "finance.change_account")
    return archive.restore(account, by=by)


def archive_journal(journal: Journal, *, by) -> Journal:
    require_permission(by, "finance.change_journal")
    return archive.archive(journal, by=by)


def restore_journal(journal: Journal, *, by) -> Journal:
    require_permission(by, "finance.change_journal")
    return archive.restore(journal, by=by)
