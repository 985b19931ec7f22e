"""Bank and cash accounts, payments and their allocation to invoices, realised and unrealised exchange differences.

A payment posts bank/cash against the receivable (incoming) or payable (outgoing) account of its client in one
entry of the account's journal (BNK/CSH), at the payment's rate. Each allocation lowers an invoice's
`amount_due` in the same transaction; the part of the receivable an allocation settles is credited at the
INVOICE's rate (what the invoice posted), so a payment rate that differs leaves a base-currency difference: the
realised exchange gain or loss, posted in the same entry to the financial account for exchange differences.
What is not allocated stays on the payment (`unallocated_amount`: the client's credit), credited at the
payment's rate, and is allocated later by `allocate_payment` (which posts only the exchange difference, if any).

Locks, always in this order: the payment, the invoices (ordered by pk), then the ledger's own (period,
sequence, balances) inside post_entry. So fifty payments against one invoice queue on its row and never
allocate more than it is owed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import archive, audit
from tandem.core.bulk import insert_row, update_rows
from tandem.core.currencies import is_active_currency
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.limits import MAX_AMOUNT
from tandem.core.money import exchange_rate, quantize
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.core.workflow import transition
from tandem.finance import services as ledger
from tandem.finance.models import (
    Account,
    BankStatementLine,
    Entry,
    Invoice,
    Journal,
    Payment,
    PaymentAccount,
    PaymentAllocation,
)

ZERO = Decimal(0)
RATE_STEP = Decimal("0.000001")
# The generic chart's account for exchange differences; any account of subtype "financial" otherwise.
EXCHANGE_DIFFERENCE_CODE = "7100"
# What a payment may settle: money in settles customer invoices and refunds of supplier credit notes; money out
# settles supplier bills and refunds of customer credit notes. Each settlement moves the document's own control
# account (receivable for customer documents, payable for supplier ones), whatever the direction.
INCOMING_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.SUPPLIER_CREDIT_NOTE)
OUTGOING_KINDS = (Invoice.Kind.SUPPLIER_BILL, Invoice.Kind.CUSTOMER_CREDIT_NOTE)


def _actor(by):
    return by if getattr(by, "pk", None) else None


# --- Accounts the postings use ------------------------------------------------------------------------------

def _active_of_subtype(company_id, subtype):
    return Account.objects.filter(company_id=company_id, subtype=subtype, is_archived=False)


# Read on every payment: compiled once (core.prepared).
_WITH_CODE = prepared(lambda company_id, subtype, code: _active_of_subtype(company_id, subtype)
                      .filter(code=code).order_by("pk")[:1])
_FIRST_OF_SUBTYPE = prepared(lambda company_id, subtype: _active_of_subtype(company_id, subtype)
                             .order_by("code")[:1])
_LOCKED_INVOICES = prepared(lambda ids: Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _account_by_subtype(company, subtype: str, *, code: str = "", message: str, field: str) -> Account:
    account = (_WITH_CODE.first(company.pk, subtype, code) if code else None) \
        or _FIRST_OF_SUBTYPE.first(company.pk, subtype)
    if account is None:
        raise BusinessRuleError(f"no_{subtype}_account", message, field=field)
    return account


def counter_account(company, direction: str) -> Account:
    """The receivable account (incoming payments) or the payable account (outgoing)."""
    if direction == Payment.Direction.INCOMING:
        return _account_by_subtype(company, Account.Subtype.RECEIVABLE, field="direction",
                                   message=_("Mark one asset account as receivable first."))
    return _account_by_subtype(company, Account.Subtype.PAYABLE, code="2000", field="direction",
                               message=_("Mark one liability account as payable first."))


def document_account(company, invoice: Invoice) -> Account:
    """The control account a document posted to: receivable for customer documents, payable for supplier ones."""
    return counter_account(company, Payment.Direction.INCOMING if invoice.is_customer else Payment.Direction.OUTGOING)


def exchange_difference_account(company) -> Account:
    return _account_by_subtype(company, Account.Subtype.FINANCIAL, code=EXCHANGE_DIFFERENCE_CODE, field="rate",
                               message=_("Create an account of subtype financial for exchange differences first."))


def rate_on(company, currency: str, date: datetime.date) -> Decimal:
    """Base currency per one unit of `currency` on `date` (1 for the base currency); 400 no_exchange_rate."""
    if currency == company.base_currency:
        return Decimal(1)
    return exchange_rate(currency, company.base_currency, date).quantize(RATE_STEP)


# --- Bank and cash accounts ---------------------------------------------------------------------------------

PAYMENT_ACCOUNT_FIELDS = ("name", "kind", "currency", "iban", "account", "journal")


def _check_payment_account(company, values: dict, *, current: PaymentAccount | None = None) -> dict:
    kind = values.get("kind", current.kind if current else PaymentAccount.Kind.BANK)
    if kind not in PaymentAccount.Kind.values:
        raise BusinessRuleError("invalid_kind", _("Choose bank or cash."), field="kind")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise BusinessRuleError("required", _("Enter a name."), field="name")
        clash = PaymentAccount.objects.filter(company=company, name=values["name"])
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            raise ConflictError("duplicate_name", _("Another bank or cash account is called %(name)s.")
                                % {"name": values["name"]}, field="name")
    if "currency" in values:
        values["currency"] = (values["currency"] or "").strip().upper()
        if not is_active_currency(values["currency"]):
            raise BusinessRuleError("invalid_currency", _("%(value)s is not an ISO 4217 currency code.")
                                    % {"value": values["currency"]}, field="currency")
        if current is not None and values["currency"] != current.currency and current.payments.exists():
            raise ConflictError("currency_in_use", _("The account has payments; its currency cannot change."),
                                field="currency")
    if "iban" in values:
        values["iban"] = normalise_iban(values["iban"])
    subtype = Account.Subtype.BANK if kind == PaymentAccount.Kind.BANK else Account.Subtype.CASH
    if values.get("account") is None and current is None:
        values["account"] = _account_by_subtype(company, subtype, field="account_id",
                                                message=_("Choose the ledger account of this bank or cash account."))
    account = values.get("account")
    if account is not None and (account.company_id != company.pk or account.subtype != subtype):
        raise BusinessRuleError("invalid_account", _("Choose a ledger account of subtype %(subtype)s.")
                                % {"subtype": Account.Subtype(subtype).label}, field="account_id")
    journal_kind = Journal.Kind.BANK if kind == PaymentAccount.Kind.BANK else Journal.Kind.CASH
    if values.get("journal") is None and current is None:
        values["journal"] = (Journal.objects.filter(company=company, kind=journal_kind, is_archived=False)
                             .order_by("code").first())
        if values["journal"] is None:
            raise BusinessRuleError("required", _("Create a %(kind)s journal first.")
                                    % {"kind": Journal.Kind(journal_kind).label}, field="journal_id")
    journal = values.get("journal")
    if journal is not None and (journal.company_id != company.pk
                                or journal.kind not in (Journal.Kind.BANK, Journal.Kind.CASH)):
        raise BusinessRuleError("invalid_journal", _("Choose a bank or cash journal of this legal entity."),
                                field="journal_id")
    return {k: v for k, v in values.items() if v is not None or k not in ("account", "journal")}


def normalise_iban(value: str) -> str:
    return "".join((value or "").split()).upper()[:34]


def create_payment_account(company, *, by, name: str, currency: str = "", kind: str = PaymentAccount.Kind.BANK,
                           iban: str = "", account: Account | None = None,
                           journal: Journal | None = None) -> PaymentAccount:
    """A bank account or cash box; its ledger account (subtype bank/cash) and journal (BNK/CSH) default to the
    chart's first ones."""
    require_permission(by, "finance.add_paymentaccount")
    values = _check_payment_account(company, {"name": name, "kind": kind, "currency": currency or
                                              company.base_currency, "iban": iban, "account": account,
                                              "journal": journal})
    with transaction.atomic():
        payment_account = PaymentAccount.objects.create(company=company, created_by=_actor(by), **values)
        audit.record(payment_account, "finance.paymentaccount.created", by=by,
                     changes=audit.snapshot(payment_account, ["name", "kind", "currency", "iban"]))
    return payment_account


