"""Bank statements: the three parsers on fixture files, idempotent import, suggestions (number in the reference,
exact amount, the payer's IBAN), confirming and ignoring lines."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.finance.banking import parsers, statements
from tandem.finance.banking import services as banking
from tandem.finance.models import BankStatement, BankStatementLine
from tandem.parties.models import BankAccount

DATA = Path(__file__).parent / "data"
D = Decimal
CSV_OPTIONS = {"mapping": {"date": "Buchungstag", "amount": "Betrag", "reference": "Verwendungszweck",
                           "name": "Auftraggeber", "iban": "IBAN", "transaction_id": "Ref"},
               "decimal_comma": True, "date_format": "%d.%m.%Y"}


def _read(name):
    return (DATA / name).read_bytes()


def test_csv_with_a_column_mapping_decimal_comma_and_german_dates():
    parsed = parsers.parse_csv(_read("statement.csv"), currency="EUR", **CSV_OPTIONS)
    assert [(line.date, line.amount) for line in parsed.lines] == [
        (datetime.date(2026, 3, 5), D("1190.00")), (datetime.date(2026, 3, 6), D("-12.50")),
        (datetime.date(2026, 3, 7), D("250.00"))]
    first = parsed.lines[0]
    assert (first.name, first.iban, first.reference, first.transaction_id) == (
        "ACME TRADING GMBH", "DE44 5001 0517 5407 3249 31", "INV/2026/00001 thank you", "TX-1")


def test_csv_columns_by_number_and_refusals():
    text = "2026-03-05,1190.00,INV-1\n2026-03-06,\"1,000.50\",x\n"
    parsed = parsers.parse_csv(text, mapping={"date": "1", "amount": "2", "reference": "3"}, has_header=False)
    assert [line.amount for line in parsed.lines] == [D("1190.00"), D("1000.50")]
    with pytest.raises(BusinessRuleError) as bad_date:
        parsers.parse_csv(text, mapping={"date": "1", "amount": "2"}, has_header=False, date_format="%d.%m.%Y")
    assert bad_date.value.code == "invalid_file" and "Line 1" in bad_date.value.message
    with pytest.raises(BusinessRuleError) as unknown:
        parsers.parse_csv(_read("statement.csv"), mapping={"date": "Datum", "amount": "Betrag"})
    assert unknown.value.field == "date_column"


def test_mt940():
    parsed = parsers.parse_mt940(_read("statement.mt940"))
    assert (parsed.reference, parsed.account, parsed.opening_balance, parsed.closing_balance) == (
        "STMT-2026-03", "DE89370400440532013000", D("1000.00"), D("2177.50"))
    first, fee = parsed.lines
    assert (first.amount, first.iban, first.name, first.transaction_id) == (
        D("1190.00"), "DE44500105175407324931", "ACME TRADING GMBH", "B2603050001")
    assert "INV/2026/00001" in first.reference and fee.amount == D("-12.50")
    assert parsers.detect_format(_read("statement.mt940")) == "mt940"


@pytest.mark.parametrize("name", ["statement-camt053.xml", "statement-camt053-v08.xml"])
def test_camt053_versions_02_and_08(name):
    parsed = parsers.parse_camt053(_read(name))
    assert parsers.detect_format(_read(name)) == "camt053"
    assert (parsed.account, parsed.opening_balance, parsed.closing_balance) == (
        "DE89370400440532013000", D("1000.00"), D("2177.50"))
    first, fee = parsed.lines
    assert (first.date, first.amount, first.name, first.iban, first.reference, first.transaction_id) == (
        datetime.date(2026, 3, 5), D("1190.00"), "ACME TRADING GMBH", "DE44500105175407324931",
        "INV/2026/00001 thank you", "CAMT-0001")
    assert (fee.amount, fee.reference) == (D("-12.50"), "Monthly account fee")


def test_hostile_or_broken_xml_is_refused():
    with pytest.raises(BusinessRuleError):
        parsers.parse_camt053(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    with pytest.raises(BusinessRuleError):
        parsers.parse_camt053(b"<Document><unclosed></Document>")


def test_importing_the_same_file_or_the_same_lines_twice_creates_nothing_twice(accountant, bank_account):
    first = statements.import_statement(bank_account, _read("statement.mt940"), by=accountant, file_name="a.sta")
    assert (first.created, first.skipped) == (2, 0) and first.statement.reference == "STMT-2026-03"
    again = statements.import_statement(bank_account, _read("statement.mt940"), by=accountant)
    assert again.already_imported and "imported before" in again.message
    # Another file (CAMT) with the same transactions but other bank ids: new lines; the same CAMT twice: not.
    camt = statements.import_statement(bank_account, _read("statement-camt053.xml"), by=accountant)
    assert camt.created == 2
    # The same lines in a different file (one more blank line): every line skipped, no statement made.
    same_lines = statements.import_statement(bank_account, _read("statement-camt053.xml") + b"\n", by=accountant)
    assert (same_lines.statement, same_lines.created, same_lines.skipped) == (None, 0, 2)
    assert "imported before" in same_lines.message
    assert BankStatement.objects.count() == 2 and BankStatementLine.objects.count() == 4


def test_identical_lines_in_one_file_are_kept_apart(accountant, bank_account):
    text = "date,amount,reference\n2026-03-05,9.99,Coffee\n2026-03-05,9.99,Coffee\n"
    options = {"mapping": {"date": "date", "amount": "amount", "reference": "reference"}}
    outcome = statements.import_statement(bank_account, text.encode(), by=accountant, format="csv",
                                          csv_options=options)
    assert outcome.created == 2
    longer = text + "2026-03-06,1.00,Tea\n"
    assert statements.import_statement(bank_account, longer.encode(), by=accountant, format="csv",
                                       csv_options=options).created == 1


def test_a_statement_of_another_account_is_refused(accountant, bank_account, ledger):
    other = banking.create_payment_account(ledger, by=accountant, name="Other", iban="FR7630006000011234567890189")
    with pytest.raises(BusinessRuleError) as refused:
        statements.import_statement(other, _read("statement.mt940"), by=accountant)
    assert refused.value.code == "wrong_account"
    assert not BankStatement.objects.exists()


def test_suggestions_by_number_amount_and_iban_then_confirm(accountant, bank_account, payer, issued_invoice):
    invoice = issued_invoice("1190.00")
    same_amount = issued_invoice("1190.00")
    BankAccount.objects.create(counterparty=payer, bank_name="Commerzbank",
                               account_number="DE44 5001 0517 5407 3249 31")
    outcome = statements.import_statement(bank_account, _read("statement.csv"), by=accountant, format="csv",
                                          csv_options=CSV_OPTIONS)
    paid, fee, advance = outcome.statement.lines.order_by("date")
    assert paid.status == "suggested"
    assert [s.invoice for s in paid.suggestions.all()] == [invoice, same_amount]
    assert set(paid.suggested_invoices.all()) == {invoice, same_amount}
    assert statements.score(paid, invoice, {payer.pk: {"DE44500105175407324931"}}) == 4 + 2 + 2 + 1
    assert fee.status == "unmatched"
    assert advance.status == "suggested"  # the payer's IBAN points to their open invoices
    payment = statements.confirm_line(paid, by=accountant)
    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert invoice.status == "paid" and paid.status == "confirmed" and paid.payment == payment
    assert payment.amount == D("1190.00") and payment.date == datetime.date(2026, 3, 5)
    with pytest.raises(ConflictError):
        statements.confirm_line(paid, by=accountant)
    statements.ignore_line(fee, by=accountant)
    fee.refresh_from_db()
    assert fee.status == "ignored"
    # An advance with no invoice: the client's credit.
    credit = statements.confirm_line(advance, by=accountant, invoices=[], client=payer.client)
    assert credit.unallocated_amount == D("250.00")
    # Reversing the payment sends its line back to be matched.
    banking.reverse_payment(payment, by=accountant)
    paid.refresh_from_db()
    assert paid.status == "unmatched" and paid.payment is None
