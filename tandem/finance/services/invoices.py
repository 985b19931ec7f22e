"""Customer invoices and credit notes: drafts with lines (`create_invoice`, `update_invoice`), issuing (a gapless
number and one balanced entry in the sales journal), cancelling a draft, and credit notes (`create_credit_note`)
that post the mirror image and settle the credited invoice. Supplier bills and supplier credit notes
(`create_supplier_bill`) share the drafts, numbers and credit notes and post in the purchase journal
(`_bill_posting_lines`); upper apps may refuse an issue through `issue_checks.register_pre_issue_check`.

Permissions: drafts need finance.add_invoice / change_invoice and a client the user may see (a sales
representative invoices own clients' orders); issuing and crediting need finance.issue_invoice (accountants
and administrators). Locks: the invoice, then the sequence row of its company, kind and year (gapless numbers:
a rolled-back issue gives its number back), then the ledger's own (period, entry sequence, balances)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, limits
from tandem.core.bulk import insert_row, insert_rows, next_in_sequence
from tandem.core.concurrency import refuse_stale
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import LegalEntity
from tandem.core.money import NoExchangeRate, exchange_rate, quantize
from tandem.core.permissions import require_permission
from tandem.core.prepared import prepared
from tandem.core.workflow import transition
from tandem.finance import signals
from tandem.finance.calculations import LineInput, document_totals
from tandem.finance.models import (
    Account,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Journal,
    PaymentAllocation,
    TaxRate,
)
from tandem.finance.services.issue_checks import run_pre_issue_checks
from tandem.finance.services.ledger import LineIn, post_entry
from tandem.finance.services.taxes import tax_rate_for, taxed_rate_of
from tandem.parties.models import Counterparty
from tandem.parties.queries import can_see_all_clients, visible_clients

ZERO = Decimal(0)
ISSUE_PERMISSION = "finance.issue_invoice"
INVOICE_FIELDS = ("company", "client", "counterparty", "owner", "invoice_date", "due_date", "currency", "rate",
                  "prices_include_tax", "tax_rounding", "payment_terms", "notes", "supplier_reference")
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_rate",
               "tax_percent", "tax_kind", "account", "origin_line", "received_value")
PREFIXES = {
    Invoice.Kind.CUSTOMER_INVOICE: "INV",
    Invoice.Kind.CUSTOMER_CREDIT_NOTE: "CN",
    Invoice.Kind.SUPPLIER_BILL: "BILL",
    Invoice.Kind.SUPPLIER_CREDIT_NOTE: "SCN",
}


def tax_rounding_setting() -> str:
    """Where invoice tax is rounded unless the caller says: settings.FINANCE_TAX_ROUNDING, else sales' setting
    (SALES_TAX_ROUNDING), else per line."""
    return getattr(settings, "FINANCE_TAX_ROUNDING", getattr(settings, "SALES_TAX_ROUNDING", "line"))


def payment_days_setting() -> int:
    return int(getattr(settings, "FINANCE_PAYMENT_DAYS", 14))


def can_issue(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(ISSUE_PERMISSION))


def check_client(by, client) -> None:
    """Drafts of a client the user may see only (parties' record rule)."""
    if by.is_authenticated and by.has_perm("parties.view_client") and can_see_all_clients(by):
        return
    if not visible_clients(by).filter(pk=client.pk).exists():
        raise AccessDenied()


def _company(company) -> LegalEntity:
    company = company or LegalEntity.objects.order_by("-is_default", "pk").first()
    if company is None:
        raise BusinessRuleError("no_legal_entity", _("Set up one of our legal entities first."), field="company")
    return company


def _decimal(value, field: str, *, minimum=ZERO, maximum=None, positive=False) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value if value not in (None, "") else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise BusinessRuleError("invalid_number", _("Enter a number."), field=field) from None
    if not number.is_finite() or number < minimum or (maximum is not None and number > maximum) \
            or (positive and number <= 0):
        raise BusinessRuleError("out_of_range", _("Enter a number in the allowed range."), field=field)
    return number


def _exchange_rate(currency: str, company, on: datetime.date) -> Decimal:
    try:
        return exchange_rate(currency, company.base_currency, on)
    except NoExchangeRate as exc:
        raise BusinessRuleError("no_exchange_rate", exc.message, field="rate") from None


# --- Lines ------------------------------------------------------------------------------------------------------

def _line_tax(values: dict, company, on: datetime.date, index: int) -> tuple[TaxRate | None, Decimal, str]:
    """The tax of a line: the rate row given (its percentage and kind), else the percentage given (linked to a
    taxed row of that percentage in force in the company's country, when there is one), else the product's
    tax category (the dated rate in force, else the category's own percentage)."""
    tax_rate = values.get("tax_rate")
    if tax_rate is not None:
        return tax_rate, tax_rate.rate, tax_rate.kind
    kind = values.get("tax_kind") or TaxRate.Kind.STANDARD
    if kind not in TaxRate.Kind.values:
        raise BusinessRuleError("invalid_tax_kind", _("Choose a kind of tax."), field=f"lines.{index}.tax_kind")
    if values.get("tax_percent") not in (None, ""):
        percent = _decimal(values["tax_percent"], f"lines.{index}.tax_percent", maximum=Decimal(100))
        if kind in (TaxRate.Kind.EXEMPT, TaxRate.Kind.REVERSE_CHARGE):
            return None, ZERO, kind
        linked = taxed_rate_of(company.country, percent, on)
        return linked, percent, linked.kind if linked else kind
    product = values.get("product")
    category = getattr(product, "tax_category", None)
    if category is not None:
        found = tax_rate_for(company.country, category, on)
        if found is not None:
            return found, found.rate, found.kind
        return None, category.rate, kind
    return None, ZERO, kind


def _build_lines(invoice: Invoice, raw_lines) -> list[InvoiceLine]:
    company = invoice.company
    built = []
    for index, raw in enumerate(raw_lines):
        values = dict(raw)
        unknown = set(values) - set(LINE_FIELDS) - {"id", "position"}
        if unknown:
            raise BusinessRuleError("unknown_field", _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]},
                                    field=f"lines.{index}.{sorted(unknown)[0]}")
        product = values.get("product")
        description = (values.get("description") or (product.name if product is not None else "")).strip()
        if not description:
            raise BusinessRuleError("required", _("Describe the line or choose a product."),
                                    field=f"lines.{index}.description")
        quantity = _decimal(values.get("quantity"), f"lines.{index}.quantity", positive=True,
                            maximum=limits.MAX_QUANTITY)
        unit_price = _decimal(values.get("unit_price"), f"lines.{index}.unit_price", maximum=limits.MAX_RATE)
        discount = _decimal(values.get("discount_percent"), f"lines.{index}.discount_percent",
                            maximum=Decimal(100))
        tax_rate, percent, kind = _line_tax(values, company, invoice.invoice_date, index)
        account = values.get("account")
        if account is not None and (account.company_id != company.pk or account.is_archived):
            raise BusinessRuleError("invalid_account", _("Choose an account of this legal entity."),
                                    field=f"lines.{index}.account")
        origin = values.get("origin_line")
        received_value = None
        if values.get("received_value") not in (None, ""):
            if not invoice.is_supplier:
                raise BusinessRuleError("unknown_field", _("Unknown field: %(field)s.") % {"field": "received_value"},
                                        field=f"lines.{index}.received_value")
            received_value = _decimal(values["received_value"], f"lines.{index}.received_value",
                                      maximum=limits.MAX_AMOUNT)
            if received_value != quantize(received_value, company.base_currency):
                raise BusinessRuleError("too_many_decimals", _("Enter the value in the base currency's decimals."),
                                        field=f"lines.{index}.received_value")
        built.append(InvoiceLine(
            invoice=invoice, position=index + 1, product=product, description=description[:300],
            quantity=quantity, unit=values.get("unit") or getattr(product, "unit", None), unit_price=unit_price,
            discount_percent=discount, tax_rate=tax_rate, tax_percent=percent, tax_kind=kind, account=account,
            received_value=received_value,
            origin_line_type=ContentType.objects.get_for_model(origin) if origin is not None else None,
            origin_line_id=origin.pk if origin is not None else None))
    return built


