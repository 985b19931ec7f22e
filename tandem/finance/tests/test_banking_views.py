"""Pages of payments and bank statements: register a payment with allocations, refusals shown on the form,
allocate and reverse, bank accounts, import a statement and match its lines; who sees what."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core import roles
from tandem.finance.banking import services as banking
from tandem.finance.models import BankStatement, Invoice, Payment, PaymentAccount

DATA = Path(__file__).parent / "data"


@pytest.fixture
def browser(client, accountant, ledger):
    client.force_login(accountant)
    return client


def _form(bank_account, payer, amount, **allocations):
    return {"direction": "in", "payment_account": bank_account.pk, "date": "2026-03-10", "amount": amount,
            "client": payer.client_id, "reference": "x", **allocations}


def test_register_a_payment_against_an_invoice(browser, bank_account, payer, issued_invoice):
    invoice = issued_invoice("1190.00")
    page = browser.get(f"/finance/payments/new/?invoice={invoice.pk}")
    assert page.status_code == 200
    assert f'name="allocate_{invoice.pk}" value="1190.00"' in page.content.decode()
    response = browser.post("/finance/payments/new/", _form(bank_account, payer, "1190.00",
                                                            **{f"allocate_{invoice.pk}": "1190.00"}))
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/finance/payments/{payment.pk}/"
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    detail = browser.get(response["Location"]).content.decode()
    assert invoice.number in detail and "Paid" in detail
    assert payment.number in browser.get("/finance/payments/").content.decode()


def test_over_allocation_is_shown_on_the_row_and_nothing_is_saved(browser, bank_account, payer, issued_invoice):
    invoice = issued_invoice("100.00", tax="0")
    response = browser.post("/finance/payments/new/", _form(bank_account, payer, "150.00",
                                                            **{f"allocate_{invoice.pk}": "150.00"}))
    assert response.status_code == 400
    assert "left to pay" in response.content.decode()
    bad = browser.post("/finance/payments/new/", _form(bank_account, payer, "150.00",
                                                       **{f"allocate_{invoice.pk}": "abc"}))
    assert bad.status_code == 400 and "Check the amounts" in bad.content.decode()
    assert not Payment.objects.exists()


def test_allocate_later_and_reverse(browser, accountant, ledger, bank_account, payer, issued_invoice):
    invoice = issued_invoice("100.00", tax="0")
    payment = banking.register_payment(ledger, direction="in", payment_account=bank_account,
                                       date=invoice.invoice_date, amount="100.00", client=payer.client, by=accountant)
    page = browser.get(f"/finance/payments/{payment.pk}/").content.decode()
    assert 'id="allocate-form"' in page
    browser.post(f"/finance/payments/{payment.pk}/allocate/", {"invoice": invoice.pk, "amount": "100.00"})
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    browser.post(f"/finance/payments/{payment.pk}/reverse/")
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert "Reversed" in browser.get(f"/finance/payments/{payment.pk}/").content.decode()


def test_bank_accounts_pages(browser, ledger):
    assert browser.get("/finance/payment-accounts/new/").status_code == 200
    response = browser.post("/finance/payment-accounts/new/", {"name": "Savings", "kind": "bank", "currency": "",
                                                              "iban": "DE02 1203 0000 0000 2020 51"})
    assert response.status_code == 302
    account = PaymentAccount.objects.get(name="Savings")
    assert account.iban == "DE02120300000000202051" and account.currency == "EUR"
    assert "Savings" in browser.get("/finance/payment-accounts/").content.decode()
    browser.post(f"/finance/payment-accounts/{account.pk}/edit/", {"name": "Savings 2", "iban": ""})
    account.refresh_from_db()
    assert account.name == "Savings 2"
    browser.post(f"/finance/payment-accounts/{account.pk}/archive/")
    account.refresh_from_db()
    assert account.is_archived


def test_import_and_match_a_statement(browser, bank_account, payer, issued_invoice):
    invoice = issued_invoice("1190.00")
    upload = {"payment_account": bank_account.pk, "format": "csv", "date_column": "Buchungstag",
              "amount_column": "Betrag", "reference_column": "Verwendungszweck", "name_column": "Auftraggeber",
              "date_format": "%d.%m.%Y", "decimal_comma": "on", "has_header": "on"}
    response = browser.post("/finance/statements/import/", {
        **upload, "file": SimpleUploadedFile("march.csv", (DATA / "statement.csv").read_bytes())})
    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/finance/statements/{statement.pk}/"
    page = browser.get(response["Location"]).content.decode()
    assert "INV/2026/00001" in page and "Suggested" in page
    again = browser.post("/finance/statements/import/", {
        **upload, "file": SimpleUploadedFile("march.csv", (DATA / "statement.csv").read_bytes())}, follow=True)
    assert "imported before" in again.content.decode()
    paid, fee, _advance = statement.lines.order_by("date")
    browser.post(f"/finance/statements/lines/{paid.pk}/confirm/", {"invoice": invoice.pk})
    browser.post(f"/finance/statements/lines/{fee.pk}/ignore/")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert list(statement.lines.order_by("date").values_list("status", flat=True))[:2] == ["confirmed", "ignored"]
    bad_mapping = browser.post("/finance/statements/import/", {
        **upload, "date_column": "Datum", "file": SimpleUploadedFile("b.csv", b"Datum2;Betrag\n01.03.2026;1,00\n")})
    assert bad_mapping.status_code == 400 and 'id="csv-header"' in bad_mapping.content.decode()


def test_a_representative_sees_own_clients_payments_and_no_statements(client, make_user, accountant, ledger,
                                                                       bank_account, payer):
    from tandem.parties.tests.factories import ClientFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rep")
    own = ClientFactory(owner=rep, name="Own Client")
    mine = banking.register_payment(ledger, direction="in", payment_account=bank_account, date=ledger_date(),
                                    amount="5.00", client=own, by=accountant)
    other = banking.register_payment(ledger, direction="in", payment_account=bank_account, date=ledger_date(),
                                     amount="7.00", client=payer.client, by=accountant)
    client.force_login(rep)
    listing = client.get("/finance/payments/").content.decode()
    assert mine.number in listing and other.number not in listing
    assert client.get(f"/finance/payments/{other.pk}/").status_code == 404
    assert client.get("/finance/payments/new/").status_code == 403
    assert client.get("/finance/statements/").status_code == 403


def ledger_date():
    import datetime

    return datetime.date(2026, 3, 10)
