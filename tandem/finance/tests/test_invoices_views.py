"""The invoice and tax-rate pages: list, new draft with lines, issue, credit, who sees which buttons."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.finance import services
from tandem.finance.models import Invoice, TaxRate
from tandem.finance.tests.invoice_fixtures import *  # noqa: F403
from tandem.finance.tests.invoice_fixtures import line


@pytest.fixture
def issued(polish_ledger, billed_client, accountant):
    invoice = services.create_invoice(by=accountant, client=billed_client, invoice_date=datetime.date(2026, 3, 10),
                                      lines=[line(2, 50, tax_percent=D(23))])
    return services.issue_invoice(invoice, by=accountant)


def test_representative_makes_a_draft_on_the_page_but_sees_no_issue_button(client, polish_ledger, billed_client,
                                                                          sales_rep):
    client.force_login(sales_rep)
    vat = TaxRate.objects.get(country="PL", code="VAT23")
    assert client.get("/finance/invoices/new/").status_code == 200
    response = client.post("/finance/invoices/new/", {
        "client": billed_client.pk, "invoice_date": "2026-03-10", "tax_rounding": "line", "currency": "EUR",
        "line_description": ["Pumps", "", ""], "line_quantity": ["2", "", ""], "line_unit_price": ["50", "", ""],
        "line_discount": ["", "", ""], "line_tax": [str(vat.pk), "", ""]})
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert invoice.total == D("123.00") and invoice.status == "draft"
    page = client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert "123.00" in page and 'data-action="issue"' not in page and 'data-action="edit"' in page
    assert client.post(f"/finance/invoices/{invoice.pk}/issue/").status_code == 403


def test_a_bad_line_is_shown_on_its_row(client, polish_ledger, billed_client, accountant):
    client.force_login(accountant)
    response = client.post("/finance/invoices/new/", {
        "client": billed_client.pk, "invoice_date": "2026-03-10", "tax_rounding": "line",
        "line_description": ["Pumps"], "line_quantity": ["0"], "line_unit_price": ["50"], "line_discount": [""],
        "line_tax": [""]})
    assert response.status_code == 400 and "has-error" in response.content.decode()


def test_a_line_takes_the_product_chosen_in_its_picker(client, polish_ledger, billed_client, accountant, widget):
    client.force_login(accountant)
    page = client.get("/finance/invoices/new/").content.decode()
    assert 'data-picker="line0-product"' in page and 'data-picker="line2-product"' in page
    response = client.post("/finance/invoices/new/", {
        "client": billed_client.pk, "invoice_date": "2026-03-10", "tax_rounding": "line", "currency": "EUR",
        "line_description": ["", ""], "line_quantity": ["3", ""], "line_unit_price": ["10", ""],
        "line_discount": ["", ""], "line_tax": ["", ""], "line0-product": str(widget.pk),
        "line0-product_search": "Widget"})
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice_line = Invoice.objects.get().lines.get()
    assert (invoice_line.product, invoice_line.description, invoice_line.quantity) == (widget, "Widget", D(3))
    page = client.get(f"/finance/invoices/{invoice_line.invoice_id}/edit/").content.decode()
    assert 'value="Widget"' in page  # the picker shows the chosen product when the draft is edited


def test_a_product_not_in_the_catalogue_is_refused_on_its_row(client, polish_ledger, billed_client, accountant,
                                                               widget):
    client.force_login(accountant)
    widget.is_archived = True  # archived: no longer offered, refused if sent
    widget.save(update_fields=["is_archived"])
    response = client.post("/finance/invoices/new/", {
        "client": billed_client.pk, "invoice_date": "2026-03-10", "tax_rounding": "line",
        "line_description": ["Pumps"], "line_quantity": ["1"], "line_unit_price": ["50"], "line_discount": [""],
        "line_tax": [""], "line0-product": str(widget.pk), "line0-product_search": "Widget"})
    assert response.status_code == 400 and "has-error" in response.content.decode()
    assert not Invoice.objects.exists()


def test_accountant_issues_and_credits_on_the_page(client, polish_ledger, billed_client, accountant):
    client.force_login(accountant)
    draft = services.create_invoice(by=accountant, client=billed_client, invoice_date=datetime.date(2026, 3, 10),
                                    lines=[line(2, 50, tax_percent=D(23))])
    response = client.post(f"/finance/invoices/{draft.pk}/issue/", {"version": draft.version})
    assert response.status_code == 302
    page = client.get(f"/finance/invoices/{draft.pk}/").content.decode()
    assert "INV/2026/00001" in page and 'data-action="credit"' in page
    line_id = draft.lines.get().pk
    response = client.post(f"/finance/invoices/{draft.pk}/credit/", {f"credit_{line_id}": "1"})
    note = Invoice.objects.get(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE)
    assert response.url == f"/finance/invoices/{note.pk}/" and note.total == D("61.50")


def test_list_filters_and_tax_rate_page(client, issued, accountant, sales_rep, other_rep):
    client.force_login(accountant)
    listing = client.get("/finance/invoices/", {"status": "issued"}).content.decode()
    assert issued.number in listing
    page = client.get("/finance/tax-rates/", {"country": "PL"}).content.decode()
    assert "Odwrotne obciążenie" in page and 'id="taxrate-form"' in page
    response = client.post("/finance/tax-rates/", {"country": "PL", "code": "VAT7", "name": "VAT 7%",
                                                   "kind": "reduced", "rate": "7", "valid_from": "2027-01-01"})
    assert response.status_code == 302 and TaxRate.objects.filter(code="VAT7").exists()
    client.force_login(other_rep)
    assert issued.number not in client.get("/finance/invoices/").content.decode()
    assert client.get(f"/finance/invoices/{issued.pk}/").status_code == 404
    assert 'id="taxrate-form"' not in client.get("/finance/tax-rates/").content.decode()
