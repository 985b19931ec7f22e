"""Scenario: an invoice is issued; the bank statement that shows its payment is imported (CAMT.053) through the
API; the line is matched to the invoice by its number, the payer's IBAN and the amount; an accountant confirms
it; the invoice is paid, the bank and receivable balances say so, and importing the file again adds nothing."""

import datetime
import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import queries, services
from tandem.finance.banking import services as banking
from tandem.finance.models import Invoice
from tandem.finance.tests.invoice_fixtures import issue_customer_invoice
from tandem.parties.models import BankAccount
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

CAMT = Path(__file__).parent.parent / "tandem/finance/tests/data/statement-camt053.xml"
URL = "/api/v1/finance"


def test_invoice_statement_match_confirm_paid(make_user, api):
    accountant = make_user(roles.ACCOUNTANT, username="books")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    bank = banking.create_payment_account(company, by=accountant, name="Main bank", iban="DE89370400440532013000")
    payer = CounterpartyFactory(client=ClientFactory(name="Acme Trading"), legal_name="Acme Trading GmbH")
    BankAccount.objects.create(counterparty=payer, bank_name="Bank", account_number="DE44500105175407324931")
    invoice = issue_customer_invoice(company, by=accountant, counterparty=payer, total="1190.00")
    decoy = issue_customer_invoice(company, by=accountant, counterparty=CounterpartyFactory(), total="1190.00")
    assert (invoice.number, decoy.number) == ("INV/2026/00001", "INV/2026/00002")  # the statement quotes the first
    http = api(accountant)

    imported = http.post(f"{URL}/statements/import", data={
        "payment_account_id": bank.pk, "file": SimpleUploadedFile("march.xml", CAMT.read_bytes())})
    assert imported.status_code == 201, imported.content
    statement_id = imported.json()["statement"]["id"]
    lines = http.get(f"{URL}/statements/{statement_id}/lines").json()["items"]
    paid_line, fee_line = lines
    suggestions = paid_line["suggestions"]
    assert [s["invoice_number"] for s in suggestions] == ["INV/2026/00001", "INV/2026/00002"]
    assert suggestions[0]["score"] > suggestions[1]["score"]  # number and IBAN beat the amount alone

    confirmed = http.post(f"{URL}/statements/lines/{paid_line['id']}/confirm", data=json.dumps({}),
                          content_type="application/json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    http.post(f"{URL}/statements/lines/{fee_line['id']}/ignore")

    invoice.refresh_from_db()
    decoy.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == (Invoice.Status.PAID, 0)
    assert decoy.status == Invoice.Status.ISSUED
    payment = http.get(f"{URL}/payments/{confirmed.json()['payment_id']}").json()
    assert payment["allocations"][0]["invoice_number"] == "INV/2026/00001" and payment["reference"].startswith("INV")
    report = queries.trial_balance(company, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    closing = {row.account.code: row.closing for row in report.rows}
    assert closing["1010"] == 1190 and closing["1100"] == 1190  # the decoy is still owed

    again = http.post(f"{URL}/statements/import", data={
        "payment_account_id": bank.pk, "file": SimpleUploadedFile("march.xml", CAMT.read_bytes())})
    assert again.status_code == 200 and again.json()["already_imported"]
    assert http.get(f"{URL}/statements").json()["count"] == 1
