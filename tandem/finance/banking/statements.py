"""Bank statements: import (CSV with a column mapping, MT940, CAMT.053), suggestions of open invoices per line,
and a person's decision per line (confirm → a payment allocated to the invoices; or ignore).

Idempotent: a file already imported for the account (same SHA-256) creates nothing; a line already imported
(same account, date, amount, reference and bank transaction id; the n-th identical line of a file counts as
its own) is skipped. The outcome says how many lines were new and how many were there already."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.core import audit
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.limits import MAX_AMOUNT, check_date
from tandem.core.money import quantize
from tandem.core.permissions import require_permission
from tandem.core.workflow import transition
from tandem.finance.banking import parsers
from tandem.finance.banking.services import INCOMING_KINDS, OUTGOING_KINDS, normalise_iban, register_payment
from tandem.finance.models import BankLineSuggestion, BankStatement, BankStatementLine, Invoice, Payment, PaymentAccount
from tandem.parties.models import BankAccount

MAX_SUGGESTIONS = 5
ZERO = Decimal(0)
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass
class ImportOutcome:
    statement: BankStatement | None
    created: int
    skipped: int
    already_imported: bool = False

    @property
    def message(self) -> str:
        if self.already_imported:
            return _("This file was imported before (statement %(statement)s); nothing was added.") % {
                "statement": self.statement}
        if not self.created:
            return ngettext("The file's %(count)s line was imported before; nothing was added.",
                            "The file's %(count)s lines were imported before; nothing was added.",
                            self.skipped) % {"count": self.skipped}
        text = ngettext("%(count)s line imported.", "%(count)s lines imported.", self.created) % {
            "count": self.created}
        if self.skipped:
            text += " " + ngettext("%(count)s line was imported before and is skipped.",
                                   "%(count)s lines were imported before and are skipped.",
                                   self.skipped) % {"count": self.skipped}
        return text


def _key(line: parsers.ParsedLine, occurrence: int) -> str:
    raw = "|".join([line.date.isoformat(), str(line.amount.normalize()), " ".join(line.reference.split()).lower(),
                    line.transaction_id.strip(), str(occurrence)])
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_file(content: bytes, *, format: str = "auto", csv_options: dict | None = None) -> parsers.ParsedStatement:
    format = parsers.detect_format(content) if format in ("", "auto") else format
    if format == BankStatement.Format.MT940:
        return parsers.parse_mt940(content)
    if format == BankStatement.Format.CAMT053:
        return parsers.parse_camt053(content)
    if format == BankStatement.Format.CSV:
        options = dict(csv_options or {})
        return parsers.parse_csv(content, mapping=options.pop("mapping", {}), **options)
    raise BusinessRuleError("invalid_format", _("Choose CSV, MT940 or CAMT.053."), field="format")


def import_statement(payment_account: PaymentAccount, content: bytes, *, by, file_name: str = "",
                     format: str = "auto", csv_options: dict | None = None) -> ImportOutcome:
    """Read a statement file into new lines of `payment_account` and suggest invoices for them."""
    require_permission(by, "finance.add_bankstatement")
    if payment_account.is_archived:
        raise BusinessRuleError("archived", _("%(account)s is archived.") % {"account": payment_account},
                                field="payment_account_id")
    if isinstance(content, str):
        content = content.encode()
    if not content:
        raise BusinessRuleError("required", _("Attach a statement file."), field="file")
    file_hash = hashlib.sha256(content).hexdigest()
    existing = BankStatement.objects.filter(payment_account=payment_account, file_hash=file_hash).first()
    if existing is not None:
        return ImportOutcome(statement=existing, created=0, skipped=existing.line_count, already_imported=True)
    parsed = parse_file(content, format=format, csv_options=csv_options)
    if parsed.account and payment_account.iban and normalise_iban(parsed.account) != payment_account.iban:
        raise BusinessRuleError("wrong_account", _("The file is a statement of %(file)s, not of %(account)s.")
                                % {"file": parsed.account, "account": payment_account.iban}, field="file")
    if not parsed.lines:
        raise BusinessRuleError("no_lines", _("The file holds no transactions."), field="file")
    currency = payment_account.currency
    seen: Counter = Counter()
    rows = []
    for number, line in enumerate(parsed.lines, start=1):
        line_currency = (line.currency or currency).upper()
        if line_currency != currency:
            raise BusinessRuleError("currency_mismatch", _("Line %(line)s is in %(currency)s; %(account)s holds "
                                                           "%(account_currency)s.")
                                    % {"line": number, "currency": line_currency, "account": payment_account,
                                       "account_currency": currency}, field="file")
        if abs(line.amount) > MAX_AMOUNT or line.amount != quantize(line.amount, currency):
            raise BusinessRuleError("invalid_file", _("Line %(line)s: %(amount)s is not a %(currency)s amount.")
                                    % {"line": number, "amount": line.amount, "currency": currency}, field="file")
        check_date(line.date, field="file")
        identity = (line.date, line.amount, " ".join(line.reference.split()).lower(), line.transaction_id)
        seen[identity] += 1
        rows.append((line, _key(line, seen[identity])))
    with transaction.atomic():
        # Serialise imports into one account (the key check below and the inserts).
        PaymentAccount.objects.select_for_update().filter(pk=payment_account.pk).get()
        known = set(BankStatementLine.objects.filter(payment_account=payment_account,
                                                     dedupe_key__in=[key for _line, key in rows])
                    .values_list("dedupe_key", flat=True))
        new = [(line, key) for line, key in rows if key not in known]
        skipped = len(rows) - len(new)
        if not new:
            return ImportOutcome(statement=None, created=0, skipped=skipped)
        dates = [line.date for line, _key_ in rows]
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    payment_account=payment_account, format=parsed.format, reference=parsed.reference[:100],
                    date_from=min(dates), date_to=max(dates), opening_balance=parsed.opening_balance,
                    closing_balance=parsed.closing_balance, file_name=(file_name or "")[:200], file_hash=file_hash,
                    line_count=len(new), created_by=by if getattr(by, "pk", None) else None)
        except IntegrityError:
            raise ConflictError("already_imported", _("This file is being imported by someone else."),
                                field="file") from None
        lines = BankStatementLine.objects.bulk_create([
            BankStatementLine(statement=statement, payment_account=payment_account, date=line.date,
                              amount=line.amount, currency=currency, counterparty_name=line.name[:200],
                              iban=normalise_iban(line.iban), reference=line.reference[:500],
                              transaction_id=line.transaction_id[:100], dedupe_key=key)
            for line, key in new])
        if not all(line.pk for line in lines):  # backends that do not return ids from bulk inserts
            lines = list(statement.lines.order_by("pk"))
        suggest_matches(lines)
        audit.record(statement, "finance.bankstatement.imported", by=by,
                     changes={"file": file_name or "", "lines": len(new), "skipped": skipped,
                              "format": parsed.format})
    return ImportOutcome(statement=statement, created=len(new), skipped=skipped)


# --- Matching -------------------------------------------------------------------------------------------

def _tokens(text: str) -> set[str]:
    return {token.upper() for token in TOKEN.findall(text or "")}


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", (text or "").lower()).strip()


def _candidates(lines: list[BankStatementLine]) -> tuple[list[Invoice], dict[int, set[str]]]:
    """Open invoices a line could settle: by number in a reference, by amount due, by the payer's IBAN."""
    if not lines:
        return [], {}
    company_id = lines[0].payment_account.company_id
    tokens = set().union(*(_tokens(line.reference) for line in lines))
    amounts = {abs(line.amount) for line in lines}
    ibans = {line.iban for line in lines if line.iban}
    iban_counterparties: dict[int, set[str]] = defaultdict(set)
    for counterparty_id, number in BankAccount.objects.filter(
            Q(account_number__in=ibans) | Q(account_number__in=[_spaced(i) for i in ibans])
            ).values_list("counterparty_id", "account_number"):
        iban_counterparties[counterparty_id].add(normalise_iban(number))
    condition = Q(amount_due__in=amounts)
    if tokens:
        condition |= Q(number__in=tokens)
    if iban_counterparties:
        condition |= Q(counterparty_id__in=iban_counterparties)
    invoices = list(Invoice.objects.filter(condition, company_id=company_id, status__in=Invoice.OPEN_STATUSES,
                                           kind__in=INCOMING_KINDS + OUTGOING_KINDS, currency=lines[0].currency)
                    .select_related("client", "counterparty").order_by("due_date", "pk")[:2000])
    return invoices, iban_counterparties