def update_payment_account(payment_account: PaymentAccount, *, by, expected_version=None,
                           **values) -> PaymentAccount:
    require_permission(by, "finance.change_paymentaccount")
    del expected_version  # the model has no version column: last write wins, audited
    with transaction.atomic():
        locked = PaymentAccount.objects.select_for_update().select_related("company").get(pk=payment_account.pk)
        values = _check_payment_account(locked.company, {k: v for k, v in values.items()
                                                         if k in PAYMENT_ACCOUNT_FIELDS}, current=locked)
        before = audit.snapshot(locked, list(values))
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked, list(values)))
        if changes:
            audit.record(locked, "finance.paymentaccount.changed", by=by, changes=changes)
    return locked


def archive_payment_account(payment_account: PaymentAccount, *, by) -> PaymentAccount:
    require_permission(by, "finance.change_paymentaccount")
    return archive.archive(payment_account, by=by)


def restore_payment_account(payment_account: PaymentAccount, *, by) -> PaymentAccount:
    require_permission(by, "finance.change_paymentaccount")
    return archive.restore(payment_account, by=by)


# --- Payments -----------------------------------------------------------------------------------------------

def parse_amount(value, currency: str, *, field: str) -> Decimal:
    if isinstance(value, float):
        raise BusinessRuleError("invalid_amount", _("Send amounts as strings, e.g. \"12.50\"."), field=field)
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise BusinessRuleError("invalid_amount", _("Enter an amount above 0 and at most %(max)s.")
                                % {"max": MAX_AMOUNT}, field=field)
    if amount != quantize(amount, currency):
        raise BusinessRuleError("too_many_decimals", _("%(currency)s amounts have at most %(places)s decimals.")
                                % {"currency": currency, "places": -quantize(1, currency).as_tuple().exponent},
                                field=field)
    return amount


