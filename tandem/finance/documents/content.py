"""What an invoice document says beyond the invoice row: pure shaping of its lines and references, shared by the
PDF and the EN 16931 XML so both print the same figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from tandem.finance.models import Invoice, InvoiceLine, TaxRate
from tandem.parties.models import Counterparty

ZERO = Decimal(0)
# Kinds that carry no tax amount and must name their legal reason on the invoice.
NOTE_KINDS = (TaxRate.Kind.EXEMPT, TaxRate.Kind.REVERSE_CHARGE)
# EN 16931 VAT category codes (UNTDID 5305) per tax kind.
CATEGORY = {
    TaxRate.Kind.STANDARD: "S", TaxRate.Kind.REDUCED: "S", TaxRate.Kind.ZERO: "Z",
    TaxRate.Kind.EXEMPT: "E", TaxRate.Kind.REVERSE_CHARGE: "AE",
}


@dataclass
class TaxGroup:
    """One line of the tax summary: the lines of one category and rate."""

    kind: str
    category: str
    percent: Decimal
    net: Decimal = ZERO
    tax: Decimal = ZERO
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(TaxRate.Kind(self.kind).label)


def invoice_lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(invoice.lines.select_related("unit", "product", "tax_rate").order_by("position", "pk"))


def billed_counterparty(invoice: Invoice) -> Counterparty | None:
    """The legal entity billed: the invoice's counterparty, else the client's counterparty valid on the invoice
    date (a client's legal details change over time: a new counterparty row from a date)."""
    if invoice.counterparty_id:
        return invoice.counterparty
    return (Counterparty.objects.filter(Counterparty.valid_on(invoice.invoice_date), client_id=invoice.client_id)
            .order_by("-valid_from", "-pk").first())


def default_legal_note(kind: str) -> str:
    if kind == TaxRate.Kind.REVERSE_CHARGE:
        return _("Reverse charge: the customer accounts for the VAT.")
    return ""


def line_legal_note(line: InvoiceLine) -> str:
    if line.tax_kind not in NOTE_KINDS:
        return ""
    note = line.tax_rate.legal_note if line.tax_rate_id else ""
    return note or default_legal_note(line.tax_kind)


def line_percent(line: InvoiceLine) -> Decimal:
    """Only standard and reduced lines carry a rate; zero-rated, exempt and reverse-charge ones print 0 %."""
    return line.tax_percent if CATEGORY[line.tax_kind] == "S" else ZERO


def tax_summary(lines: list[InvoiceLine]) -> list[TaxGroup]:
    """Net and tax per category and rate, in the order first met; each group's legal notes once."""
    groups: dict[tuple[str, str, Decimal], TaxGroup] = {}
    for line in lines:
        percent = line_percent(line)
        key = (CATEGORY[line.tax_kind], line.tax_kind, percent.normalize())
        group = groups.setdefault(key, TaxGroup(kind=line.tax_kind, category=key[0], percent=percent))
        group.net += line.net_amount
        group.tax += line.tax_amount
        note = line_legal_note(line)
        if note and note not in group.notes:
            group.notes.append(note)
    return list(groups.values())


def legal_notes(groups: list[TaxGroup]) -> list[str]:
    notes: list[str] = []
    for group in groups:
        notes.extend(note for note in group.notes if note not in notes)
    return notes


def payment_account(invoice: Invoice):
    """Our bank account to pay to: the first in the invoice currency, else the first without a currency, else
    the first one; None when the entity has none."""
    accounts = list(invoice.company.bank_accounts.all())
    for wanted in (invoice.currency, ""):
        for account in accounts:
            if account.currency == wanted:
                return account
    return accounts[0] if accounts else None


def title(invoice: Invoice) -> str:
    return str(Invoice.Kind(invoice.kind).label)

