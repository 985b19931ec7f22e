"""Invoices and credit notes: totals to the cent, taxes of our markets, gapless numbers, the posting."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import ExchangeRate
from tandem.finance import calculations, services
from tandem.finance.calculations import LineInput, document_totals
from tandem.finance.models import Account, EntryLine, Invoice, PaymentAllocation, Period, TaxRate
from tandem.finance.tests.invoice_fixtures import *  # noqa: F403
from tandem.finance.tests.invoice_fixtures import line

DAY = datetime.date(2026, 3, 10)


# --- Pure totals ------------------------------------------------------------------------------------------------

def test_prices_including_tax_take_the_tax_out_of_the_gross():
    # 123.00 gross at 23 %: tax 23.00, net 100.00
    amounts = calculations.line_amounts(LineInput(D(1), D("123"), D(0), D(23)), "PLN", prices_include_tax=True)
    assert (amounts.net, amounts.tax, amounts.gross) == (D("100.00"), D("23.00"), D("123.00"))


def test_prices_including_tax_rounded_per_line_or_per_document():
    lines = [LineInput(D(1), D("0.99"), D(0), D(23))] * 3  # per line 0.99×23/123 = 0.1851 → 0.19 each
    per_line = document_totals(lines, "PLN", "line", prices_include_tax=True)
    per_document = document_totals(lines, "PLN", "document", prices_include_tax=True)
    assert per_line.total == per_document.total == D("2.97")
    assert per_line.tax == D("0.57")
    assert per_document.tax == D("0.56")  # 2.97 × 23/123 = 0.5554 → 0.56
    assert per_document.net == D("2.41")


def test_exempt_and_reverse_charge_lines_carry_no_tax():
    lines = [LineInput(D(2), D("50"), D(0), D(23)), LineInput(D(1), D("40"), D(0), D(0), "exempt"),
             LineInput(D(1), D("10"), D(0), D(23), "reverse_charge")]
    totals = document_totals(lines, "PLN")
    assert [a.tax for a in totals.lines] == [D("23.00"), D("0.00"), D("0.00")]
    assert (totals.net, totals.tax, totals.total) == (D("150.00"), D("23.00"), D("173.00"))
    kinds = {(g.kind, g.rate) for g in totals.tax_groups}
    assert ("exempt", D(0)) in kinds and ("reverse_charge", D(23)) in kinds


# --- Tax rates --------------------------------------------------------------------------------------------------

def test_shipped_rates_are_installed_once_with_the_chart(ledger):
    count = TaxRate.objects.count()
    assert count >= 17
    assert services.install_tax_rates() == 0
    assert TaxRate.objects.get(country="PL", code="OO").kind == TaxRate.Kind.REVERSE_CHARGE


def test_indonesian_rate_follows_its_validity_dates(ledger):
    assert services.tax_rate_for("ID", None, datetime.date(2024, 6, 1)).rate == D(11)
    assert services.tax_rate_for("ID", None, datetime.date(2025, 1, 1)).rate == D(12)
    assert services.tax_rate_for("ID", None, datetime.date(2020, 1, 1)) is None


def test_rate_for_a_tax_category_matches_its_percentage_or_its_linked_row(ledger, standard_vat, accountant):
    assert services.tax_rate_for("PL", standard_vat, DAY).code == "VAT23"
    custom = services.create_tax_rate(by=accountant, country="PL", code="VAT23X", name="Linked", kind="standard",
                                      rate=D(23), valid_from=datetime.date(2026, 1, 1), tax_category=standard_vat)
    assert services.tax_rate_for("PL", standard_vat, DAY) == custom


def test_tax_rate_rules(ledger, accountant, sales_rep):
    with pytest.raises(BusinessRuleError) as error:
        services.create_tax_rate(by=accountant, country="PL", code="ZW2", name="x", kind="exempt", rate=D(5),
                                 valid_from=DAY)
    assert error.value.code == "rate_must_be_zero"
    with pytest.raises(ConflictError):
        services.create_tax_rate(by=accountant, country="PL", code="VAT23", name="x", kind="standard", rate=D(23),
                                 valid_from=datetime.date(2011, 1, 1))
    with pytest.raises(AccessDenied):
        services.create_tax_rate(by=sales_rep, country="PL", code="N", name="x", rate=D(1), valid_from=DAY)


# --- Drafts and issuing -----------------------------------------------------------------------------------------

@pytest.fixture
def draft(polish_ledger, billed_client, sales_rep, widget):
    return services.create_invoice(by=sales_rep, client=billed_client, invoice_date=DAY, lines=[
        line(3, "3.335", product=widget), line(1, "100", description="Service", tax_percent=D(8))])


def test_a_draft_has_exact_totals_and_linked_rates(draft):
    lines = list(draft.lines.order_by("position"))
    assert [(x.net_amount, x.tax_amount) for x in lines] == [(D("10.01"), D("2.30")), (D("100.00"), D("8.00"))]
    assert lines[0].tax_rate.code == "VAT23" and lines[1].tax_rate.code == "VAT8"
    assert (draft.net_total, draft.tax_total, draft.total) == (D("110.01"), D("10.30"), D("120.31"))
    assert draft.status == Invoice.Status.DRAFT and draft.number == ""
    assert draft.due_date == DAY + datetime.timedelta(days=14)


def test_representative_may_draft_but_not_issue(draft, sales_rep, other_rep):
    with pytest.raises(AccessDenied):
        services.issue_invoice(draft, by=sales_rep)
    with pytest.raises(AccessDenied):
        services.update_invoice(draft, by=other_rep, notes="x")


def test_stale_edit_is_refused(draft, sales_rep):
    services.update_invoice(draft, by=sales_rep, expected_version=1, notes="first")
    with pytest.raises(ConflictError) as error:
        services.update_invoice(draft, by=sales_rep, expected_version=1, notes="second")
    assert error.value.code == "stale"


def test_issue_numbers_and_posts_one_balanced_entry(draft, accountant, account):
    invoice = services.issue_invoice(draft, by=accountant)
    assert invoice.number == "INV/2026/00001" and invoice.status == Invoice.Status.ISSUED
    assert invoice.amount_due == invoice.total == D("120.31")
    lines = {row.account.code: row for row in EntryLine.objects.filter(entry=invoice.entry).select_related("account")}
    assert (lines["1100"].debit, lines["4000"].credit, lines["2100"].credit) == (D("120.31"), D("110.01"), D("10.30"))
    assert lines["1100"].client_id == invoice.client_id and lines["1100"].counterparty_id == invoice.counterparty_id
    assert invoice.entry.journal.code == "SAL"
    with pytest.raises(ConflictError):
        services.update_invoice(invoice, by=accountant, notes="too late")


def test_numbers_are_gapless_and_a_refused_issue_gives_its_number_back(polish_ledger, billed_client, accountant):
    def make(day):
        return services.create_invoice(by=accountant, client=billed_client, invoice_date=day, lines=[line(1, 10)])

    first = services.issue_invoice(make(DAY), by=accountant)
    Period.objects.filter(company=polish_ledger, number=4).update(status=Period.Status.CLOSED)
    with pytest.raises(ConflictError) as error:
        services.issue_invoice(make(datetime.date(2026, 4, 2)), by=accountant)
    assert error.value.code == "period_closed"
    second = services.issue_invoice(make(DAY), by=accountant)
    assert (first.number, second.number) == ("INV/2026/00001", "INV/2026/00002")


def test_document_rounding_posts_the_document_tax(polish_ledger, billed_client, accountant):
    invoice = services.create_invoice(by=accountant, client=billed_client, invoice_date=DAY, tax_rounding="document",
                                      lines=[line(1, "0.02", tax_percent=D(23))] * 3)
    assert [x.tax_amount for x in invoice.lines.all()] == [D(0)] * 3
    assert invoice.tax_total == D("0.01")  # 0.06 × 23 % = 0.0138
    invoice = services.issue_invoice(invoice, by=accountant)
    assert sum(x.debit for x in invoice.entry.lines.all()) == D("0.07")


def test_exempt_and_reverse_charge_invoice_posts_no_tax(polish_ledger, billed_client, accountant):
    reverse = TaxRate.objects.get(country="PL", code="OO")
    invoice = services.create_invoice(by=accountant, client=billed_client, invoice_date=DAY,
                                      lines=[line(2, 50, tax_rate=reverse), line(1, 40, tax_kind="exempt",
                                                                                 tax_percent=D(0))])
    invoice = services.issue_invoice(invoice, by=accountant)
    assert invoice.tax_total == 0 and invoice.total == D(140)
    assert not invoice.entry.lines.filter(account__subtype="tax").exists()


def test_unbalanced_posting_is_impossible(draft, accountant, monkeypatch):
    from tandem.finance.services import invoices

    original = invoices._posting_lines

    def broken(invoice, lines):
        posting = original(invoice, lines)
        posting[0].debit += D("0.01")
        return posting

    monkeypatch.setattr(invoices, "_posting_lines", broken)
    with pytest.raises(BusinessRuleError) as error:
        services.issue_invoice(draft, by=accountant)
    assert error.value.code == "unbalanced"
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.DRAFT and draft.number == ""


def test_foreign_currency_posts_at_the_stored_rate(polish_ledger, billed_client, accountant):
    ExchangeRate.objects.create(base_currency="USD", quote_currency="EUR", date=datetime.date(2026, 3, 1),
                                rate=D("0.9"))
    invoice = services.create_invoice(by=accountant, client=billed_client, invoice_date=DAY, currency="USD",
                                      lines=[line(3, "33.33", tax_percent=D(23))])
    assert invoice.rate == D("0.9")
    ExchangeRate.objects.create(base_currency="USD", quote_currency="EUR", date=DAY, rate=D("0.5"))
    invoice = services.issue_invoice(invoice, by=accountant)
    lines = {row.account.code: row for row in invoice.entry.lines.select_related("account")}
    # 99.99 + 23.00 = 122.99 USD → 110.69 EUR; tax 20.70; revenue takes the rest: 89.99
    assert (lines["1100"].debit, lines["2100"].credit, lines["4000"].credit) == (D("110.69"), D("20.70"),
                                                                                  D("89.99"))
    assert lines["1100"].currency == "USD" and lines["1100"].amount_currency == D("122.99")


def test_cancel_a_draft_only(draft, sales_rep, accountant):
    cancelled = services.cancel_invoice(draft, by=sales_rep)
    assert cancelled.status == Invoice.Status.CANCELLED
    with pytest.raises(ConflictError):
        services.issue_invoice(cancelled, by=accountant)


# --- Credit notes -----------------------------------------------------------------------------------------------

def test_partial_credit_note_posts_the_mirror_and_settles_the_invoice(draft, accountant):
    invoice = services.issue_invoice(draft, by=accountant)
    service_line = invoice.lines.get(position=2)
    note = services.create_credit_note(invoice, by=accountant, lines=[{"line": service_line, "quantity": D("0.5")}])
    assert note.number == "CN/2026/00001" and note.total == D("54.00")
    lines = {row.account.code: row for row in note.entry.lines.select_related("account")}
    assert (lines["1100"].credit, lines["4000"].debit, lines["2100"].debit) == (D("54.00"), D("50.00"), D("4.00"))
    invoice.refresh_from_db()
    note.refresh_from_db()
    assert invoice.amount_due == D("66.31") and invoice.status == Invoice.Status.PARTLY_PAID
    assert note.amount_due == 0 and note.status == Invoice.Status.PAID
    allocation = PaymentAllocation.objects.get(invoice=invoice)
    assert allocation.credit_note == note and allocation.amount == D("54.00")
    with pytest.raises(BusinessRuleError) as error:
        services.create_credit_note(invoice, by=accountant, lines=[{"line": service_line, "quantity": D(1)}])
    assert error.value.code == "over_credit"


def test_whole_credit_note_settles_the_invoice(draft, accountant):
    invoice = services.issue_invoice(draft, by=accountant)
    note = services.create_credit_note(invoice, by=accountant)
    invoice.refresh_from_db()
    assert note.total == invoice.total and invoice.amount_due == 0 and invoice.status == Invoice.Status.PAID
    with pytest.raises(ConflictError):
        services.create_credit_note(note, by=accountant)
    with pytest.raises(BusinessRuleError) as error:
        services.create_credit_note(invoice, by=accountant)
    assert error.value.code == "nothing_to_credit"
    assert Account.objects.get(company=invoice.company, code="1100").lines.count() == 2