@dataclass
class _Settlement:
    """One allocation being made: the locked invoice, the amount (invoice currency) and its base values."""

    invoice: Invoice
    amount: Decimal
    at_invoice_rate: Decimal  # base currency
    at_payment_rate: Decimal  # base currency


def _lock_invoices(ids) -> dict[int, Invoice]:
    return {i.pk: i for i in _LOCKED_INVOICES.all(sorted(set(ids)))}


def _check_invoice(payment: Payment, invoice: Invoice, amount: Decimal, field: str) -> None:
    kinds = INCOMING_KINDS if payment.direction == Payment.Direction.INCOMING else OUTGOING_KINDS
    if invoice.company_id != payment.company_id or invoice.kind not in kinds:
        raise BusinessRuleError("invalid_invoice", _("%(invoice)s cannot be settled by this payment.")
                                % {"invoice": invoice}, field=field)
    if invoice.client_id != payment.client_id:
        raise BusinessRuleError("client_mismatch", _("%(invoice)s is not an invoice of this client.")
                                % {"invoice": invoice}, field=field)
    if invoice.currency != payment.currency:
        raise BusinessRuleError("currency_mismatch", _("%(invoice)s is in %(currency)s; the payment is not.")
                                % {"invoice": invoice, "currency": invoice.currency}, field=field)
    if invoice.status not in Invoice.OPEN_STATUSES:
        raise ConflictError("invoice_not_open", _("%(invoice)s is %(status)s: nothing is owed on it.")
                            % {"invoice": invoice, "status": invoice.get_status_display().lower()}, field=field)
    if amount > invoice.amount_due:
        raise ConflictError("over_allocation", _("%(invoice)s has only %(due)s %(currency)s left to pay; "
                                                 "%(amount)s is too much.")
                            % {"invoice": invoice, "due": invoice.amount_due, "currency": invoice.currency,
                               "amount": amount}, field=field)


def _settle(payment: Payment, invoice: Invoice, amount: Decimal, *, by) -> None:
    """Lower the locked invoice's amount due and move its status (issued → partly paid → paid)."""
    invoice.amount_due -= amount
    target = Invoice.Status.PAID if invoice.amount_due == 0 else Invoice.Status.PARTLY_PAID
    if target == invoice.status:
        invoice.save(update_fields=["amount_due", "updated_at"])
    else:
        transition(invoice, target, by=by, locked=True, also_save=["amount_due"],
                   data={"payment": payment.number, "amount": str(amount)})