def _compute(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    totals = document_totals(
        [LineInput(line.quantity, line.unit_price, line.discount_percent, line.tax_percent, line.tax_kind)
         for line in lines], invoice.currency, invoice.tax_rounding, invoice.prices_include_tax)
    for line, amounts in zip(lines, totals.lines, strict=True):
        line.net_amount, line.tax_amount, line.gross_amount = amounts.net, amounts.tax, amounts.gross
    if totals.total > limits.MAX_AMOUNT:
        raise BusinessRuleError("amount_too_large", _("The total is too large."), field="lines")
    invoice.net_total, invoice.tax_total, invoice.total = totals.net, totals.tax, totals.total


def _replace_lines(invoice: Invoice, raw_lines) -> list[InvoiceLine]:
    lines = _build_lines(invoice, raw_lines)
    _compute(invoice, lines)
    invoice.lines.all().delete()
    return InvoiceLine.objects.bulk_create(lines)


# --- Drafts -----------------------------------------------------------------------------------------------------

def _check_header(invoice: Invoice, *, rate_given: bool) -> None:
    if invoice.client.is_archived and invoice._state.adding:
        raise BusinessRuleError("archived", _("The client is archived."), field="client")
    limits.check_date(invoice.invoice_date, field="invoice_date")
    if invoice.due_date < invoice.invoice_date:
        raise BusinessRuleError("due_before_date", _("The due date must not be before the invoice date."),
                                field="due_date")
    if invoice.counterparty is not None and invoice.counterparty.client_id != invoice.client_id:
        raise BusinessRuleError("foreign_counterparty", _("The counterparty belongs to another client."),
                                field="counterparty")
    if invoice.tax_rounding not in Invoice.TaxRounding.values:
        raise BusinessRuleError("invalid_tax_rounding", _("Choose per line or per document."), field="tax_rounding")
    invoice.currency = (invoice.currency or invoice.company.base_currency).upper()
    if invoice.currency == invoice.company.base_currency:
        invoice.rate = Decimal(1)
    elif rate_given:
        invoice.rate = _decimal(invoice.rate, "rate", positive=True, maximum=limits.MAX_EXCHANGE_RATE)
    else:
        invoice.rate = _exchange_rate(invoice.currency, invoice.company, invoice.invoice_date)


_TWO_VALID_COUNTERPARTIES = prepared(lambda client_id, on: Counterparty.objects.filter(
    client_id=client_id, valid_from__lte=on, is_archived=False).exclude(valid_to__lt=on).order_by("pk")[:2])


def _default_counterparty(client, on: datetime.date):
    valid = _TWO_VALID_COUNTERPARTIES.all(client.pk, Invoice._meta.get_field("invoice_date").to_python(on))
    return valid[0] if len(valid) == 1 else None


def create_invoice(*, by, client, company=None, kind: str = Invoice.Kind.CUSTOMER_INVOICE, counterparty=None,
                   invoice_date: datetime.date | None = None, due_date: datetime.date | None = None,
                   currency: str | None = None, rate=None, prices_include_tax: bool = False,
                   tax_rounding: str | None = None, payment_terms: str = "", notes: str = "", lines=(),
                   origin=None, credited_invoice: Invoice | None = None, owner=None) -> Invoice:
    """A draft customer invoice (or credit note) with its lines; totals computed and stored. The rate is the
    core exchange rate of the invoice date when not given (foreign currency)."""
    if kind not in Invoice.CUSTOMER_KINDS:
        raise BusinessRuleError("invalid_kind", _("Only customer invoices and credit notes are made here."),
                                field="kind")
    return _create_draft(by=by, client=client, company=company, kind=kind, counterparty=counterparty,
                         invoice_date=invoice_date, due_date=due_date, currency=currency, rate=rate,
                         prices_include_tax=prices_include_tax, tax_rounding=tax_rounding,
                         payment_terms=payment_terms, notes=notes, lines=lines, origin=origin,
                         credited_invoice=credited_invoice, owner=owner)


def create_supplier_bill(*, by, client, counterparty=None, company=None, kind: str = Invoice.Kind.SUPPLIER_BILL,
                         supplier_reference: str = "", invoice_date: datetime.date | None = None,
                         due_date: datetime.date | None = None, currency: str | None = None, rate=None,
                         prices_include_tax: bool = False, tax_rounding: str | None = None, payment_terms: str = "",
                         notes: str = "", lines=(), origin=None, credited_invoice: Invoice | None = None,
                         owner=None) -> Invoice:
    """A draft supplier bill (or supplier credit note): `client`/`counterparty` is the supplier, `invoice_date`
    the supplier's date, `supplier_reference` the supplier's own number (required to issue a bill). Lines as
    for invoices, plus `received_value` (base currency) on lines billing received goods."""
    if kind not in Invoice.SUPPLIER_KINDS:
        raise BusinessRuleError("invalid_kind", _("Only supplier bills and supplier credit notes are made here."),
                                field="kind")
    return _create_draft(by=by, client=client, company=company, kind=kind, counterparty=counterparty,
                         invoice_date=invoice_date, due_date=due_date, currency=currency, rate=rate,
                         prices_include_tax=prices_include_tax, tax_rounding=tax_rounding,
                         payment_terms=payment_terms, notes=notes, lines=lines, origin=origin,
                         credited_invoice=credited_invoice, owner=owner, supplier_reference=supplier_reference)


def _check_supplier_reference(invoice: Invoice) -> None:
    """A supplier's number is billed once: another bill of the same supplier with it is refused (409)."""
    invoice.supplier_reference = (invoice.supplier_reference or "").strip()[:64]
    if invoice.kind != Invoice.Kind.SUPPLIER_BILL or not invoice.supplier_reference:
        return
    twin = (Invoice.objects.filter(company=invoice.company, kind=invoice.kind, client=invoice.client,
                                   supplier_reference__iexact=invoice.supplier_reference)
            .exclude(status=Invoice.Status.CANCELLED).exclude(pk=invoice.pk).first())
    if twin is not None:
        raise ConflictError("duplicate_supplier_reference",
                            _("%(supplier)s's invoice %(reference)s is already entered (%(bill)s).")
                            % {"supplier": invoice.client, "reference": invoice.supplier_reference, "bill": twin},
                            field="supplier_reference")


def _create_draft(*, by, client, company, kind, counterparty, invoice_date, due_date, currency, rate,
                  prices_include_tax, tax_rounding, payment_terms, notes, lines, origin, credited_invoice, owner,
                  supplier_reference: str = "") -> Invoice:
    require_permission(by, _draft_permission(kind, "add"))
    check_client(by, client)
    company = _company(company)
    invoice_date = invoice_date or timezone.localdate()
    actor = by if getattr(by, "pk", None) else None
    invoice = Invoice(
        company=company, kind=kind, client=client,
        counterparty=counterparty or _default_counterparty(client, invoice_date),
        owner=owner or actor, invoice_date=invoice_date,
        due_date=due_date or invoice_date + datetime.timedelta(days=payment_days_setting()),
        currency=currency or company.base_currency, rate=rate,
        prices_include_tax=bool(prices_include_tax), tax_rounding=tax_rounding or tax_rounding_setting(),
        payment_terms=(payment_terms or "")[:200], notes=notes or "", credited_invoice=credited_invoice,
        supplier_reference=supplier_reference or "", created_by=actor)
    if origin is not None:
        invoice.origin_type, invoice.origin_id = ContentType.objects.get_for_model(origin), origin.pk
    _check_header(invoice, rate_given=rate not in (None, ""))
    _check_supplier_reference(invoice)
    with transaction.atomic():
        lines = _build_lines(invoice, lines)
        _compute(invoice, lines)
        insert_row(invoice)
        for line in lines:
            line.invoice = invoice
        insert_rows(lines)
        audit.record(invoice, "finance.invoice.created", by=by, root=client,
                     changes={"kind": kind, "total": str(invoice.total), "_currency": invoice.currency,
                              **({"supplier_reference": invoice.supplier_reference}
                                 if invoice.supplier_reference else {})})
    return invoice


_LOCKED = prepared(lambda pk: Invoice.objects.select_for_update(of=("self",))
                   .select_related("company", "client", "counterparty").filter(pk=pk))
_LINES_WITH_ACCOUNTS = prepared(lambda invoice_id: InvoiceLine.objects.filter(invoice_id=invoice_id)
                                .select_related("account"))
_FIRST_ACCOUNT = prepared(lambda company_id, subtype, type_: Account.objects.filter(
    company_id=company_id, subtype=subtype, type=type_, is_archived=False).order_by("code")[:1])
_FIRST_JOURNAL = prepared(lambda company_id, kind: Journal.objects.filter(
    company_id=company_id, kind=kind, is_archived=False).order_by("code")[:1])


def _lock(invoice: Invoice) -> Invoice:
    return _LOCKED.get(invoice.pk)


def _draft_permission(kind: str, verb: str) -> str:
    """Customer drafts: finance.add_invoice / change_invoice (sales prepares them); supplier bills and supplier
    credit notes: finance.prepare_supplier_bill (buyers and accountants), so a buyer touches no customer invoice."""
    return "finance.prepare_supplier_bill" if kind in Invoice.SUPPLIER_KINDS else f"finance.{verb}_invoice"


def update_invoice(invoice: Invoice, *, by, expected_version: int | None = None, lines=None, **values) -> Invoice:
    """Change a draft's header and, when `lines` is given, replace its lines. A stale version is refused (409)."""
    require_permission(by, _draft_permission(invoice.kind, "change"))
    unknown = set(values) - set(INVOICE_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]},
                                field=sorted(unknown)[0])
    with transaction.atomic():
        locked = _lock(invoice)
        check_client(by, locked.client)
        refuse_stale(locked, expected_version)
        if not locked.can_edit():
            raise ConflictError("not_draft", _("Only a draft invoice can be changed; an issued one is corrected "
                                               "by a credit note."), field="status")
        if "client" in values and values["client"].pk != locked.client_id:
            check_client(by, values["client"])
        if "supplier_reference" in values and not locked.is_supplier:
            raise BusinessRuleError("unknown_field", _("Unknown field: %(field)s.") % {"field": "supplier_reference"},
                                    field="supplier_reference")
        before = audit.snapshot(locked, [k for k in values if k != "rate"] + ["total"])
        for key, value in values.items():
            setattr(locked, key, value)
        _check_header(locked, rate_given=values.get("rate") not in (None, ""))
        _check_supplier_reference(locked)
        if lines is not None:
            _replace_lines(locked, lines)
        elif {"currency", "prices_include_tax", "tax_rounding", "invoice_date"} & set(values):
            current = list(locked.lines.all())
            _compute(locked, current)
            InvoiceLine.objects.bulk_update(current, ["net_amount", "tax_amount", "gross_amount"])
        locked.version += 1
        locked.save()
        changes = audit.diff(before, audit.snapshot(locked, list(before)))
        audit.record(locked, "finance.invoice.changed", by=by, root=locked.client, changes=changes or None)
    return locked


