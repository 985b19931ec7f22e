"""The tax report of a range (VAT return figures) that ties to the ledger to the cent.

Documents are taken by invoice date (issued, partly paid or paid; drafts and cancelled ones never posted).
Per side — output: customer invoices minus customer credit notes; input: supplier bills minus supplier credit
notes — and per tax rate (code, kind, percentage) the report gives the taxable base and the tax in the base
currency.

Where the base-currency figures come from: a document's tax is what its own journal entry posted on the
accounts of subtype `tax` (2100 Output VAT, 1150 Input VAT: credit − debit, so an invoice gives positive output
tax and a bill positive input tax), never a recomputation, so the report and the ledger cannot drift apart by a
rounding cent. That amount is spread over the document's rates in proportion to their tax in the document
currency (the remainder cent to the largest); the base is the document's total at its rate minus its tax,
spread the same way over the rates' nets. Reverse-charge and exempt lines carry no tax on our documents: they
show their base with zero tax (no self-assessment is posted or shown; the buyer accounts for it).

Reconciliation: the movement of every tax account in the range (credit − debit, from AccountBalance and the
cut periods' lines like the trial balance) against the report's net tax payable (output − input). The
difference is what was posted on tax accounts by anything else than a reported document — manual journal
entries, reversals — and those lines are listed (`unexplained_lines`) for the drill-down."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tandem.core.money import quantize
from tandem.finance.models import Account, EntryLine, Invoice, InvoiceLine, TaxRate
from tandem.finance.queries import _movements, previous_range

ZERO = Decimal(0)
POSTED_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID, Invoice.Status.PAID)
# side, sign of the document on that side
SIDES = {Invoice.Kind.CUSTOMER_INVOICE: ("output", 1), Invoice.Kind.CUSTOMER_CREDIT_NOTE: ("output", -1),
         Invoice.Kind.SUPPLIER_BILL: ("input", 1), Invoice.Kind.SUPPLIER_CREDIT_NOTE: ("input", -1)}
SIDE_TITLES = {"output": _("Output tax (sales)"), "input": _("Input tax (purchases)")}
KIND_ORDER = {kind: index for index, kind in enumerate(TaxRate.Kind.values)}
UNEXPLAINED_LIMIT = 200


@dataclass
class TaxRow:
    side: str
    code: str
    name: str
    kind: str
    percent: Decimal
    base: Decimal = ZERO  # documents minus credit notes
    tax: Decimal = ZERO
    credited_base: Decimal = ZERO  # the credit notes' part (positive), already subtracted above
    credited_tax: Decimal = ZERO
    documents: int = 0
    previous_base: Decimal | None = None
    previous_tax: Decimal | None = None

    @property
    def key(self) -> tuple:
        return (self.side, self.code, self.kind, self.percent)

    @property
    def kind_label(self) -> str:
        return str(TaxRate.Kind(self.kind).label) if self.kind in TaxRate.Kind.values else self.kind


@dataclass
class TaxAccountRow:
    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def movement(self) -> Decimal:
        """Credit − debit: tax owed by the movement (output tax positive, input tax negative)."""
        return self.credit - self.debit


@dataclass
class TaxReport:
    company: object
    date_from: datetime.date
    date_to: datetime.date
    rows: list[TaxRow] = field(default_factory=list)
    accounts: list[TaxAccountRow] = field(default_factory=list)
    unexplained_lines: list = field(default_factory=list)
    unexplained_count: int = 0
    compare_from: datetime.date | None = None
    compare_to: datetime.date | None = None
    previous_totals: dict | None = None

    @property
    def currency(self) -> str:
        return self.company.base_currency

    def side(self, side: str) -> list[TaxRow]:
        return [row for row in self.rows if row.side == side]

    @property
    def sides(self) -> list[tuple[str, str, list[TaxRow], dict]]:
        totals = self.totals
        return [(key, str(SIDE_TITLES[key]), self.side(key),
                 {"base": totals[f"{key}_base"], "tax": totals[f"{key}_tax"],
                  "previous_base": (self.previous_totals or {}).get(f"{key}_base"),
                  "previous_tax": (self.previous_totals or {}).get(f"{key}_tax")})
                for key in ("output", "input")]

    @property
    def totals(self) -> dict:
        return _totals(self.rows, self.ledger_movement)

    @property
    def ledger_movement(self) -> Decimal:
        return sum((row.movement for row in self.accounts), ZERO)

    @property
    def difference(self) -> Decimal:
        """Ledger movement of the tax accounts − the report's net tax payable: 0.00 when only Tandem's
        documents touched them."""
        return self.ledger_movement - self.totals["net_payable"]


def _totals(rows, ledger_movement=ZERO) -> dict:
    out = {f"{side}_{what}": sum((getattr(row, what) for row in rows if row.side == side), ZERO)
           for side in ("output", "input") for what in ("base", "tax")}
    out["net_payable"] = out["output_tax"] - out["input_tax"]
    out["ledger_movement"] = ledger_movement
    out["difference"] = ledger_movement - out["net_payable"]
    return out


def _spread(total: Decimal, weights: dict, fallback: dict) -> dict:
    """`total` spread over the keys in proportion to `weights` (or `fallback` when they add up to zero), each
    part quantized like `total`; the rounding remainder goes to the largest part so the parts add up exactly."""
    if not weights:
        return {}
    source = weights if sum(weights.values(), ZERO) != 0 else fallback
    whole = sum(source.values(), ZERO)
    exponent = total.as_tuple().exponent if total.as_tuple().exponent < 0 else -2
    step = Decimal(1).scaleb(exponent)
    if whole == 0:
        parts = {key: ZERO for key in weights}
    else:
        parts = {key: (total * source[key] / whole).quantize(step) for key in weights}
    largest = max(parts, key=lambda key: (abs(source.get(key, ZERO)), str(key)))
    parts[largest] += total - sum(parts.values(), ZERO)
    return parts


def _documents(company, date_from, date_to):
    return Invoice.objects.filter(company=company, invoice_date__range=(date_from, date_to),
                                  status__in=POSTED_STATUSES, entry__isnull=False)


def _rows(company, date_from: datetime.date, date_to: datetime.date) -> dict[tuple, TaxRow]:
    """The rows of one range: a handful of aggregate queries, then per document in Python (its rates only)."""
    base_currency = company.base_currency
    documents = _documents(company, date_from, date_to)
    posted_tax = {row["entry_id"]: quantize((row["c"] or ZERO) - (row["d"] or ZERO), base_currency) for row in (
        EntryLine.objects.filter(entry_id__in=documents.values("entry_id"), account__subtype=Account.Subtype.TAX)
        .values("entry_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by())}
    groups: dict[int, dict[tuple, list[Decimal]]] = defaultdict(dict)
    for line in (InvoiceLine.objects.filter(invoice__in=documents)
                 .values("invoice_id", "tax_rate__code", "tax_rate__name", "tax_kind", "tax_percent")
                 .annotate(net=Sum("net_amount"), tax=Sum("tax_amount")).order_by().iterator(chunk_size=2000)):
        key = (line["tax_rate__code"] or "", line["tax_rate__name"] or "", line["tax_kind"], line["tax_percent"])
        sums = groups[line["invoice_id"]].setdefault(key, [ZERO, ZERO])
        sums[0] += line["net"] or ZERO
        sums[1] += line["tax"] or ZERO
    rows: dict[tuple, TaxRow] = {}
    for doc in documents.values("id", "kind", "rate", "currency", "total", "entry_id").iterator(chunk_size=2000):
        side, sign = SIDES[doc["kind"]]
        tax_sign = 1 if side == "output" else -1  # bills post input tax as a debit
        doc_groups = groups.get(doc["id"], {})
        if not doc_groups:
            continue
        tax_base = posted_tax.get(doc["entry_id"], ZERO) * tax_sign * sign
        total_base = doc["total"] if doc["currency"] == base_currency else \
            quantize(doc["total"] * doc["rate"], base_currency)
        net_base = total_base - tax_base
        nets = {key: sums[0] for key, sums in doc_groups.items()}
        taxes = _spread(tax_base, {key: sums[1] for key, sums in doc_groups.items()}, nets)
        bases = _spread(net_base, nets, nets)
        for key in doc_groups:
            code, name, kind, percent = key
            row = rows.get((side, code, kind, percent))
            if row is None:
                row = rows[(side, code, kind, percent)] = TaxRow(
                    side=side, code=code, name=name or f"{percent.normalize():f} %", kind=kind, percent=percent)
            row.base += sign * bases[key]
            row.tax += sign * taxes[key]
            row.documents += 1
            if sign < 0:
                row.credited_base += bases[key]
                row.credited_tax += taxes[key]
    return rows


def _tax_accounts(company, date_from, date_to) -> list[TaxAccountRow]:
    accounts = list(Account.objects.filter(company=company, subtype=Account.Subtype.TAX).order_by("code"))
    moves = _movements(company, date_from, date_to)
    base = company.base_currency  # balances keep four places
    return [TaxAccountRow(account=account, debit=quantize(moves.get(account.pk, (ZERO, ZERO))[0], base),
                          credit=quantize(moves.get(account.pk, (ZERO, ZERO))[1], base)) for account in accounts]


def unexplained_lines(company, date_from: datetime.date, date_to: datetime.date):
    """Lines on tax accounts in the range that no reported document posted (manual entries, reversals)."""
    documents = _documents(company, date_from, date_to)
    return (EntryLine.objects.filter(company=company, account__subtype=Account.Subtype.TAX,
                                     date__range=(date_from, date_to))
            .exclude(entry_id__in=documents.values("entry_id"))
            .select_related("account", "entry__journal", "entry__fiscal_year").order_by("date", "entry_id", "id"))


def _sort_key(row: TaxRow):
    return (row.side != "output", KIND_ORDER.get(row.kind, 99), -row.percent, row.code)


def tax_report(company, date_from: datetime.date, date_to: datetime.date, *, compare: str = "") -> TaxReport:
    report = TaxReport(company=company, date_from=date_from, date_to=date_to)
    current = _rows(company, date_from, date_to)
    span = previous_range(date_from, date_to, compare)
    if span:
        report.compare_from, report.compare_to = span
        previous = _rows(company, *span)
        for key, old in previous.items():
            row = current.get(key)
            if row is None:
                row = current[key] = TaxRow(side=old.side, code=old.code, name=old.name, kind=old.kind,
                                            percent=old.percent)
        for key, row in current.items():
            old = previous.get(key)
            row.previous_base = old.base if old else ZERO
            row.previous_tax = old.tax if old else ZERO
        report.previous_totals = _totals(list(previous.values()),
                                         sum((r.movement for r in _tax_accounts(company, *span)), ZERO))
    report.rows = sorted(current.values(), key=_sort_key)
    report.accounts = _tax_accounts(company, date_from, date_to)
    lines = unexplained_lines(company, date_from, date_to)
    report.unexplained_lines = list(lines[:UNEXPLAINED_LIMIT])
    report.unexplained_count = (len(report.unexplained_lines) if len(report.unexplained_lines) < UNEXPLAINED_LIMIT
                                else lines.count())
    return report