def _unsettle(invoice: Invoice, amount: Decimal, *, by, payment: Payment) -> None:
    invoice.amount_due += amount
    target = Invoice.Status.ISSUED if invoice.amount_due >= invoice.total else Invoice.Status.PARTLY_PAID
    if target == invoice.status:
        invoice.save(update_fields=["amount_due", "updated_at"])
    else:
        transition(invoice, target, by=by, locked=True, also_save=["amount_due"],
                   data={"payment": payment.number, "amount": str(-amount)})


def _line(account, signed_base: Decimal, *, currency: str = "", signed_amount: Decimal | None = None,
          rate: Decimal | None = None, client=None, counterparty=None, memo: str = "") -> dict:
    """An entry line from a signed base amount (debit positive) and, in a foreign currency, the signed amount."""
    line = {"account": account, "debit": signed_base if signed_base > 0 else ZERO,
            "credit": -signed_base if signed_base < 0 else ZERO, "client": client, "counterparty": counterparty,
            "memo": memo}
    if currency:
        line.update(currency=currency, amount_currency=abs(signed_amount), rate=rate)
    return line


def _settlements(payment: Payment, allocations, invoices: dict[int, Invoice], base: str) -> list[_Settlement]:
    result = []
    for index, (invoice, amount) in enumerate(allocations):
        field = f"allocations.{index}.amount"
        locked = invoices[invoice.pk]
        amount = parse_amount(amount, payment.currency, field=field)
        _check_invoice(payment, locked, amount, f"allocations.{index}.invoice_id")
        locked_so_far = sum((s.amount for s in result if s.invoice.pk == locked.pk), ZERO)
        if locked_so_far + amount > locked.amount_due:
            raise ConflictError("over_allocation", _("%(invoice)s has only %(due)s %(currency)s left to pay.")
                                % {"invoice": locked, "due": locked.amount_due, "currency": locked.currency},
                                field=field)
        result.append(_Settlement(invoice=locked, amount=amount,
                                  at_invoice_rate=quantize(amount * locked.rate, base),
                                  at_payment_rate=quantize(amount * payment.rate, base)))
    return result


def _settlement_lines(payment: Payment, settlements: list[_Settlement], sign: int) -> list[dict]:
    """Receivable/payable lines closing each document's part at its own rate, on the control account it posted
    to (a refunded customer credit note: the receivable); sign -1 credits (incoming)."""
    foreign = payment.currency != payment.company.base_currency
    lines = []
    accounts: dict[bool, Account] = {}
    for s in settlements:
        if s.invoice.is_customer not in accounts:
            accounts[s.invoice.is_customer] = document_account(payment.company, s.invoice)
        lines.append(_line(accounts[s.invoice.is_customer], sign * s.at_invoice_rate, client=payment.client,
                           counterparty=payment.counterparty,
                           memo=str(s.invoice),
                           **({"currency": payment.currency, "signed_amount": sign * s.amount,
                               "rate": s.invoice.rate} if foreign else {})))
    return lines


def _exchange_line(company, lines: list[dict], memo: str) -> dict | None:
    """The base-currency line that balances the entry: a realised exchange gain (credit) or loss (debit)."""
    difference = sum((line["debit"] - line["credit"] for line in lines), ZERO)
    if difference == 0:
        return None
    return _line(exchange_difference_account(company), -difference, memo=memo)


def _record_allocations(payment: Payment, settlements: list[_Settlement], entry: Entry, date, *, by) -> list:
    sign = 1 if payment.direction == Payment.Direction.INCOMING else -1
    rows = []
    for s in settlements:
        gain = sign * (s.at_payment_rate - s.at_invoice_rate)
        rows.append(insert_row(PaymentAllocation(payment=payment, invoice=s.invoice, date=date, amount=s.amount,
                                                 exchange_difference=gain, entry=entry, created_by=_actor(by))))
        _settle(payment, s.invoice, s.amount, by=by)
        audit.record(payment, "finance.payment.allocated", by=by, root=payment.client,
                     changes={"invoice": str(s.invoice), "amount": str(s.amount), "exchange_difference": str(gain)})
    return rows