def cancel_invoice(invoice: Invoice, *, by, expected_version: int | None = None) -> Invoice:
    """Cancel a draft (an issued invoice is never cancelled: a credit note corrects it)."""
    require_permission(by, _draft_permission(invoice.kind, "change"))
    with transaction.atomic():
        locked = _lock(invoice)
        check_client(by, locked.client)
        refuse_stale(locked, expected_version)
        locked.version += 1
        cancelled = transition(locked, Invoice.Status.CANCELLED, by=by, locked=True, also_save=["version"])
        signals.invoice_cancelled.send(sender=Invoice, invoice=cancelled)
    return cancelled


# --- Issuing ----------------------------------------------------------------------------------------------------

def _next_number(invoice: Invoice) -> tuple[int, str]:
    year = invoice.invoice_date.year
    key = {"company_id": invoice.company_id, "kind": invoice.kind, "year": year}
    # The UPDATE holds the sequence row until the issue commits: parallel issues queue, numbers have no gaps.
    number = next_in_sequence(InvoiceSequence, "last_number", **key)
    if number is None:  # the first of the kind in the year
        try:
            with transaction.atomic():
                InvoiceSequence.objects.get_or_create(**key)
        except IntegrityError:
            pass  # created by a parallel issue meanwhile
        number = next_in_sequence(InvoiceSequence, "last_number", **key)
    return number, f"{PREFIXES[invoice.kind]}/{year}/{number:05d}"