def _spaced(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def score(line: BankStatementLine, invoice: Invoice, iban_counterparties: dict[int, set[str]]) -> int:
    """How well an open invoice fits a line: its number in the reference 4, the exact amount due 2, the payer's
    IBAN on the invoice's legal entity 2, the payer's name 1. Direction must fit (money in: customer invoices)."""
    incoming = line.amount > 0
    if (invoice.kind in INCOMING_KINDS) != incoming:
        return 0
    points = 0
    if invoice.number and invoice.number.upper() in _tokens(line.reference):
        points += 4
    if invoice.amount_due == abs(line.amount):
        points += 2
    if line.iban and line.iban in iban_counterparties.get(invoice.counterparty_id, ()):
        points += 2
    name = _fold(line.counterparty_name)
    if name and any(_fold(candidate) and (_fold(candidate) in name or name in _fold(candidate))
                    for candidate in (invoice.client.name, getattr(invoice.counterparty, "legal_name", ""))):
        points += 1
    return points


def suggest_matches(lines: list[BankStatementLine]) -> None:
    """Fill each open line's suggested invoices (best first) and mark it suggested or unmatched."""
    lines = [line for line in lines if line.is_open]
    invoices, iban_counterparties = _candidates(lines)
    for line in lines:
        ranked = sorted(((score(line, invoice, iban_counterparties), invoice) for invoice in invoices),
                        key=lambda pair: (-pair[0], pair[1].due_date, pair[1].pk))
        chosen = [(points, invoice) for points, invoice in ranked if points >= 2][:MAX_SUGGESTIONS]
        BankLineSuggestion.objects.filter(line=line).delete()
        BankLineSuggestion.objects.bulk_create([BankLineSuggestion(line=line, invoice=invoice, score=points)
                                                for points, invoice in chosen])
        status = BankStatementLine.Status.SUGGESTED if chosen else BankStatementLine.Status.UNMATCHED
        if line.status != status:
            line.status = status
            line.save(update_fields=["status", "updated_at"])


def _lock_line(line: BankStatementLine) -> BankStatementLine:
    locked = (BankStatementLine.objects.select_for_update().select_related("payment_account__company")
              .get(pk=line.pk))
    if not locked.is_open:
        raise ConflictError("line_decided", _("This line is already %(status)s.")
                            % {"status": locked.get_status_display().lower()}, field="status")
    return locked


def confirm_line(line: BankStatementLine, *, by, allocations=None, invoices=None, client=None,
                 date: datetime.date | None = None) -> Payment:
    """Register the payment the line shows, allocated to the chosen invoices, and mark the line confirmed.

    `allocations`: [(invoice, amount)] as the person set them; or `invoices`: the amount is spread over them
    in the given order (each up to its amount due); neither: the line's first suggestion. What is left is
    the client's credit. `client` is needed only when no invoice is chosen."""
    require_permission(by, "finance.change_bankstatementline")
    with transaction.atomic():
        locked = _lock_line(line)
        amount = abs(locked.amount)
        if allocations is None:
            if invoices is None and client is None:
                invoices = [best.invoice for best in locked.suggestions.select_related("invoice")[:1]]
            allocations, left = [], amount
            for invoice in invoices or []:
                share = min(invoice.amount_due, left)
                if share > 0:
                    allocations.append((invoice, share))
                    left -= share
        allocations = list(allocations)
        clients = {invoice.client_id for invoice, _amount in allocations}
        if len(clients) > 1:
            raise BusinessRuleError("several_clients", _("Choose invoices of one client."), field="allocations")
        if client is None:
            if not allocations:
                raise BusinessRuleError("required", _("Choose an invoice or a client."), field="invoice_ids")
            client = allocations[0][0].client
        elif clients and clients != {client.pk}:
            raise BusinessRuleError("client_mismatch", _("The invoices are not of this client."), field="client_id")
        counterparties = {invoice.counterparty_id for invoice, _amount in allocations}
        counterparty = allocations[0][0].counterparty if len(counterparties) == 1 and allocations else None
        account = locked.payment_account
        payment = register_payment(
            account.company, direction=Payment.Direction.INCOMING if locked.amount > 0 else Payment.Direction.OUTGOING,
            payment_account=account, date=date or locked.date, amount=amount, currency=locked.currency,
            client=client, counterparty=counterparty, reference=locked.reference[:200],
            memo=locked.counterparty_name, allocations=allocations, by=by)
        locked.payment = payment
        transition(locked, BankStatementLine.Status.CONFIRMED, by=by, locked=True, also_save=["payment"],
                   data={"payment": payment.number})
    return payment


def ignore_line(line: BankStatementLine, *, by) -> BankStatementLine:
    require_permission(by, "finance.change_bankstatementline")
    with transaction.atomic():
        locked = _lock_line(line)
        return transition(locked, BankStatementLine.Status.IGNORED, by=by, locked=True)