def register_payment(company, *, direction: str, payment_account: PaymentAccount, date: datetime.date, amount,
                     client, by, currency: str = "", counterparty=None, reference: str = "", memo: str = "",
                     allocations=(), rate=None) -> Payment:
    """Post a payment received (direction "in") or made ("out") and allocate it to invoices.

    `allocations`: [(invoice, amount in the invoice currency), …]; the rest stays unallocated (the client's
    credit). Refusals: 400 invalid_amount / currency_mismatch / client_mismatch / allocation_exceeds_payment /
    no_exchange_rate; 409 over_allocation (naming the invoice) / invoice_not_open / period_closed."""
    require_permission(by, "finance.add_payment")
    if direction not in Payment.Direction.values:
        raise BusinessRuleError("invalid_direction", _("Choose incoming or outgoing."), field="direction")
    if payment_account.company_id != company.pk or payment_account.is_archived:
        raise BusinessRuleError("invalid_payment_account", _("Choose an active bank or cash account of this "
                                                             "legal entity."), field="payment_account_id")
    currency = (currency or payment_account.currency).upper()
    if currency != payment_account.currency:
        raise BusinessRuleError("currency_mismatch", _("%(account)s holds %(currency)s.")
                                % {"account": payment_account, "currency": payment_account.currency},
                                field="currency")
    amount = parse_amount(amount, currency, field="amount")
    if counterparty is not None and counterparty.client_id != client.pk:
        raise BusinessRuleError("invalid_counterparty", _("Choose a legal entity of this client."),
                                field="counterparty_id")
    base = company.base_currency
    if rate in (None, ""):
        rate = rate_on(company, currency, date)
    else:
        try:
            rate = Decimal(str(rate)).quantize(RATE_STEP)
        except InvalidOperation:
            rate = ZERO
        if rate <= 0 or (currency == base and rate != 1):
            raise BusinessRuleError("invalid_rate", _("Enter a rate above zero (1 for the base currency)."),
                                    field="rate")
    allocations = list(allocations)
    sign = 1 if direction == Payment.Direction.INCOMING else -1
    with transaction.atomic():
        invoices = _lock_invoices([invoice.pk for invoice, _amount in allocations])
        payment = Payment(company=company, direction=direction, payment_account=payment_account, date=date,
                          amount=amount, currency=currency, rate=rate, client=client, counterparty=counterparty,
                          reference=(reference or "")[:200], memo=(memo or "")[:300], created_by=_actor(by))
        settlements = _settlements(payment, allocations, invoices, base)
        allocated = sum((s.amount for s in settlements), ZERO)
        if allocated > amount:
            raise BusinessRuleError("allocation_exceeds_payment",
                                    _("The allocations add up to %(allocated)s, more than the payment's %(amount)s.")
                                    % {"allocated": allocated, "amount": amount}, field="allocations")
        payment.unallocated_amount = amount - allocated
        foreign = currency != base
        fx = {"currency": currency, "rate": rate} if foreign else {}
        bank_base = quantize(amount * rate, base)
        counter = counter_account(company, direction)
        lines = [_line(payment_account.account, sign * bank_base, signed_amount=sign * amount, **fx,
                       memo=reference or "")]
        lines += _settlement_lines(payment, settlements, -sign)
        if payment.unallocated_amount:
            unallocated_base = bank_base - sum((s.at_payment_rate for s in settlements), ZERO)
            lines.append(_line(counter, -sign * unallocated_base, signed_amount=-sign * payment.unallocated_amount,
                               client=client, counterparty=counterparty, memo=_("Unallocated"), **fx))
        exchange = _exchange_line(company, lines, _("Realised exchange difference"))
        if exchange:
            lines.append(exchange)
        insert_row(payment)
        entry = ledger.post_entry(company=company, journal=payment_account.journal, date=date, lines=lines,
                                  memo=_("Payment %(direction)s: %(client)s %(reference)s")
                                  % {"direction": payment.get_direction_display().lower(), "client": client,
                                     "reference": reference or ""},
                                  origin=payment, by=by)
        payment.entry, payment.number = entry, entry.reference
        update_rows(Payment, ["entry", "number", "updated_at"], [payment])
        audit.record(payment, "finance.payment.registered", by=by, root=client,
                     changes={"number": payment.number, "amount": str(amount), "direction": direction,
                              "unallocated": str(payment.unallocated_amount)})
        _record_allocations(payment, settlements, entry, date, by=by)
    return payment