def _account(company, subtype: str, type_: str, field: str, message: str) -> Account:
    account = _FIRST_ACCOUNT.first(company.pk, subtype, type_)
    if account is None:
        raise BusinessRuleError("no_account", message, field=field)
    return account


def sales_journal(company) -> Journal:
    journal = _FIRST_JOURNAL.first(company.pk, Journal.Kind.SALES)
    if journal is None:
        raise BusinessRuleError("no_sales_journal", _("Create a sales journal first (install the chart)."),
                                field="journal")
    return journal


def _posting_lines(invoice: Invoice, lines: list[InvoiceLine]) -> list[LineIn]:
    """Receivable against revenue (per account) and output tax, in the base currency at the invoice's rate;
    foreign-currency lines carry their invoice-currency amounts. A base-currency rounding difference goes to
    the largest revenue line so the entry balances to the cent."""
    company, rate = invoice.company, invoice.rate
    base, currency = company.base_currency, invoice.currency
    foreign = currency != base
    receivable = _account(company, Account.Subtype.RECEIVABLE, Account.Type.ASSET, "account",
                          _("Mark an asset account as receivable first."))
    revenue: dict[int, Decimal] = defaultdict(lambda: ZERO)
    accounts: dict[int, Account] = {}
    default_sales = None
    for line in lines:
        account = line.account
        if account is None:
            default_sales = default_sales or _account(company, Account.Subtype.SALES, Account.Type.INCOME, "account",
                                                      _("Mark an income account as sales first."))
            account = default_sales
        accounts[account.pk] = account
        revenue[account.pk] += line.net_amount
    # Lines show their own rounded net; the document's net may differ by rounding per document.
    if revenue:
        largest = max(revenue, key=lambda pk: (revenue[pk], -pk))
        revenue[largest] += invoice.net_total - sum(revenue.values(), ZERO)
    in_base = (lambda amount: quantize(amount * rate, base)) if foreign else (lambda amount: amount)
    credit_note = invoice.is_credit

    def line(account, amount, base_amount, *, receivable_side=False, memo=""):
        debit_side = receivable_side != credit_note  # invoice: receivable debited, the rest credited
        return LineIn(account=account, debit=base_amount if debit_side else ZERO,
                      credit=ZERO if debit_side else base_amount, currency=currency if foreign else "",
                      amount_currency=amount if foreign else None, memo=memo,
                      client=invoice.client if receivable_side else None,
                      counterparty=invoice.counterparty if receivable_side else None)

    total_base = in_base(invoice.total)
    tax_base = in_base(invoice.tax_total)
    posting = [line(receivable, invoice.total, total_base, receivable_side=True, memo=invoice.number)]
    revenue_base = {pk: in_base(amount) for pk, amount in revenue.items() if amount != 0}
    if revenue_base:
        largest = max(revenue_base, key=lambda pk: (revenue_base[pk], -pk))
        revenue_base[largest] += total_base - tax_base - sum(revenue_base.values(), ZERO)
    for pk in sorted(revenue_base):
        if revenue_base[pk] < 0 or revenue[pk] < 0:
            raise BusinessRuleError("negative_line", _("A line's amount is negative."), field="lines")
        posting.append(line(accounts[pk], revenue[pk], revenue_base[pk]))
    if invoice.tax_total:
        tax = _account(company, Account.Subtype.TAX, Account.Type.LIABILITY, "account",
                       _("Mark a liability account as tax (output VAT) first."))
        posting.append(line(tax, invoice.tax_total, tax_base))
    return posting