def allocate_payment(payment: Payment, invoice: Invoice, amount, *, by, date: datetime.date | None = None
                     ) -> PaymentAllocation:
    """Allocate part of a payment's unallocated amount to an invoice. The credit sat on the receivable (or
    payable) at the payment's rate; when the invoice's rate differs, the difference is posted (the only entry)."""
    require_permission(by, "finance.change_payment")
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related(
            "company", "client", "counterparty", "payment_account__journal").get(pk=payment.pk)
        if payment.status != Payment.Status.POSTED:
            raise ConflictError("payment_reversed", _("The payment is reversed."), field="status")
        date = date or max(payment.date, invoice.invoice_date)
        invoices = _lock_invoices([invoice.pk])
        amount = parse_amount(amount, payment.currency, field="amount")
        if amount > payment.unallocated_amount:
            raise ConflictError("over_allocation", _("Only %(left)s %(currency)s of %(payment)s is unallocated.")
                                % {"left": payment.unallocated_amount, "currency": payment.currency,
                                   "payment": payment}, field="amount")
        settlements = _settlements(payment, [(invoice, amount)], invoices, payment.company.base_currency)
        s = settlements[0]
        sign = 1 if payment.direction == Payment.Direction.INCOMING else -1
        entry = None
        counter = counter_account(payment.company, payment.direction)
        if s.at_payment_rate != s.at_invoice_rate or document_account(payment.company, s.invoice) != counter:
            # Release the credit at the payment's rate, settle the invoice at its own.
            lines = [_line(counter, sign * s.at_payment_rate, currency=payment.currency, signed_amount=sign * amount,
                           rate=payment.rate, client=payment.client, counterparty=payment.counterparty,
                           memo=str(payment))]
            lines += _settlement_lines(payment, settlements, -sign)
            exchange = _exchange_line(payment.company, lines, _("Realised exchange difference"))
            if exchange:
                lines.append(exchange)
            entry = ledger.post_entry(company=payment.company, journal=payment.payment_account.journal, date=date,
                                      lines=lines, memo=_("Allocation of %(payment)s to %(invoice)s")
                                      % {"payment": payment, "invoice": s.invoice}, origin=payment, by=by)
        payment.unallocated_amount -= amount
        payment.save(update_fields=["unallocated_amount", "updated_at"])
        return _record_allocations(payment, settlements, entry or payment.entry, date, by=by)[0]


def reverse_payment(payment: Payment, *, by, date: datetime.date | None = None, memo: str = "") -> Payment:
    """Undo a payment: its allocations (invoices owe again: paid → partly paid → issued), its entries (reversing
    entries on `date`, default the payment's date), and its statement line goes back to be matched."""
    require_permission(by, "finance.change_payment")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("company", "client").get(pk=payment.pk)
        if payment.status != Payment.Status.POSTED:
            raise ConflictError("payment_reversed", _("The payment is already reversed."), field="status")
        allocations = list(payment.allocations.filter(is_reversed=False).order_by("pk"))
        invoices = _lock_invoices([a.invoice_id for a in allocations])
        for allocation in allocations:
            _unsettle(invoices[allocation.invoice_id], allocation.amount, by=by, payment=payment)
        PaymentAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(is_reversed=True)
        entry_ids = sorted({payment.entry_id, *(a.entry_id for a in allocations if a.entry_id)} - {None})
        for entry in Entry.objects.filter(pk__in=entry_ids, status=Entry.Status.POSTED).order_by("pk"):
            ledger.reverse_entry(entry, date=date or payment.date, memo=memo, by=by)
        payment.unallocated_amount = ZERO
        transition(payment, Payment.Status.REVERSED, by=by, locked=True, also_save=["unallocated_amount"],
                   data={"memo": memo[:300]} if memo else None)
        for line in BankStatementLine.objects.select_for_update().filter(payment=payment).order_by("pk"):
            line.payment = None
            transition(line, BankStatementLine.Status.UNMATCHED, by=by, locked=True, also_save=["payment"])
    return payment


# --- Unrealised exchange differences at period end ---------------------------------------------------------