def purchase_journal(company) -> Journal:
    journal = (Journal.objects.filter(company=company, kind=Journal.Kind.PURCHASE, is_archived=False)
               .order_by("code").first())
    if journal is None:
        raise BusinessRuleError("no_purchase_journal", _("Create a purchase journal first (install the chart)."),
                                field="journal")
    return journal


def _bill_posting_lines(invoice: Invoice, lines: list[InvoiceLine]) -> list[LineIn]:
    """A supplier bill: Dr goods received not invoiced at the received value of the lines billing received
    goods, Dr the line's account (else the first operating expense account) for the other lines, Dr input VAT
    (the asset tax account), Cr payable with the supplier on the line; the difference between the goods lines'
    net amount (in the base currency at the bill's rate) and their received value goes to purchase price
    variances. A supplier credit note posts the mirror image. Foreign-currency lines carry their bill-currency
    amounts (the variance is a base-currency line, like an exchange difference); a base-currency rounding
    difference goes to the variance, else the largest expense line, so the entry balances to the cent."""
    company, rate = invoice.company, invoice.rate
    base, currency = company.base_currency, invoice.currency
    foreign = currency != base
    payable = _account(company, Account.Subtype.PAYABLE, Account.Type.LIABILITY, "account",
                       _("Mark a liability account as payable first."))
    in_base = (lambda amount: quantize(amount * rate, base)) if foreign else (lambda amount: amount)
    goods_net, received = ZERO, ZERO
    expense: dict[int, Decimal] = defaultdict(lambda: ZERO)
    accounts: dict[int, Account] = {}
    default_expense = None
    for line in lines:
        if line.net_amount < 0 or (line.received_value or ZERO) < 0:
            raise BusinessRuleError("negative_line", _("A line's amount is negative."), field="lines")
        if line.received_value is not None:
            goods_net += line.net_amount
            received += line.received_value
            continue
        account = line.account
        if account is None:
            default_expense = default_expense or _account(
                company, Account.Subtype.OPERATING_EXPENSE, Account.Type.EXPENSE, "account",
                _("Mark an expense account as operating expense first (or choose the line's account)."))
            account = default_expense
        accounts[account.pk] = account
        expense[account.pk] += line.net_amount
    # Lines show their own rounded net; the document's net may differ by rounding per document.
    net_difference = invoice.net_total - goods_net - sum(expense.values(), ZERO)
    if goods_net or not expense:
        goods_net += net_difference
    else:
        expense[max(expense, key=lambda pk: (expense[pk], -pk))] += net_difference
    total_base, tax_base = in_base(invoice.total), in_base(invoice.tax_total)
    goods_base = in_base(goods_net) if goods_net else ZERO
    expense_base = {pk: in_base(amount) for pk, amount in expense.items() if amount != 0}
    rounding = total_base - tax_base - goods_base - sum(expense_base.values(), ZERO)
    if goods_net or not expense_base:
        goods_base += rounding
    else:
        expense_base[max(expense_base, key=lambda pk: (expense_base[pk], -pk))] += rounding
    variance = goods_base - received
    credit_note = invoice.is_credit

    def line(account, amount, base_amount, *, payable_side=False, in_currency=True, memo=""):
        # A bill credits the payable and debits the rest (a negative variance is a credit); a credit note mirrors.
        debit_side = (base_amount >= 0) ^ payable_side ^ credit_note
        with_currency = foreign and in_currency and amount
        return LineIn(account=account, debit=abs(base_amount) if debit_side else ZERO,
                      credit=ZERO if debit_side else abs(base_amount), currency=currency if with_currency else "",
                      amount_currency=abs(amount) if with_currency else None, memo=memo,
                      client=invoice.client if payable_side else None,
                      counterparty=invoice.counterparty if payable_side else None)

    memo = invoice.supplier_reference or invoice.number
    posting = [line(payable, invoice.total, total_base, payable_side=True, memo=memo)]
    if goods_net or received:
        grni = _account(company, Account.Subtype.GOODS_RECEIVED, Account.Type.LIABILITY, "account",
                        _("Mark a liability account as goods received not invoiced first."))
        # The bill-currency amount rides on goods received; when nothing was received at a value, on the variance.
        if received:
            posting.append(line(grni, goods_net, received))
        if variance:
            ppv = _account(company, Account.Subtype.PRICE_VARIANCE, Account.Type.EXPENSE, "account",
                           _("Mark an expense account as purchase price variances first."))
            posting.append(line(ppv, ZERO if received else goods_net, variance, in_currency=not received))
    for pk in sorted(expense_base):
        if expense_base[pk] < 0 or expense[pk] < 0:
            raise BusinessRuleError("negative_line", _("A line's amount is negative."), field="lines")
        posting.append(line(accounts[pk], expense[pk], expense_base[pk]))
    if invoice.tax_total:
        tax = _account(company, Account.Subtype.TAX, Account.Type.ASSET, "account",
                       _("Mark an asset account as tax (input VAT) first."))
        posting.append(line(tax, invoice.tax_total, tax_base))
    return [item for item in posting if item.debit or item.credit]