def revalue_open_items(company, date: datetime.date, *, by, journal: Journal | None = None
                       ) -> tuple[Entry | None, Entry | None]:
    """Revalue the open foreign-currency receivables and payables at `date`'s rates: one entry dated `date`
    (per invoice: the amount due at today's rate less at its own rate, to the receivable/payable against the
    exchange-difference account), reversed on the next day so payments realise against the invoice's rate.
    Returns (entry, reversal), or (None, None) when nothing moved. Refused twice for one date (409)."""
    require_permission(by, "finance.add_entry")
    base = company.base_currency
    journal = journal or Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL,
                                                is_archived=False).order_by("code").first()
    if journal is None:
        raise BusinessRuleError("no_general_journal", _("Create a general journal first."), field="journal")
    company_type = ContentType.objects.get_for_model(company)
    with transaction.atomic():
        if Entry.objects.filter(company=company, origin_type=company_type, origin_id=company.pk, date=date,
                                reversal_of__isnull=True).exists():
            raise ConflictError("already_revalued", _("Open items are already revalued on this date."),
                                field="date")
        invoices = list(Invoice.objects.select_for_update()
                        .filter(company=company, status__in=Invoice.OPEN_STATUSES, invoice_date__lte=date,
                                kind__in=(Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.SUPPLIER_BILL))
                        .exclude(currency=base).order_by("pk"))
        lines, rates = [], {}
        for invoice in invoices:
            if invoice.currency not in rates:
                rates[invoice.currency] = rate_on(company, invoice.currency, date)
            now = quantize(invoice.amount_due * rates[invoice.currency], base)
            booked = quantize(invoice.amount_due * invoice.rate, base)
            incoming = invoice.is_customer
            # Receivables are assets (a higher value is a debit); payables liabilities (a credit).
            change = (now - booked) if incoming else (booked - now)
            if change == 0:
                continue
            counter = counter_account(company, Payment.Direction.INCOMING if incoming else Payment.Direction.OUTGOING)
            lines.append(_line(counter, change, client=invoice.client, counterparty=invoice.counterparty,
                               memo=_("Revaluation of %(invoice)s at %(rate)s")
                               % {"invoice": invoice, "rate": rates[invoice.currency]}))
        if not lines:
            return None, None
        lines.append(_exchange_line(company, lines, _("Unrealised exchange difference")))
        entry = ledger.post_entry(company=company, journal=journal, date=date, lines=lines, origin=company, by=by,
                                  memo=_("Revaluation of open foreign-currency items on %(date)s")
                                  % {"date": date.isoformat()})
        reversal = ledger.reverse_entry(entry, date=date + datetime.timedelta(days=1), by=by,
                                        memo=_("Reversal of the revaluation of %(date)s") % {"date": date.isoformat()})
        audit.record(company, "finance.openitems.revalued", by=by,
                     changes={"date": date.isoformat(), "entry": entry.reference, "reversal": reversal.reference})
    return entry, reversal



# --- Credit notes as a source of settlement ------------------------------------------------------------------

def apply_credit_note(credit_note: Invoice, invoice: Invoice, amount, *, by, date: datetime.date | None = None
                      ) -> PaymentAllocation:
    """Use part of a credit note's remaining credit (its `amount_due`) to settle another open invoice of the
    same client in the same currency: a customer credit note against a customer invoice, a supplier credit
    note against a supplier bill. Both amounts due drop; a used-up credit note becomes paid.

    Both documents sit on the same control account, so nothing is posted when their rates agree; otherwise the
    credit is released at the credit note's rate and the invoice settled at its own, the difference a realised
    exchange gain or loss (one entry in the general journal). Both rows are locked in pk order (the same order
    as payments), so parallel applications never over-use either. Refusals: 400 invalid_credit_note /
    invalid_invoice / client_mismatch / currency_mismatch / invalid_amount; 409 invoice_not_open /
    over_allocation (field `amount`). Without `amount`, as much as both allow."""
    require_permission(by, "finance.change_payment")
    with transaction.atomic():
        locked = _lock_invoices([credit_note.pk, invoice.pk])
        if credit_note.pk == invoice.pk:
            raise BusinessRuleError("invalid_invoice", _("Choose another invoice."), field="invoice_id")
        note, target = locked[credit_note.pk], locked[invoice.pk]
        if note.kind not in Invoice.CREDIT_KINDS:
            raise BusinessRuleError("invalid_credit_note", _("%(document)s is not a credit note.")
                                    % {"document": note}, field="credit_note_id")
        wanted_kind = (Invoice.Kind.CUSTOMER_INVOICE if note.kind == Invoice.Kind.CUSTOMER_CREDIT_NOTE
                       else Invoice.Kind.SUPPLIER_BILL)
        if target.kind != wanted_kind or target.company_id != note.company_id:
            raise BusinessRuleError("invalid_invoice", _("%(invoice)s cannot be settled by this credit note.")
                                    % {"invoice": target}, field="invoice_id")
        if target.client_id != note.client_id:
            raise BusinessRuleError("client_mismatch", _("%(invoice)s is not an invoice of this client.")
                                    % {"invoice": target}, field="invoice_id")
        if target.currency != note.currency:
            raise BusinessRuleError("currency_mismatch", _("%(invoice)s is in %(currency)s; the credit note is not.")
                                    % {"invoice": target, "currency": target.currency}, field="invoice_id")
        # No amount: as much as both allow (read under the locks, so a parallel use is seen).
        amount = (parse_amount(amount, note.currency, field="amount") if amount not in (None, "")
                  else min(note.amount_due, target.amount_due))
        if note.status not in Invoice.OPEN_STATUSES or note.amount_due <= 0:
            raise ConflictError("credit_used", _("%(note)s has no credit left.") % {"note": note},
                                field="credit_note_id")
        if target.status not in Invoice.OPEN_STATUSES:
            raise ConflictError("invoice_not_open", _("%(invoice)s is %(status)s: nothing is owed on it.")
                                % {"invoice": target, "status": target.get_status_display().lower()},
                                field="invoice_id")
        if amount > note.amount_due:
            raise ConflictError("over_allocation", _("Only %(left)s %(currency)s of %(note)s is left to use.")
                                % {"left": note.amount_due, "currency": note.currency, "note": note}, field="amount")
        if amount > target.amount_due:
            raise ConflictError("over_allocation", _("%(invoice)s has only %(due)s %(currency)s left to pay.")
                                % {"invoice": target, "due": target.amount_due, "currency": target.currency},
                                field="amount")
        date = date or max(note.invoice_date, target.invoice_date)
        company = note.company
        base = company.base_currency
        released, settled = quantize(amount * note.rate, base), quantize(amount * target.rate, base)
        entry = None
        if released != settled:
            counter = document_account(company, note)
            sign = 1 if note.is_customer else -1  # a customer credit note sits as a credit on the receivable
            fx = {"currency": note.currency}
            lines = [_line(counter, sign * released, signed_amount=sign * amount, rate=note.rate,
                           client=note.client, counterparty=note.counterparty, memo=str(note), **fx),
                     _line(counter, -sign * settled, signed_amount=-sign * amount, rate=target.rate,
                           client=target.client, counterparty=target.counterparty, memo=str(target), **fx)]
            lines.append(_exchange_line(company, lines, _("Realised exchange difference")))
            journal = Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL,
                                             is_archived=False).order_by("code").first()
            if journal is None:
                raise BusinessRuleError("no_general_journal", _("Create a general journal first."), field="journal")
            entry = ledger.post_entry(company=company, journal=journal, date=date, lines=lines, origin=note, by=by,
                                      memo=_("%(note)s applied to %(invoice)s") % {"note": note, "invoice": target})
        allocation = PaymentAllocation.objects.create(
            credit_note=note, invoice=target, date=date, amount=amount, entry=entry,
            exchange_difference=(released - settled) * (1 if note.is_customer else -1), created_by=_actor(by))
        for document in (target, note):
            document.amount_due -= amount
            status = Invoice.Status.PAID if document.amount_due == 0 else Invoice.Status.PARTLY_PAID
            if status == document.status:
                document.save(update_fields=["amount_due", "updated_at"])
            else:
                transition(document, status, by=by, locked=True, also_save=["amount_due"],
                           data={"amount": str(amount), "_currency": document.currency})
        audit.record(target, "finance.invoice.credited", by=by, root=target.client,
                     changes={"credit_note": note.number, "amount": str(amount), "_currency": target.currency})
    return allocation