def issue_invoice(invoice: Invoice, *, by, expected_version: int | None = None) -> Invoice:
    """Number the draft (gapless per legal entity, kind and year) and post it in the sales journal; amount_due
    becomes the total. A credit note of an open invoice settles it at once (an allocation from the credit
    note). Refusals: 409 not_draft / stale / period_closed, 400 counterparty_required / empty / no_account."""
    require_permission(by, ISSUE_PERMISSION)
    with transaction.atomic():
        locked = _lock(invoice)
        refuse_stale(locked, expected_version)
        if not locked.can_issue():
            raise ConflictError("not_draft", _("Only a draft invoice can be issued."), field="status")
        if locked.counterparty is None:
            raise BusinessRuleError("counterparty_required", _("Choose which of the client's counterparties is "
                                                               "billed."), field="counterparty")
        lines = _LINES_WITH_ACCOUNTS.all(locked.pk)
        if not lines or locked.total <= 0:
            raise BusinessRuleError("empty", _("An invoice needs at least one line with an amount."), field="lines")
        if locked.kind == Invoice.Kind.SUPPLIER_BILL and not locked.supplier_reference:
            raise BusinessRuleError("supplier_reference_required", _("Enter the supplier's invoice number."),
                                    field="supplier_reference")
        _check_supplier_reference(locked)
        run_pre_issue_checks(locked, lines, by=by)
        _compute(locked, lines)  # the stored amounts are what is posted; recomputed to be sure they agree
        locked.sequence_number, locked.number = _next_number(locked)
        if locked.is_supplier:
            journal, posting = purchase_journal(locked.company), _bill_posting_lines(locked, lines)
            memo = (_("Supplier credit note %(number)s, %(client)s") if locked.is_credit
                    else _("Supplier bill %(number)s (%(reference)s), %(client)s")) \
                % {"number": locked.number, "client": locked.client, "reference": locked.supplier_reference}
        else:
            journal, posting = sales_journal(locked.company), _posting_lines(locked, lines)
            memo = (_("Credit note %(number)s, %(client)s") if locked.is_credit
                    else _("Invoice %(number)s, %(client)s")) % {"number": locked.number, "client": locked.client}
        locked.entry = post_entry(company=locked.company, journal=journal, date=locked.invoice_date,
                                  lines=posting, memo=memo, origin=locked, by=by)
        locked.amount_due = locked.total
        locked.issued_at, locked.issued_by = timezone.now(), (by if getattr(by, "pk", None) else None)
        locked.version += 1
        transition(locked, Invoice.Status.ISSUED, by=by, locked=True,
                   data={"number": locked.number, "total": str(locked.total), "_currency": locked.currency},
                   also_save=["number", "sequence_number", "entry", "amount_due", "issued_at", "issued_by",
                              "version", "net_total", "tax_total", "total"])
        if locked.is_credit and locked.credited_invoice_id:
            _settle_with_credit_note(locked, by=by)
        signals.invoice_issued.send(sender=Invoice, invoice=locked)
    return locked


def _status_for(invoice: Invoice) -> str:
    if invoice.amount_due <= 0:
        return Invoice.Status.PAID
    if invoice.amount_due < invoice.total:
        return Invoice.Status.PARTLY_PAID
    return Invoice.Status.ISSUED


def _settle_with_credit_note(credit_note: Invoice, *, by) -> PaymentAllocation | None:
    """Allocate the credit note to the credited invoice's amount due (both on the client's receivable account,
    at the invoice's rate: no entry of its own)."""
    target = Invoice.objects.select_for_update().select_related("client").get(pk=credit_note.credited_invoice_id)
    if target.status not in Invoice.OPEN_STATUSES or target.amount_due <= 0:
        return None
    amount = min(credit_note.amount_due, target.amount_due)
    if amount <= 0:
        return None
    if target.currency != credit_note.currency:
        return None
    allocation = PaymentAllocation.objects.create(
        credit_note=credit_note, invoice=target, date=credit_note.invoice_date, amount=amount,
        created_by=by if getattr(by, "pk", None) else None)
    for doc in (target, credit_note):
        doc.amount_due -= amount
        status = _status_for(doc)
        if status != doc.status:
            transition(doc, status, by=by, locked=True, data={"amount_due": str(doc.amount_due),
                                                              "_currency": doc.currency},
                       also_save=["amount_due"])
        else:
            doc.save(update_fields=["amount_due", "updated_at"])
    audit.record(target, "finance.invoice.credited", by=by, root=target.client,
                 changes={"credit_note": credit_note.number, "amount": str(amount), "_currency": target.currency})
    return allocation


# --- Credit notes -----------------------------------------------------------------------------------------------

def credited_quantities(invoice: Invoice) -> dict[int, Decimal]:
    """Per line of `invoice`: the quantity already on its credit notes (drafts included, cancelled not)."""
    line_type = ContentType.objects.get_for_model(InvoiceLine)
    rows = (InvoiceLine.objects.filter(invoice__credited_invoice=invoice, origin_line_type=line_type)
            .exclude(invoice__status=Invoice.Status.CANCELLED)
            .values("origin_line_id").annotate(quantity=Sum("quantity")).order_by())
    return {row["origin_line_id"]: row["quantity"] for row in rows}


def create_credit_note(invoice: Invoice, *, by, lines=None, invoice_date: datetime.date | None = None,
                       notes: str = "", issue: bool = True) -> Invoice:
    """A credit note of an issued invoice: every line not credited yet (`lines=None`) or the chosen ones,
    `lines=[{"line": <InvoiceLine or id>, "quantity": …}]`, at the invoice's prices, taxes and rate. Issued
    at once by default (posting the mirror entry and settling the invoice's amount due)."""
    require_permission(by, ISSUE_PERMISSION)
    with transaction.atomic():
        original = _lock(invoice)
        check_client(by, original.client)
        if not original.can_credit():
            raise ConflictError("not_creditable", _("Only an issued invoice can be credited."), field="status")
        done = credited_quantities(original)
        by_id = {line.pk: line for line in original.lines.select_related("product", "unit", "tax_rate", "account")}
        wanted = lines if lines is not None else [{"line": pk, "quantity": by_id[pk].quantity - done.get(pk, ZERO)}
                                                  for pk in by_id if by_id[pk].quantity > done.get(pk, ZERO)]
        chosen = []
        for index, item in enumerate(wanted):
            key = item.get("line")
            line = by_id.get(getattr(key, "pk", key))
            if line is None:
                raise BusinessRuleError("invalid_line", _("Choose a line of this invoice."),
                                        field=f"lines.{index}.line")
            quantity = _decimal(item.get("quantity", line.quantity - done.get(line.pk, ZERO)),
                                f"lines.{index}.quantity", positive=True)
            left = line.quantity - done.get(line.pk, ZERO)
            if quantity > left:
                raise BusinessRuleError("over_credit", _("At most %(left)s of this line can still be credited.")
                                        % {"left": format(left.normalize(), "f")}, field=f"lines.{index}.quantity")
            done[line.pk] = done.get(line.pk, ZERO) + quantity
            received_value = None
            if line.received_value is not None:  # a supplier credit note gives back the goods' share
                received_value = quantize(line.received_value * quantity / line.quantity,
                                          original.company.base_currency)
            chosen.append({"product": line.product, "description": line.description, "quantity": quantity,
                           "unit": line.unit, "unit_price": line.unit_price,
                           "discount_percent": line.discount_percent, "tax_rate": line.tax_rate,
                           "tax_percent": line.tax_percent, "tax_kind": line.tax_kind, "account": line.account,
                           "origin_line": line, "received_value": received_value})
            if line.tax_rate is not None:  # the rate row and the percentage stored agree (an issued rate is fixed)
                del chosen[-1]["tax_percent"], chosen[-1]["tax_kind"]
        if not chosen:
            raise BusinessRuleError("nothing_to_credit", _("Every line of this invoice is credited already."),
                                    field="lines")
        on = invoice_date or max(timezone.localdate(), original.invoice_date)
        kind = Invoice.Kind.SUPPLIER_CREDIT_NOTE if original.is_supplier else Invoice.Kind.CUSTOMER_CREDIT_NOTE
        note = _create_draft(
            by=by, client=original.client, company=original.company, kind=kind,
            counterparty=original.counterparty, invoice_date=on, due_date=on, currency=original.currency,
            rate=original.rate, prices_include_tax=original.prices_include_tax, tax_rounding=original.tax_rounding,
            payment_terms="", notes=notes, credited_invoice=original, lines=chosen, origin=None, owner=None,
            supplier_reference="")
        if issue:
            note = issue_invoice(note, by=by)
    return note
